"""PU-12 at the reply's delivery: a reply that reaches the platform call while a crisis
requires approval for replies, without the crisis leader's approval in that crisis (it
was committed just after the declaration held the queue), waits for the crisis leader
instead of going out; the crisis leader and the deputies are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.crisis.services import crisis_approve, crisis_declare
from ordstyrer.inbox.models import Reply, ReplyStatus, SimulatedWorld
from ordstyrer.inbox.replies import reply_deliver
from ordstyrer.tenants.services import policy_update
from tests.crisis.conftest import LATER, TUESDAY, polled_item
from tests.inbox.conftest import make_world

pytestmark = pytest.mark.django_db

TEXT = "Takk for at du spør. Vannet er trygt å drikke, hilsen Sigrid."
WAITING = "Et svar venter på godkjenning fra kriseleder"


@pytest.fixture
def world(db):
    world = make_world("s18svar")
    world.channel.connector_config = {"seed": 7, "history_days": 1, "comments_per_day": 20}
    world.channel.save(update_fields=["connector_config"])
    return world


def on_the_page(world) -> bool:
    state = SimulatedWorld.objects.get(channel=world.channel).state
    return any(c.get("text") == TEXT for c in state["comments"].values())


def queued_after_the_hold(world) -> Reply:
    """A reply whose transaction committed just after the declaration's bulk hold: queued,
    held by no crisis."""
    return Reply.objects.create(
        item=polled_item(world),
        author=world.editor,
        text=TEXT,
        effect="answer",
        created_at=LATER,
        status=ReplyStatus.QUEUED,
        crisis=None,
    )


def test_a_reply_queued_after_the_hold_waits_for_the_crisis_leader_at_delivery(
    world, django_capture_on_commit_callbacks
):
    """PU-12: the delivery holds it; nothing reaches the platform; the leader is told."""
    crisis = crisis_declare(
        municipality=world.municipality, name="Flom", actor=world.p.crisis_leader, now=TUESDAY
    )
    reply = queued_after_the_hold(world)
    mail.outbox.clear()

    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = reply_deliver(reply_id=reply.pk, now=LATER)

    assert outcome == ReplyStatus.AWAITING_CRISIS_APPROVAL
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL and reply.crisis == crisis
    assert reply.platform_id == "" and reply.attempts == 0
    assert not on_the_page(world)
    told = [m for m in mail.outbox if m.subject == WAITING]
    assert [m.to for m in told] == [[world.p.crisis_leader.email]]

    # Approved by the crisis leader, it goes out once, not held again by the delivery.
    with (
        time_machine.travel(LATER + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        crisis_approve(
            municipality=world.municipality,
            kind="reply",
            object_id=reply.pk,
            actor=world.p.crisis_leader,
        )
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and on_the_page(world)
    kinds = set(crisis.log_entries.values_list("kind", flat=True))
    assert {"reply_approved", "reply_sent"} <= kinds


def test_where_replies_go_through_in_a_crisis_the_delivery_sends_it(
    world, django_capture_on_commit_callbacks
):
    """The supported override (`approve_replies = false`): no hold at delivery either."""
    policy_update(
        actor=world.p.chief_administrator,  # PU-12 is the rådmann's
        municipality=world.municipality,
        overrides={"PU-12": {"approve_replies": False}},
        reason="Svar går ut under krise.",
    )
    crisis_declare(
        municipality=world.municipality, name="Flom", actor=world.p.crisis_leader, now=TUESDAY
    )
    reply = queued_after_the_hold(world)
    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reply_deliver(reply_id=reply.pk, now=LATER) == ReplyStatus.SENT
    assert on_the_page(world)
