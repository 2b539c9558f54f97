"""S20 review of crisis mode (PU-12, MO-4): what the review found, each fixed.

1. Notices to authors held for the crisis leader were on no page but their own: the crisis
   page, the end's confirmation and the start page now count and link them.
2. The delete confirmations promised a private message where the crisis makes the notice
   public (the deletion does not wait for the crisis leader; a private reply needs the
   comment): they now show the public notice, and that it waits.
5. A notice whose worker died before the declaration was taken over by the outbox after
   it and sent without approval: held too.
6. A held reply approved after a later reply had answered its item went out as a second
   answer: refused, on the confirmation already.
7. Replies held at the declaration were not mailed to the crisis leader: now they are.
8. A post the platform's scheduler published just before the declaration was logged in the
   crisis, at the sweep's time: now by its publish time, and not in a crisis declared
   after it went out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ordstyrer.core.errors import Conflict
from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_approve, crisis_declare, crisis_end
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.replies import reply_crisis_approve, reply_send
from ordstyrer.moderation import outbox
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.crisis_notices import notice_crisis_approve
from ordstyrer.moderation.models import (
    AttemptOutcome,
    NoticeState,
    NoticeVia,
    OpAttempt,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.preview import approval_preview, removal_preview
from ordstyrer.moderation.services import comment_delete, deletion_approve
from tests.crisis.conftest import LATER
from tests.inbox.conftest import TUESDAY, FakeReplier, comment, ingest
from tests.moderation.conftest import T0, citizen_comment, client_for, public_notices
from tests.moderation.conftest import make_world as make_moderation_world

pytestmark = pytest.mark.django_db

RUMOUR = "Jeg har hørt at rektor på skolen er tatt for underslag, det vet alle."
WHY = "Rykte om en navngitt person, uten grunnlag."
PUBLIC = "Denne beskjeden sendes som en offentlig kommentar på innlegget"
PRIVATE = "Denne beskjeden sendes som en privat melding til forfatteren"
WAITS = "beskjeden sendes først når kriselederen har godkjent den (PU-12)"


def words(response: Any) -> str:
    """A page's words without its tags, whitespace folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mod(db, clock) -> Any:
    """A moderated channel under Birkenes (the crisis leader approves all information)."""
    return make_moderation_world("s20-krmod", preset="birkenes")


def declare(world: Any) -> Any:
    return crisis_declare(
        municipality=world.municipality, name="Flom i sentrum", actor=world.p.crisis_leader
    )


def delete(world: Any, item: InboxItem, capture: Any) -> Any:
    with capture(execute=True):
        action = comment_delete(
            actor=world.admin, item=item, ground="rumour", justification=WHY, notify=True
        )
    action.refresh_from_db()
    return action


def said_on_page(world: Any, text: str) -> int:
    """The page's own comments reading `text` (a public notice, MO-4)."""
    from ordstyrer.inbox.platform import channel_connector

    with channel_connector(world.channel) as connector:
        return sum(
            1
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and c["text"] == text
        )


# --- 1: held notices are counted and linked -------------------------------------------------


