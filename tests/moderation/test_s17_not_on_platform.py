"""Only what is on the platform is moderated (MO-2, MO-6, DI-11, AR-3).

An employee's report (DI-11) carries an id of Ordstyrer's own («report-…») that no
platform knows, and a Messenger message cannot be hidden or deleted through the API.
"Deleting" either used to find nothing there, take that for "already gone", archive a
deletion that never happened and mark the item removed; hiding marked it hidden. Now
the services refuse them, the item page offers no moderation, and automatic rules leave
them alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import Author, Comment
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem, ItemKind
from ordstyrer.inbox.reports_unwanted import unwanted_report
from ordstyrer.moderation import bans, services
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.auto import auto_sweep, validate_rules
from ordstyrer.moderation.models import ModerationAction, PlatformOp
from tests.moderation.conftest import citizen_comment, client_for, on_platform

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def report(world, text: str = SPAM) -> InboxItem:
    """An employee reports a statement the inbox has never seen (DI-11)."""
    item = unwanted_report(actor=world.p.archivist, channel=world.channel, text=text)
    assert item.kind == ItemKind.REPORT and item.platform_id.startswith("report-")
    return item


def message(world, text: str = SPAM) -> InboxItem:
    """A Messenger message to the page, as the webhook hands it to the inbox."""
    item = inbox_ingest(
        channel=world.channel,
        comment=Comment(
            id="m_mid.4711",
            post_id=None,
            author=Author(id="psid-4711", name="Ola Nordmann"),
            text=text,
            created_at=datetime(2026, 5, 5, 6, 30, tzinfo=UTC),
        ),
        received_at=timezone.now(),
        kind=ItemKind.MESSAGE,
    )
    assert item is not None and item.kind == ItemKind.MESSAGE
    return item


def untouched(item: InboxItem) -> None:
    item.refresh_from_db()
    assert item.removed_at is None and item.hidden is False
    assert not ModerationAction.objects.filter(item=item).exists()
    assert not PlatformOp.objects.filter(action__item=item).exists()
    assert not ArchiveRecord.objects.filter(kind="deleted_comment").exists()


@pytest.mark.parametrize("make", [report, message], ids=["report", "message"])
def test_a_report_or_message_cannot_be_deleted_hidden_or_banned_from(
    world, make, django_capture_on_commit_callbacks
):
    item = make(world)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ServiceError) as deleting:
            services.comment_delete(
                actor=world.main_admin, item=item, ground="spam", justification=WHY
            )
        with pytest.raises(ServiceError) as hiding:
            services.comment_hide(actor=world.main_admin, item=item)
        with pytest.raises(ServiceError) as banning:
            bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    for refused in (deleting, hiding, banning):
        assert refused.value.code == "not_on_platform"
    assert "ansatts melding" in str(deleting.value.message) or (
        "Private meldinger" in str(deleting.value.message)
    )
    untouched(item)


def test_the_item_page_of_a_report_offers_no_moderation(world):
    item = report(world)
    page = client_for(world.main_admin).get(
        reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="moderering"' not in html
    assert reverse("moderation:delete", args=[world.municipality.slug, item.pk]) not in html
    assert reverse("moderation:hide", args=[world.municipality.slug, item.pk]) not in html
    # A posted form (an old page, a hand-made request) is refused too, with the reason.
    client = client_for(world.main_admin)
    response = client.post(
        reverse("moderation:delete", args=[world.municipality.slug, item.pk]),
        {"ground": "spam", "justification": WHY, "confirmed": "1", "intent_key": "k" * 32},
        follow=True,
    )
    assert "ansatts melding" in response.content.decode()
    untouched(item)


def test_an_automatic_hide_rule_leaves_reports_alone(world, django_capture_on_commit_callbacks):
    settings = settings_for(world.municipality)
    settings.auto_rules = validate_rules([{"category": "spam", "action": "hide"}])
    settings.save()
    reported = report(world)
    comment = citizen_comment(world.channel, SPAM, author=("sim-user-950", "Per Hansen"))
    assert (reported.category, comment.category) == ("spam", "spam")
    with django_capture_on_commit_callbacks(execute=True):
        auto_sweep(now=timezone.now())
    untouched(reported)
    comment.refresh_from_db()
    assert comment.hidden is True  # the rule works on the comment itself
    assert on_platform(world.channel, comment.platform_id)["hidden"] is True
