"""A reply held for the crisis leader leaves its item waiting (PU-12, DI-1).

Before, the reply was stored as waiting for the crisis leader while the item was
already "answered" and its clocks stamped «i tide» when the reply was written: it left
the work list and every overdue count though the citizen had no answer. Now the item
moves when the crisis leader lets the reply go, and a rejected reply leaves it open."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from ordstyrer.inbox.models import ItemStatus, ReplyStatus
from ordstyrer.inbox.selectors import overdue_counts
from tests.factories import CrisisReplies
from tests.inbox.conftest import LATER, TUESDAY

pytestmark = pytest.mark.django_db

TEXT = "Svømmehallen åpner mandag kl. 07."


@pytest.fixture
def replies(world) -> CrisisReplies:
    """Replies written at LATER; the crisis declared at TUESDAY."""
    return CrisisReplies(world, text=TEXT, declared_at=TUESDAY, sent_at=LATER)


@pytest.fixture
def crisis(replies):
    return replies.declare()


def test_a_held_reply_leaves_the_item_waiting_until_approved_late(
    world, item, fake_platform, replies, crisis, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: held, the item stays open and its clock runs (overdue past the
    deadline); approved after the deadline, it is answered then, and late."""
    reply = replies.send(item)
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL and fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW and item.open
    assert item.first_responded_at is None and item.first_response_in_time is None
    assert item.resolved_at is None

    late = item.resolution_due + timedelta(days=2)
    with time_machine.travel(late, tick=False):
        assert overdue_counts([world.channel.pk]) == {world.channel.pk: 1}
        with django_capture_on_commit_callbacks(execute=True):
            replies.approve(reply, now=late)
        assert overdue_counts([world.channel.pk]) == {}
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and fake_platform.sent == [("c1", TEXT)]
    assert item.status == ItemStatus.ANSWERED and not item.open
    assert item.first_responded_at == late
    assert item.first_response_in_time is False and item.resolution_in_time is False


def test_a_rejected_held_reply_leaves_the_item_open(
    world, item, fake_platform, replies, crisis, django_capture_on_commit_callbacks
):
    """PU-12, DI-1: the crisis leader stops the reply; the item was never answered."""
    reply = replies.send(item)
    with (
        time_machine.travel(LATER + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies.reject(reply, reason="Vent på pressemeldingen.")
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.REJECTED and fake_platform.sent == []
    assert item.status == ItemStatus.NEW and item.open
    assert item.first_responded_at is None and item.first_response_in_time is None