def test_pu12_held_notices_are_on_the_crisis_page_the_end_confirmation_and_the_start_page(
    mod, django_capture_on_commit_callbacks
):
    """PU-12, MO-4: a notice held for the crisis leader is counted and linked on the
    crisis page (during the crisis and after it), on the end's confirmation, and on the
    crisis leader's start page — where, until now, only its e-mail pointed."""
    declare(mod)
    action = delete(mod, citizen_comment(mod.channel, RUMOUR), django_capture_on_commit_callbacks)
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    slug = mod.municipality.slug
    held_url = reverse("moderation:crisis_notices", args=[slug])
    leader = client_for(mod.p.crisis_leader)
    one = "1 beskjed til en forfatter om en sletting eller utestenging"

    crisis_page = leader.get(reverse("crisis:index", args=[slug]))
    assert held_url in crisis_page.content.decode()
    assert f"{one} venter på kriselederen (MO-4)" in words(crisis_page)
    assert "Ingenting venter på godkjenning." not in words(crisis_page)

    end = leader.get(reverse("crisis:end", args=[slug]))
    assert held_url in end.content.decode()
    assert f"{one} venter fortsatt på godkjenning" in words(end)

    start = leader.get(reverse("dashboard", args=[slug]))
    assert held_url in start.content.decode()
    assert "1 beskjed til en forfatter venter på godkjenning fra kriseleder" in words(start)
    # Not on the start page of someone who cannot approve it (the moderator is told on
    # the item's panel and the page of held notices).
    moderator_start = client_for(mod.admin).get(reverse("dashboard", args=[slug]))
    assert "venter på godkjenning fra kriseleder" not in words(moderator_start)

    # After the crisis it still waits, and is still pointed to.
    crisis_end(municipality=mod.municipality, actor=mod.p.crisis_leader)
    after = leader.get(reverse("crisis:index", args=[slug]))
    assert held_url in after.content.decode()
    assert held_url in leader.get(reverse("dashboard", args=[slug])).content.decode()

    # Approved, nothing points to it any more.
    with django_capture_on_commit_callbacks(execute=True):
        notice_crisis_approve(actor=mod.p.crisis_leader, action=action)
    done = leader.get(reverse("crisis:index", args=[slug]))
    assert held_url not in done.content.decode()
    assert "Ingenting venter på godkjenning." in words(done)
    assert held_url not in leader.get(reverse("dashboard", args=[slug])).content.decode()


def test_pu12_held_notices_of_another_municipality_are_not_counted(
    mod, django_capture_on_commit_callbacks
):
    """The count is the municipality's own; an outsider's crisis page is a 404."""
    declare(mod)
    delete(mod, citizen_comment(mod.channel, RUMOUR), django_capture_on_commit_callbacks)
    other = make_moderation_world("s20-krmod-b", preset="birkenes")
    page = client_for(other.p.crisis_leader).get(
        reverse("crisis:index", args=[other.municipality.slug])
    )
    assert "beskjed til en forfatter" not in words(page)
    outsider = client_for(mod.p.outsider)
    assert outsider.get(reverse("crisis:index", args=[mod.municipality.slug])).status_code == 404


# --- 2: the delete confirmations show the public notice a crisis makes -----------------------


def test_pu12_mo4_the_delete_confirmation_shows_the_public_notice_the_crisis_will_send(
    mod, django_capture_on_commit_callbacks
):
    """MO-4 with «privat melding» (the default) during a crisis that holds notices: the
    confirmation shows the public notice, without the name, and that it waits for the
    crisis leader — what the deletion then queues, word for word."""
    assert settings_for(mod.municipality).notice_delivery == NoticeVia.PRIVATE_REPLY
    item = citizen_comment(mod.channel, RUMOUR)
    calm = removal_preview(
        actor=mod.admin, item=item, kind="delete", ground="rumour", justification=WHY
    )
    assert calm.notice_private and not calm.notice_waits_for_crisis
    declare(mod)

    shown = removal_preview(
        actor=mod.admin, item=item, kind="delete", ground="rumour", justification=WHY
    )
    assert not shown.notice_private
    assert shown.notice_waits_for_crisis and shown.notice_public_in_crisis
    assert "Ola" not in shown.notice_text
    page = client_for(mod.admin).post(
        reverse("moderation:delete", args=[mod.municipality.slug, item.pk]),
        {"ground": "rumour", "justification": WHY, "notify": "on"},
    )
    assert page.status_code == 200
    assert PUBLIC in words(page) and PRIVATE not in words(page)
    assert WAITS in words(page)
    assert "Den sendes ikke som privat melding" in words(page)

    action = delete(mod, item, django_capture_on_commit_callbacks)
    assert action.notice_via == NoticeVia.PUBLIC_REPLY
    assert action.notice_text == shown.notice_text
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL


def test_pu12_mo4_a_ban_notice_stays_private_and_says_it_waits(mod):
    """A ban's private notice needs no deleted comment: it stays private in a crisis, and
    the confirmation says it waits for the crisis leader."""
    item = citizen_comment(mod.channel, RUMOUR)
    declare(mod)
    shown = removal_preview(
        actor=mod.admin, item=item, kind="ban", ground="rumour", justification=WHY
    )
    assert shown.notice_private and shown.notice_waits_for_crisis
    assert not shown.notice_public_in_crisis


