"""Only a comment on the platform is answered with a reply (DI-1, DI-11).

An employee's report (DI-11) has an id of Ordstyrer's own («report-…») and a Messenger
message is not answered with a comment; a reply to either used to be queued («Svaret er
lagt i kø og sendes nå»), then posted to «/report-…/comments» or «/{mid}/comments» and
failed. Now `reply_send` refuses them and the item page offers no reply form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from ordstyrer.connectors.base import Author, Comment
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem, ItemKind, ItemStatus, Reply
from ordstyrer.inbox.reports_unwanted import unwanted_report
from tests.inbox.conftest import item_page, question, text_of

pytestmark = pytest.mark.django_db

TEXT = "Takk for at du sier fra. Vi ser på det."


def report(world) -> InboxItem:
    item = unwanted_report(
        actor=world.p.archivist, channel=world.channel, text="Stygg kommentar om rektor."
    )
    assert item.kind == ItemKind.REPORT
    return item


def message(world) -> InboxItem:
    item = inbox_ingest(
        channel=world.channel,
        comment=Comment(
            id="m_mid.4711",
            post_id=None,
            author=Author(id="psid-4711", name="Ola Nordmann"),
            text="Når åpner svømmehallen?",
            created_at=datetime(2026, 5, 5, 6, 30, tzinfo=UTC),
        ),
        received_at=timezone.now(),
        kind=ItemKind.MESSAGE,
    )
    assert item is not None and item.kind == ItemKind.MESSAGE
    return item


@pytest.mark.parametrize("make", [report, message], ids=["report", "message"])
def test_no_reply_to_a_report_or_a_message(world, fake_platform, send, make):
    """DI-11, DI-1: refused with a message saying how to answer; nothing written or sent;
    the item page has no reply form and says why."""
    item = make(world)
    status = item.status
    with pytest.raises(ServiceError) as refused:
        send(actor=world.editor, item=item, text=TEXT)
    assert refused.value.code == "not_on_platform"
    assert not Reply.objects.exists() and fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == status and item.first_responded_at is None

    form = f'action="/m/{world.municipality.slug}/innboks/{item.pk}/svar/"'
    page = item_page(world, item)
    assert 'id="reply_text"' not in page and form not in page
    said = text_of(page)
    if make is report:
        assert "ingenting her å svare på" in said
    else:
        assert "Svar i Metas egen innboks" in said
    assert status == ItemStatus.NEW


def test_a_comment_still_has_its_reply_form(world):
    """DI-1: the same page check finds the form on a citizen's comment."""
    item = question(world)
    page = item_page(world, item)
    assert 'id="reply_text"' in page
    assert f'action="/m/{world.municipality.slug}/innboks/{item.pk}/svar/"' in page
    assert 'id="no-reply"' not in page
