"""A ban can be lifted while its notice is still on its way, and the notice is then not
sent (MO-4, MO-1).

Lifting a ban is a deliberate act. It used to be refused while the ban's notice to
the person waited for a retry, for as long as the outbox kept retrying (hours). Now
the lifting goes through at once; a notice that has not gone out is withdrawn
(«you are banned» never reaches someone whose ban is lifted), while one already sent
stays in the record. A replayed lifting acts once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.core.errors import Conflict
from ordstyrer.core.intents import new_intent_key
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation import notice_followup, outbox
from ordstyrer.moderation.bans import author_ban, author_unban, ban_in_force
from ordstyrer.moderation.models import (
    ActionStatus,
    ModerationAction,
    OpKind,
    OpStatus,
    PlatformOp,
)
from tests.moderation.conftest import (
    citizen_comment,
    client_for,
    fail_next,
    messages_off_next,
    public_notices,
)

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Gjentatt spam på ti innlegg samme dag."
LIFTED = "Lovet å holde seg til temaet."
AUTHOR = "sim-user-901"


def blocked(channel) -> list[str]:
    with channel_connector(channel) as connector:
        return list(connector.platform.state["blocked"])


def notices_on_platform(channel) -> list[str]:
    """What the page has said to people: private replies and its own public comments."""
    with channel_connector(channel) as connector:
        state = connector.platform.state
        private = [r["text"] for r in state.get("private_replies", {}).values()]
        public = [c["text"] for c in state["comments"].values() if c["page_author"]]
    return private + public


def notice_records(ban) -> int:
    """The ban's notice as an outgoing document (U) in the archive."""
    return ArchiveRecord.objects.filter(kind="journal_outbound", text=ban.notice_text).count()


def sweep_after(clock, capture, seconds: int) -> None:
    clock.shift(timedelta(seconds=seconds))
    with capture(execute=True):
        outbox.outbox_sweep(now=timezone.now())


def item_url(world, item) -> str:
    return reverse("inbox:detail", args=[world.municipality.slug, item.pk])


def unban_url(world, item) -> str:
    return reverse("moderation:unban", args=[world.municipality.slug, item.pk])


def ban_with_notice_retrying(world, capture, *, public: bool = False):
    """A ban done on the platform whose notice failed once and waits for its retry."""
    if public:
        public_notices(world.municipality)
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "comment" if public else "private_reply")  # transient
    with capture(execute=True):
        ban = author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert (ban.status, ban.notice_state) == (ActionStatus.DONE, "queued")
    notice = PlatformOp.objects.get(action=ban, kind__in=(OpKind.NOTICE, OpKind.PRIVATE_NOTICE))
    assert (notice.status, notice.attempts) == (OpStatus.PENDING, 1)
    assert blocked(world.channel) == [AUTHOR]
    return item, ban, notice


@pytest.mark.parametrize("public", [False, True], ids=["private", "public"])
def test_a_ban_whose_notice_waits_for_a_retry_is_lifted_and_the_notice_never_sent(
    world, clock, django_capture_on_commit_callbacks, public
):
    """MO-4: the lifting goes through at once; the notice waiting for its retry is
    cancelled, and no later sweep sends it."""
    capture = django_capture_on_commit_callbacks
    item, ban, notice = ban_with_notice_retrying(world, capture, public=public)

    with capture(execute=True):
        lifted = author_unban(actor=world.main_admin, item=item, justification=LIFTED)
    lifted.refresh_from_db()
    assert lifted.status == ActionStatus.DONE
    assert blocked(world.channel) == [] and ban_in_force(world.channel, AUTHOR) is None
    ban.refresh_from_db()
    notice.refresh_from_db()
    assert ban.notice_state == "cancelled"
    assert notice.status == OpStatus.CANCELLED
    assert "opphevet" in notice.last_error
    # The archive's note on the lifting says the notice was never sent.
    assert "blir ikke sendt" in lifted.archive_record.text

    sweep_after(clock, capture, 6 * 3600)  # long past every retry
    notice.refresh_from_db()
    assert notice.status == OpStatus.CANCELLED
    assert not any(ban.notice_text in said for said in notices_on_platform(world.channel))
    assert notice_records(ban) == 0
    assert blocked(world.channel) == []