def test_pu12_mo4_the_second_approvers_page_shows_the_public_notice_too(
    mod, django_capture_on_commit_callbacks
):
    """Asked for before the crisis (a private message then), approved during it: the
    second approver's page shows the public notice the approval will queue, and that it
    waits for the crisis leader."""
    settings = settings_for(mod.municipality)
    settings.second_approver = True
    settings.save()
    item = citizen_comment(mod.channel, RUMOUR)
    asked = delete(mod, item, django_capture_on_commit_callbacks)
    assert asked.notice_via == NoticeVia.PRIVATE_REPLY and "Ola" in asked.notice_text
    declare(mod)

    shown = approval_preview(actor=mod.main_admin, action=asked)
    assert not shown.notice_private and shown.notice_public_in_crisis
    assert shown.notice_waits_for_crisis and "Ola" not in shown.notice_text
    page = client_for(mod.main_admin).get(
        reverse("moderation:approve", args=[mod.municipality.slug, asked.pk])
    )
    assert page.status_code == 200
    assert PUBLIC in words(page) and PRIVATE not in words(page) and WAITS in words(page)

    with django_capture_on_commit_callbacks(execute=True):
        deletion_approve(actor=mod.main_admin, action=asked)
    asked.refresh_from_db()
    assert asked.notice_via == NoticeVia.PUBLIC_REPLY
    assert asked.notice_text == shown.notice_text
    assert asked.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL


# --- 5: a notice whose worker died is held, not sent --------------------------------------------


class WorkerDied(Exception):
    """The process stops here (as a SIGKILL would); the lease is left to run out."""


@pytest.mark.parametrize("died", ["before_the_call", "after_the_call"])
def test_pu12_a_notice_whose_worker_died_before_the_crisis_is_held_after_it(
    mod, clock, monkeypatch, django_capture_on_commit_callbacks, died
):
    """PU-12, MO-4: the notice's worker died (its op `running`, the lease running out);
    a crisis is declared; the outbox would take the op over and post it unapproved. It
    is held instead (compare-and-set on status and lease), the dead attempt closed as
    abandoned; approved, it goes out once — also where the dead worker had got it out."""
    public_notices(mod.municipality)
    item = citizen_comment(mod.channel, RUMOUR)
    stage = outbox.perform if died == "before_the_call" else outbox.record_success
    name = "perform" if died == "before_the_call" else "record_success"

    def dies(op: Any, *args: Any, **kwargs: Any) -> Any:
        if op.kind == OpKind.NOTICE:
            raise WorkerDied(name)
        return stage(op, *args, **kwargs)

    monkeypatch.setattr(outbox, name, dies)
    # The task dies (the immediate task backend records it failed and goes on).
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(actor=mod.admin, item=item, ground="rumour", justification=WHY)
    monkeypatch.setattr(outbox, name, stage)
    notice = PlatformOp.objects.get(kind=OpKind.NOTICE)
    assert notice.status == OpStatus.RUNNING
    text = notice.text
    sent_by_the_dead = said_on_page(mod, text)
    assert sent_by_the_dead == (1 if died == "after_the_call" else 0)

    clock.shift(outbox.LEASE + timedelta(minutes=1))
    declare(mod)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_sweep(now=timezone.now())

    notice.refresh_from_db()
    assert notice.status == OpStatus.HELD and notice.claim_token == ""
    assert said_on_page(mod, text) == sent_by_the_dead  # nothing (more) said unapproved
    action = notice.action
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    assert not OpAttempt.objects.filter(op=notice, finished_at__isnull=True).exists()
    assert OpAttempt.objects.filter(op=notice, outcome=AttemptOutcome.ABANDONED).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        notice_crisis_approve(actor=mod.p.crisis_leader, action=action)
    notice.refresh_from_db()
    action.refresh_from_db()
    assert notice.status == OpStatus.DONE and action.notice_state == NoticeState.SENT
    assert said_on_page(mod, text) == 1  # once, whoever posted it


