"""A reply held when the crisis is declared leaves its item waiting (PU-12, DI-1).

A reply queued before the declaration but not yet delivered is held for the crisis
leader (`crisis_declare`). Before, its item stayed "answered" with its clocks stamped
«i tide» when the reply was written, though the citizen had no answer: out of the work
list and every overdue count, and never judged late however long the crisis leader
took. Now it waits as for a reply written during the crisis: back to unanswered, its
clocks stamped when the crisis leader approves; a rejection leaves it open."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine

from ordstyrer.crisis.models import Crisis
from ordstyrer.inbox.models import InboxItem, ItemStatus, Reply, ReplyStatus
from ordstyrer.inbox.replies import reply_deliver
from ordstyrer.inbox.selectors import overdue_counts
from ordstyrer.inbox.services import item_set_status
from tests.crisis.conftest import LATER
from tests.factories import CrisisReplies
from tests.inbox.conftest import TUESDAY, FakeReplier, comment, ingest

pytestmark = pytest.mark.django_db

TEXT = "Takk for at du spør. Vannet er trygt å drikke, hilsen Sigrid."
DECLARED = LATER + timedelta(minutes=1)


@pytest.fixture
def item(world) -> InboxItem:
    """A citizen's question written at TUESDAY, the only item on the channel."""
    item = ingest(world.channel, comment("c1", created=TUESDAY))
    assert item is not None
    return item


@pytest.fixture
def platform(monkeypatch) -> FakeReplier:
    fake = FakeReplier()

    @contextmanager
    def opener(channel, *, now=None):
        yield fake

    monkeypatch.setattr("ordstyrer.inbox.platform.channel_connector", opener)
    return fake


@pytest.fixture
def replies(world) -> CrisisReplies:
    """Replies written at LATER; the crisis declared at DECLARED."""
    return CrisisReplies(world, text=TEXT, declared_at=DECLARED, sent_at=LATER)


def queued(replies: CrisisReplies, item, effect: str = "answer") -> Reply:
    """A reply written before the crisis, its delivery not run yet: it moved the item."""
    reply = replies.send(item, effect=effect, delivered=False)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.QUEUED
    return reply


def assert_waiting(item: InboxItem, status_before: str) -> None:
    item.refresh_from_db()
    assert item.status == status_before and item.open
    assert item.first_responded_at is None and item.first_response_in_time is None
    assert item.resolved_at is None and item.resolution_in_time is None


def test_a_reply_held_at_the_declaration_leaves_its_item_waiting_until_approved_late(
    world, item, platform, replies, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: held at the declaration, the item is unanswered again and counted
    open (overdue past its deadline); approved after the deadline, it is answered then,
    and late."""
    status_before = item.status
    reply = queued(replies, item)
    item.refresh_from_db()
    # Moved when written, before the crisis: answered «i tide».
    assert item.status == ItemStatus.ANSWERED and item.first_response_in_time is True

    crisis = replies.declare()

    assert crisis.held_replies_count == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL and reply.crisis == crisis
    assert_waiting(item, status_before)

    late = item.resolution_due + timedelta(days=2)
    with time_machine.travel(late, tick=False):
        assert overdue_counts([world.channel.pk]) == {world.channel.pk: 1}
        with django_capture_on_commit_callbacks(execute=True):
            replies.approve(reply, now=late)
        assert overdue_counts([world.channel.pk]) == {}
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and platform.sent == [("c1", TEXT)]
    assert item.status == ItemStatus.ANSWERED and not item.open
    assert item.first_responded_at == late and item.resolved_at == late
    assert item.first_response_in_time is False and item.resolution_in_time is False


def test_a_rejected_reply_held_at_the_declaration_leaves_its_item_open(
    world, item, replies, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: the crisis leader stops the held reply; the citizen was never
    answered, so the item stays open with no first response."""
    status_before = item.status
    reply = queued(replies, item)
    replies.declare()
    with (
        time_machine.travel(DECLARED + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies.reject(reply, reason="Vent på pressemeldingen.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.REJECTED
    assert_waiting(item, status_before)


def test_an_item_closed_meanwhile_stays_closed_and_is_not_moved_twice(
    world, item, platform, replies, django_capture_on_commit_callbacks
):
    """PU-12: an item closed for another reason after the reply moved it stays closed
    when the reply is held, and the approval does not move it again."""
    reply = queued(replies, item, effect="acknowledge")
    with time_machine.travel(LATER + timedelta(seconds=30), tick=False):
        item_set_status(actor=world.editor, item=item, action="close", close_reason="duplicate")
    item.refresh_from_db()
    closed = (item.status, item.first_responded_at, item.first_response_in_time)
    assert item.status == ItemStatus.CLOSED

    replies.declare()
    item.refresh_from_db()
    assert (item.status, item.first_responded_at, item.first_response_in_time) == closed

    with (
        time_machine.travel(DECLARED + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies.approve(reply)
    item.refresh_from_db()
    assert (item.status, item.first_responded_at, item.first_response_in_time) == closed
    assert platform.sent == [("c1", TEXT)]


def test_a_reply_held_at_its_delivery_leaves_its_item_waiting_too(
    world, item, replies, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: a reply the declaration's hold missed (committed just after it) is
    held at its delivery; its item goes back to waiting the same way."""
    status_before = item.status
    reply = queued(replies, item)
    # Declared while the reply's transaction was still open: the hold did not see it.
    Crisis.objects.create(
        municipality=world.municipality,
        name="Flom",
        declared_at=DECLARED,
        declared_by=world.p.crisis_leader,
    )
    with (
        time_machine.travel(DECLARED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert (
            reply_deliver(reply_id=reply.pk, now=DECLARED) == ReplyStatus.AWAITING_CRISIS_APPROVAL
        )
    assert_waiting(item, status_before)


def test_a_reply_being_sent_at_the_declaration_keeps_its_item_answered(world, item, replies):
    """DI-1: a reply a delivery is sending right now (its live claim) may get out; its
    item stays answered rather than open with an answer on the platform."""
    reply = queued(replies, item)
    Reply.objects.filter(pk=reply.pk).update(
        attempts=1, next_attempt_at=DECLARED + timedelta(minutes=4)
    )
    replies.declare()
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED and not item.open
    assert item.first_responded_at == LATER and item.first_response_in_time is True
    assert Reply.objects.get(pk=reply.pk).previous  # a failed attempt puts the item back