def test_the_panel_offers_the_lifting_and_a_replayed_lifting_acts_once(
    world, clock, django_capture_on_commit_callbacks
):
    """MO-1: lifting is offered while the notice waits, says the notice will not be
    sent, and the same form posted twice (a double click, Back + submit) lifts once."""
    capture = django_capture_on_commit_callbacks
    item, ban, _notice = ban_with_notice_retrying(world, capture)
    client = client_for(world.main_admin)
    html = client.get(item_url(world, item)).content.decode()
    assert 'id="mod-ban-running"' not in html
    assert 'id="mod-ban-notice-unsent"' in html
    assert unban_url(world, item) in html and 'id="mod_unban_justification"' in html

    form = {"justification": LIFTED, "intent_key": new_intent_key()}
    with capture(execute=True):
        first = client.post(unban_url(world, item), form)
    with capture(execute=True):
        again = client.post(unban_url(world, item), form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert ModerationAction.objects.filter(kind="unban").count() == 1
    assert PlatformOp.objects.filter(kind=OpKind.UNBLOCK).count() == 1
    assert ModerationAction.objects.get(kind="unban").status == ActionStatus.DONE
    ban.refresh_from_db()
    assert ban.notice_state == "cancelled" and blocked(world.channel) == []

    page = client.get(item_url(world, item)).content.decode()
    assert "Utestengingen er opphevet." in page  # the message of the (first) post
    assert "ikke sendt – utestengingen ble opphevet" in page  # the ban's notice, in history
    assert 'id="mod_ban_justification"' in page  # may be banned again
    sweep_after(clock, capture, 6 * 3600)
    assert not any(ban.notice_text in said for said in notices_on_platform(world.channel))


def test_the_lifting_is_404_for_an_outsider(world, clock, django_capture_on_commit_callbacks):
    item, ban, notice = ban_with_notice_retrying(world, django_capture_on_commit_callbacks)
    form = {"justification": LIFTED, "intent_key": new_intent_key()}
    response = client_for(world.p.outsider).post(unban_url(world, item), form)
    assert response.status_code == 404
    assert not ModerationAction.objects.filter(kind="unban").exists()
    notice.refresh_from_db()
    assert notice.status == OpStatus.PENDING


def test_a_notice_already_sent_stays_in_the_record(
    world, clock, django_capture_on_commit_callbacks
):
    """MO-4: the person was told; lifting the ban changes nothing of that."""
    capture = django_capture_on_commit_callbacks
    item = citizen_comment(world.channel, SPAM)
    with capture(execute=True):
        ban = author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert ban.notice_state == "sent" and notice_records(ban) == 1
    with capture(execute=True):
        lifted = author_unban(actor=world.main_admin, item=item, justification=LIFTED)
    ban.refresh_from_db()
    assert ban.notice_state == "sent" and notice_records(ban) == 1
    assert "blir ikke sendt" not in lifted.archive_record.text


def test_a_failed_notice_is_not_sent_after_the_ban_is_lifted(
    world, clock, django_capture_on_commit_callbacks
):
    """MO-4: a notice that failed for good no longer asks to be followed up once the
    ban is lifted, and cannot be sent again."""
    capture = django_capture_on_commit_callbacks
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)
    with capture(execute=True):
        ban = author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert ban.notice_state == "failed"
    with capture(execute=True):
        author_unban(actor=world.main_admin, item=item, justification=LIFTED)
    ban.refresh_from_db()
    assert ban.notice_state == "cancelled"
    with pytest.raises(Conflict), capture(execute=True):
        notice_followup.notice_retry(actor=world.main_admin, action=ban, private=False)
    html = client_for(world.main_admin).get(item_url(world, item)).content.decode()
    assert f'id="notice-failed-{ban.pk}"' not in html
    assert not any(ban.notice_text in said for said in notices_on_platform(world.channel))


def test_a_notice_being_sent_right_now_holds_the_lifting_for_that_moment(
    world, clock, django_capture_on_commit_callbacks
):
    """MO-4: a notice a worker has in hand cannot be called back; the lifting is refused
    for that moment, with nothing changed, and goes through once the try is over —
    and a retry of that notice is then never made."""
    capture = django_capture_on_commit_callbacks
    item, ban, notice = ban_with_notice_retrying(world, capture)
    clock.shift(timedelta(seconds=31))
    claimed = outbox.claim(notice.pk, now=timezone.now(), worker="w1")
    assert claimed is not None
    with pytest.raises(Conflict) as refused:
        author_unban(actor=world.main_admin, item=item, justification=LIFTED)
    assert refused.value.code == "notice_sending"
    assert not ModerationAction.objects.filter(kind="unban").exists()
    ban.refresh_from_db()
    assert ban.notice_state == "queued" and blocked(world.channel) == [AUTHOR]

    # The try fails again (a timeout): the notice would wait for another retry.
    op, token, attempt = claimed
    failure = ConnectorError("Tidsavbrudd.", permanent=False)
    assert outbox.record_failure(op, token, attempt, failure, now=timezone.now()) == "pending"
    with capture(execute=True):
        author_unban(actor=world.main_admin, item=item, justification=LIFTED)
    notice.refresh_from_db()
    ban.refresh_from_db()
    assert notice.status == OpStatus.CANCELLED and ban.notice_state == "cancelled"
    sweep_after(clock, capture, 6 * 3600)
    assert not any(ban.notice_text in said for said in notices_on_platform(world.channel))
    assert blocked(world.channel) == []