def test_pu12_a_live_running_notice_is_left_to_its_worker(mod, django_capture_on_commit_callbacks):
    """A running notice whose lease has not run out is another worker's: not held."""
    from ordstyrer.moderation.crisis_notices import hold_if_needed

    public_notices(mod.municipality)
    item = citizen_comment(mod.channel, RUMOUR)
    with django_capture_on_commit_callbacks(execute=False):
        comment_delete(actor=mod.admin, item=item, ground="rumour", justification=WHY)
    capture = PlatformOp.objects.get(kind=OpKind.CAPTURE)
    with django_capture_on_commit_callbacks(execute=False):
        outbox.op_run(op_id=capture.pk)
    delete_op = PlatformOp.objects.get(kind=OpKind.DELETE)
    with django_capture_on_commit_callbacks(execute=False):
        outbox.op_run(op_id=delete_op.pk)
    notice = PlatformOp.objects.get(kind=OpKind.NOTICE)
    claimed = outbox.claim(notice.pk, now=timezone.now(), worker="levende")
    assert claimed is not None
    declare(mod)
    assert hold_if_needed(notice.pk, now=timezone.now()) is False
    notice.refresh_from_db()
    assert notice.status == OpStatus.RUNNING and notice.claim_token == claimed[1]


# --- 6, 7: replies held at the declaration ---------------------------------------------------

REPLY = "Takk for at du spør. Vannet er trygt å drikke, hilsen Sigrid."
LATER_REPLY = "Vannverket melder at vannet er trygt igjen, hilsen Sigrid."


@pytest.fixture
def question(world) -> InboxItem:
    item = ingest(world.channel, comment("c1", created=TUESDAY))
    assert item is not None
    return item


@pytest.fixture
def platform(monkeypatch) -> FakeReplier:
    fake = FakeReplier()

    @contextmanager
    def opener(channel: Any, *, now: Any = None) -> Iterator[FakeReplier]:
        yield fake

    monkeypatch.setattr("ordstyrer.inbox.platform.channel_connector", opener)
    return fake


