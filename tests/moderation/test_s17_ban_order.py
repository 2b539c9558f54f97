"""A ban and its lifting take turns (MO-1, MO-4).

The outbox runs each op on its own. A ban whose block waited for a retry could be
lifted meanwhile: the unblock ran first, then the block — the person blocked on the
platform while Ordstyrer showed no ban, and told «you are banned» after the ban was
lifted. Now the lifting waits until the ban is finished (its block made and its notice
out), and a new ban waits until a lifting is finished, as showing a comment again waits
for its hide (`_unhide`, «Skjulingen er ikke ferdig ennå»)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.core.errors import Conflict
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation import outbox
from ordstyrer.moderation.bans import author_ban, author_unban, ban_in_force
from ordstyrer.moderation.models import ActionStatus, ModerationAction, OpKind, OpStatus, PlatformOp
from tests.factories import PASSWORD
from tests.moderation.conftest import citizen_comment, fail_next

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Gjentatt spam på ti innlegg samme dag."
AUTHOR = "sim-user-901"


def blocked(channel) -> list[str]:
    with channel_connector(channel) as connector:
        return list(connector.platform.state["blocked"])


def panel_html(world, item) -> str:
    client = Client()
    assert client.login(username=world.main_admin.username, password=PASSWORD)
    url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    return client.get(url).content.decode()


def sweep_after(clock, capture, seconds: int) -> None:
    clock.shift(timedelta(seconds=seconds))
    with capture(execute=True):
        outbox.outbox_sweep(now=timezone.now())


def test_a_ban_whose_block_waits_for_a_retry_cannot_be_lifted_yet(
    world, clock, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "block")  # transient: retried after 30 s
    with django_capture_on_commit_callbacks(execute=True):
        ban = author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    block = PlatformOp.objects.get(kind=OpKind.BLOCK)
    assert (block.status, block.attempts) == (OpStatus.PENDING, 1)
    ban.refresh_from_db()
    assert ban.status == ActionStatus.QUEUED and blocked(world.channel) == []

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Conflict, match="Utestengingen er ikke ferdig ennå") as refused:
            author_unban(actor=world.main_admin, item=item, justification="Lovet å holde seg.")
    assert refused.value.code == "ban_running"
    assert not ModerationAction.objects.filter(kind="unban").exists()
    assert not PlatformOp.objects.filter(kind=OpKind.UNBLOCK).exists()
    # The panel says why instead of offering the button.
    html = panel_html(world, item)
    assert 'id="mod-ban-running"' in html
    assert reverse("moderation:unban", args=[world.municipality.slug, item.pk]) not in html

    sweep_after(clock, django_capture_on_commit_callbacks, 31)  # the block, then the notice
    ban.refresh_from_db()
    assert ban.status == ActionStatus.DONE and ban.notice_state == "sent"
    assert blocked(world.channel) == [AUTHOR]
    assert reverse("moderation:unban", args=[world.municipality.slug, item.pk]) in panel_html(
        world, item
    )

    with django_capture_on_commit_callbacks(execute=True):
        lifted = author_unban(actor=world.main_admin, item=item, justification="Lovet å holde seg.")
    lifted.refresh_from_db()
    assert lifted.status == ActionStatus.DONE
    assert blocked(world.channel) == [] and ban_in_force(world.channel, AUTHOR) is None
    sweep_after(clock, django_capture_on_commit_callbacks, 3600)  # nothing left to undo it
    assert blocked(world.channel) == []


def test_a_new_ban_waits_until_the_lifting_is_finished(
    world, clock, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    assert blocked(world.channel) == [AUTHOR]
    fail_next(world.channel, "unblock")
    with django_capture_on_commit_callbacks(execute=True):
        lifting = author_unban(actor=world.main_admin, item=item, justification="Lovet bedring.")
    lifting.refresh_from_db()
    assert lifting.status == ActionStatus.QUEUED and blocked(world.channel) == [AUTHOR]

    with pytest.raises(Conflict, match="Opphevingen av utestengingen er ikke ferdig") as refused:
        author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    assert refused.value.code == "unban_running"
    assert ModerationAction.objects.filter(kind="ban").count() == 1
    html = panel_html(world, item)
    assert 'id="mod-unban-running"' in html
    assert reverse("moderation:ban", args=[world.municipality.slug, item.pk]) not in html

    sweep_after(clock, django_capture_on_commit_callbacks, 31)
    lifting.refresh_from_db()
    assert lifting.status == ActionStatus.DONE and blocked(world.channel) == []
    with django_capture_on_commit_callbacks(execute=True):
        again = author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    again.refresh_from_db()
    assert again.status == ActionStatus.DONE and blocked(world.channel) == [AUTHOR]
