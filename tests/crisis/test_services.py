"""Crisis mode through its services (PU-12): declare, a reply waits for the crisis
leader, approval sends it to the simulated page, rejection restores the item, end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.models import Crisis, CrisisLogEntry
from ordstyrer.crisis.selectors import active_crisis, crisis_deputies
from ordstyrer.crisis.services import (
    crisis_approve,
    crisis_deputy_add,
    crisis_deputy_remove,
    crisis_end,
)
from ordstyrer.inbox.models import Reply, ReplyStatus, SimulatedWorld
from ordstyrer.tenants.services import policy_update
from tests.crisis.conftest import LATER, TUESDAY
from tests.factories import CrisisReplies

pytestmark = pytest.mark.django_db

TEXT = "Takk for at du spør. Vannet er trygt å drikke, hilsen Sigrid."


@pytest.fixture
def replies(world) -> CrisisReplies:
    """Replies written at LATER; the crisis «Flom i Elvdalen» declared at TUESDAY."""
    return CrisisReplies(
        world, text=TEXT, declared_at=TUESDAY, sent_at=LATER, name="Flom i Elvdalen"
    )


def on_the_page(world, text=TEXT) -> bool:
    state = SimulatedWorld.objects.get(channel=world.channel).state
    return any(c.get("text") == text for c in state["comments"].values())


def log_kinds(crisis) -> list[str]:
    return list(crisis.log_entries.order_by("created_at", "pk").values_list("kind", flat=True))


def test_declared_reply_waits_approved_sent_then_ended(
    world, item, replies, django_capture_on_commit_callbacks
):
    crisis = replies.declare()
    assert active_crisis(municipality=world.municipality) == crisis
    assert AuditEntry.objects.filter(action="crisis_declared", actor=world.p.crisis_leader).exists()

    reply = replies.send(item)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL  # PU-12
    assert reply.crisis == crisis and reply.platform_id == ""
    assert not on_the_page(world)

    approved_at = LATER + timedelta(minutes=5)
    with (
        time_machine.travel(approved_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies.approve(reply)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.platform_id.startswith("sim-comment-")
    assert reply.crisis_decided_by == world.p.crisis_leader
    assert on_the_page(world)

    # A replayed approval (double click) sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        replies.approve(reply)
    assert Reply.objects.get(pk=reply.pk).attempts == 1

    ended = crisis_end(
        municipality=world.municipality, actor=world.p.communications, now=TUESDAY + timedelta(1)
    )
    assert ended.ended_by == world.p.communications
    assert active_crisis(municipality=world.municipality) is None
    assert log_kinds(crisis) == ["declared", "reply_approved", "reply_sent", "ended"]
    sent = crisis.log_entries.get(kind="reply_sent")
    assert sent.text == TEXT and sent.channel == world.channel and sent.object_id == str(reply.pk)

    # After the crisis a reply goes out at once again.
    other = replies.send(item, text="Vi følger opp, Sigrid.")
    other.refresh_from_db()
    assert other.status == ReplyStatus.SENT and other.crisis is None


def test_rejected_reply_never_goes_out_and_the_item_is_restored(
    world, item, replies, django_capture_on_commit_callbacks
):
    world.editor.email = "sigrid@krby.kommune.no"
    world.editor.save()
    replies.declare()
    status_before = item.status
    reply = replies.send(item)
    item.refresh_from_db()
    # Held, the reply has not reached the citizen: the item waits (PU-12, DI-1).
    assert item.status == status_before and item.open

    with pytest.raises(ServiceError):
        replies.reject(reply, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        replies.reject(reply, reason="Vent på pressemeldingen kl. 12.")
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.REJECTED
    assert reply.crisis_reason == "Vent på pressemeldingen kl. 12."
    assert item.status == status_before and item.open
    assert not on_the_page(world)
    # The author hears why (the crisis leader was told earlier that it waited).
    to_author = [m for m in mail.outbox if m.to == ["sigrid@krby.kommune.no"]]
    assert len(to_author) == 1
    assert "Vent på pressemeldingen kl. 12." in to_author[0].body
    assert re.search(r"https?://[^/\s]+/m/", to_author[0].body)  # absolute link (#15)
    # Approving a rejected reply is refused; rejecting it again changes nothing.
    with pytest.raises(ServiceError):
        replies.approve(reply)
    replies.reject(reply, reason="Igjen")
    assert Reply.objects.get(pk=reply.pk).crisis_reason == "Vent på pressemeldingen kl. 12."


def test_only_the_crisis_leader_and_deputies_approve(
    world, item, replies, django_capture_on_commit_callbacks
):
    replies.declare(actor=world.p.communications)  # communications may declare
    reply = replies.send(item)
    kw = {"municipality": world.municipality, "kind": "reply", "object_id": reply.pk}
    for member in (world.p.employee, world.p.communications, world.editor):
        with pytest.raises(NotPermitted):
            crisis_approve(actor=member, **kw)
    with pytest.raises(NotFound):
        crisis_approve(actor=world.p.outsider, **kw)
    # The outsider's own municipality does not reach this reply either.
    outsider_home = world.p.outsider.role_assignments.first().municipality
    with pytest.raises(NotFound):
        crisis_approve(
            municipality=outsider_home,
            kind="reply",
            object_id=reply.pk,
            actor=world.p.outsider,
        )
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL

    crisis_deputy_add(
        municipality=world.municipality,
        user=world.p.chief_administrator,
        actor=world.p.crisis_leader,
    )
    with django_capture_on_commit_callbacks(execute=True):
        crisis_approve(actor=world.p.chief_administrator, **kw)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SENT


def test_declare_and_end_are_for_the_crisis_leader_and_communications(world, replies):
    for member in (world.p.employee, world.p.chief_administrator, world.editor):
        with pytest.raises(NotPermitted):
            replies.declare(actor=member)
    with pytest.raises(NotFound):
        replies.declare(actor=world.p.outsider)
    assert not Crisis.objects.exists()
    replies.declare()
    with pytest.raises(NotPermitted):
        crisis_end(municipality=world.municipality, actor=world.p.employee)
    with pytest.raises(NotFound):
        crisis_end(municipality=world.municipality, actor=world.p.outsider)
    assert active_crisis(municipality=world.municipality) is not None


def test_a_second_active_crisis_is_refused_in_norwegian(world, replies):
    replies.declare()
    with pytest.raises(ServiceError) as refused:
        replies.declare(actor=world.p.communications, name="Ras")
    assert refused.value.code == "conflict" and refused.value.rule == "PU-12"
    assert "allerede erklært en krise: «Flom i Elvdalen»" in str(refused.value)
    with pytest.raises(ServiceError):
        replies.declare(name="   ")
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    with pytest.raises(ServiceError) as none_active:
        crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    assert "Ingen krise" in str(none_active.value)
    assert replies.declare(name="Ras").name == "Ras"  # a new one after the first ended


def test_where_the_policy_lets_replies_through_they_go_out_but_are_logged(world, item, replies):
    policy_update(
        actor=world.p.chief_administrator,  # PU-12 is the rådmann's
        municipality=world.municipality,
        overrides={"PU-12": {"approve_replies": False}},
        reason="Svar går ut under krise.",
    )
    crisis = replies.declare()
    reply = replies.send(item)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert log_kinds(crisis) == ["declared", "reply_sent"]  # every outgoing word is logged


def test_deputies_are_members_named_by_the_crisis_leader(world):
    m = world.municipality
    with pytest.raises(NotPermitted):
        crisis_deputy_add(municipality=m, user=world.p.employee, actor=world.p.employee)
    with pytest.raises(NotPermitted):  # communications names nobody (test_s19_crisis_approvers)
        crisis_deputy_add(municipality=m, user=world.p.employee, actor=world.p.communications)
    with pytest.raises(ServiceError):
        crisis_deputy_add(municipality=m, user=world.p.outsider, actor=world.p.crisis_leader)
    crisis_deputy_add(municipality=m, user=world.p.employee, actor=world.p.crisis_leader)
    crisis_deputy_add(municipality=m, user=world.p.employee, actor=world.p.crisis_leader)
    assert [d.user for d in crisis_deputies(municipality=m)] == [world.p.employee]
    assert crisis_deputy_remove(municipality=m, user=world.p.employee, actor=world.p.crisis_leader)
    assert not crisis_deputy_remove(
        municipality=m, user=world.p.employee, actor=world.p.crisis_leader
    )
    assert not crisis_deputies(municipality=m).exists()
    assert CrisisLogEntry.objects.count() == 0  # no crisis active: nothing to log


def test_a_reply_still_queued_when_the_crisis_is_declared_waits_too(world, item, replies):
    # The reply is queued, its delivery not yet run (a platform hiccup: it will retry).
    reply = replies.send(item, delivered=False)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.QUEUED
    crisis = replies.declare()
    assert crisis.held_replies_count == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL and reply.crisis == crisis
    # The delivery task that was queued before the crisis now does nothing.
    from ordstyrer.inbox.replies import reply_deliver

    assert reply_deliver(reply_id=reply.pk) == ReplyStatus.AWAITING_CRISIS_APPROVAL
    assert not on_the_page(world)