def test_pu12_a_reply_held_at_the_declaration_is_mailed_to_the_crisis_leader(
    world, question, platform, django_capture_on_commit_callbacks
):
    """PU-12: as for a reply written during the crisis, the crisis leader is told by
    e-mail of a reply the declaration held, with a link to the queue."""
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=False):
        reply = reply_send(actor=world.editor, item=question, text=REPLY)
    mail.outbox.clear()
    with time_machine.travel(LATER + timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            crisis = crisis_declare(
                municipality=world.municipality, name="Flom", actor=world.p.communications
            )
    assert crisis.held_replies_count == 1
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    to_leader = [m for m in mail.outbox if world.p.crisis_leader.email in m.to]
    assert [m.subject for m in to_leader] == ["Et svar venter på godkjenning fra kriseleder"]
    assert reverse("crisis:index", args=[world.municipality.slug]) in to_leader[0].body
    assert platform.sent == []


def test_pu12_a_held_reply_is_not_sent_after_a_later_answer_went_out(
    world, question, platform, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: a reply held in the crisis; after it, the item is answered by a new
    reply. Approving the held one now would send the municipality's second answer: it
    is refused — on the confirmation already, and by the service — and can be rejected."""
    slug = world.municipality.slug
    with time_machine.travel(LATER, tick=False):
        crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
        with django_capture_on_commit_callbacks(execute=True):
            held = reply_send(actor=world.editor, item=question, text=REPLY)
        assert held.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
        crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    with time_machine.travel(LATER + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            answer = reply_send(actor=world.editor, item=question, text=LATER_REPLY)
    answer.refresh_from_db()
    assert answer.status == ReplyStatus.SENT
    assert platform.sent == [("c1", LATER_REPLY)]

    leader = client_for(world.p.crisis_leader)
    decide = reverse("crisis:decide", args=[slug, "reply", held.pk])
    with time_machine.travel(LATER + timedelta(hours=2), tick=False):
        confirmation = leader.get(decide + "?action=approve", follow=True)
        assert "et senere svar på samme henvendelse ble sendt" in words(confirmation)
        assert 'name="confirm"' not in confirmation.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            leader.post(decide, {"action": "approve", "confirm": "yes"})
        with pytest.raises(Conflict, match="senere svar"):
            reply_crisis_approve(reply_id=held.pk, actor=world.p.crisis_leader)
        with pytest.raises(Conflict, match="senere svar"):
            crisis_approve(
                municipality=world.municipality,
                kind="reply",
                object_id=held.pk,
                actor=world.p.crisis_leader,
            )
    held.refresh_from_db()
    assert held.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    assert platform.sent == [("c1", LATER_REPLY)]


def test_pu12_a_held_reply_is_not_sent_while_a_later_answer_is_on_its_way(
    world, question, platform, django_capture_on_commit_callbacks
):
    """The later reply is queued, not yet delivered: the same refusal, said so."""
    with time_machine.travel(LATER, tick=False):
        crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
        with django_capture_on_commit_callbacks(execute=True):
            held = reply_send(actor=world.editor, item=question, text=REPLY)
        crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
        with django_capture_on_commit_callbacks(execute=False):
            reply_send(actor=world.editor, item=question, text=LATER_REPLY)
        with pytest.raises(Conflict, match="er på vei ut"):
            reply_crisis_approve(reply_id=held.pk, actor=world.p.crisis_leader)
    assert platform.sent == []


def test_pu12_an_earlier_answer_does_not_stop_a_held_reply(
    world, question, platform, django_capture_on_commit_callbacks
):
    """Only a later answer stops it: a reply sent before the held one was written is
    what the held reply follows up on."""
    with time_machine.travel(LATER, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reply_send(actor=world.editor, item=question, text=LATER_REPLY, effect="acknowledge")
        crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
        with django_capture_on_commit_callbacks(execute=True):
            held = reply_send(actor=world.editor, item=question, text=REPLY)
        with django_capture_on_commit_callbacks(execute=True):
            reply_crisis_approve(reply_id=held.pk, actor=world.p.crisis_leader)
    held.refresh_from_db()
    assert held.status == ReplyStatus.SENT
    assert platform.sent == [("c1", LATER_REPLY), ("c1", REPLY)]


# --- 8: a post the platform's scheduler published before the declaration ---------------------


def test_pu12_a_native_post_out_before_the_declaration_is_not_in_the_crisis_log(db):
    """PU-12: the copy went out from the platform's own scheduler seconds before the
    crisis was declared; the sweep confirms it after. It went out before the crisis: not
    in its log (the post is not the crisis leader's to answer for)."""
    from ordstyrer.publishing import delivery
    from ordstyrer.publishing.models import DeliveryStatus
    from ordstyrer.publishing.services import post_publish
    from tests.publishing.conftest import make_world as make_publishing_world
    from tests.publishing.test_s16_crisis_delivery import _due_soon, _post

    w = make_publishing_world("s20-native")
    now = timezone.now()
    at, moment = _due_soon(now)
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page], publish_at=at).pk, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED

    crisis = crisis_declare(
        municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=moment
    )
    assert delivery.confirm_native(now=moment + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert not CrisisLogEntry.objects.filter(crisis=crisis, kind="post_published").exists()


def test_pu12_a_native_post_out_during_the_crisis_is_logged_at_its_publish_time(db):
    """PU-12: a post the crisis leader approved goes out from the platform's scheduler
    during the crisis; the sweep sees it hours later. Its line in the crisis log says
    when it went out, not when the sweep looked."""
    from ordstyrer.publishing import delivery, services
    from ordstyrer.publishing.models import DeliveryStatus, PostStatus
    from ordstyrer.publishing.services import post_publish
    from tests.publishing.conftest import make_world as make_publishing_world
    from tests.publishing.test_s16_crisis_delivery import _due_soon, _post

    w = make_publishing_world("s20-native2")
    now = timezone.now()
    crisis = crisis_declare(
        municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=now
    )
    at, _moment = _due_soon(now)
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page], publish_at=at).pk, now=now)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    services.post_crisis_approve(actor=w.p.crisis_leader, post_id=post.pk, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED

    sweep = at + timedelta(hours=3)
    assert delivery.confirm_native(now=sweep) == 1
    (line,) = CrisisLogEntry.objects.filter(crisis=crisis, kind="post_published")
    assert line.created_at == at
