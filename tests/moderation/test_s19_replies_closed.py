"""Replies that were waiting under a comment the municipality deletes are closed (DI-1).

The platform takes a comment's replies with it when the comment is deleted, silently: no
"remove" event arrives for them. A reply that arrives after the deletion is closed on
arrival as «Svar under en fjernet kommentar» (`inbox.ingest`, f448934); one that arrived
before it kept its running answer deadline — a deadline it can only miss, in the overdue
counts, the digests and the report. Now the moderation outbox closes those replies with
the same system reason once the platform has confirmed the deletion, and records it in
their history. One that must itself be moderated stays open, as on arrival; a deletion
the platform refused leaves them open.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.inbox.models import CloseReason, InboxItem, ItemEvent, ItemStatus
from ordstyrer.inbox.reports import response_report
from ordstyrer.inbox.selectors import overdue_counts
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import T0, citizen_comment, fail_next

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
QUESTION = "Hei kommunen! Når kommer det nye tider for bussen til skolen?"
KARI = ("sim-user-777", "Kari Hansen")
PER = ("sim-user-778", "Per Olsen")
DAYS_LATER = T0 + timedelta(days=4)


def _waiting(item: InboxItem) -> InboxItem:
    item.refresh_from_db()
    assert item.open and item.listed and item.due_at is not None
    return item


def _report_items(world) -> int:
    with time_machine.travel(DAYS_LATER, tick=False):
        report = response_report(
            user=world.p.communications,
            municipality=world.municipality,
            since=date(2026, 5, 1),
            until=date(2026, 5, 31),
            now=DAYS_LATER,
        )
    return report.total.items


def test_a_reply_that_arrived_before_its_comment_was_deleted_is_closed_without_a_deadline(
    world, run
):
    """DI-1, MO-2: the reply is kept and listed, closed as «Svar under en fjernet
    kommentar», with no deadline, not overdue, not in the response-time report, and its
    history says why."""
    root = citizen_comment(world.channel, SPAM)
    reply = _waiting(citizen_comment(world.channel, QUESTION, author=KARI, parent=root))
    before = _report_items(world)

    action = run(comment_delete, actor=world.admin, item=root, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    reply.refresh_from_db()
    assert reply.listed and not reply.open
    assert reply.status == ItemStatus.CLOSED
    assert reply.close_reason == CloseReason.PARENT_REMOVED
    assert reply.text == QUESTION  # kept: nothing is lost
    assert reply.due_at is None and reply.first_response_due is None
    assert reply.resolution_due is None and reply.warn_at is None
    # No answer was given: no response time is stamped for it.
    assert reply.first_response_in_time is None and reply.first_response_seconds is None
    with time_machine.travel(DAYS_LATER, tick=False):
        assert overdue_counts([world.channel.pk]) == {}
    assert _report_items(world) == before - 1
    (closed,) = ItemEvent.objects.filter(item=reply, action="close")
    assert closed.actor is None and closed.data["close_reason"] == CloseReason.PARENT_REMOVED
    assert closed.data["action_id"] == action.pk and closed.text


def test_a_reply_that_must_be_moderated_itself_stays_open(world, run):
    """DI-1, MO-1, as on arrival: a reply the triage says must be moderated is still
    worked on like any comment."""
    root = citizen_comment(world.channel, SPAM)
    also_spam = citizen_comment(
        world.channel,
        "Tjen 9000 kr i uka!!! Klikk her: bit.ly/rask-gevinst",
        author=PER,
        parent=root,
    )
    also_spam.refresh_from_db()
    assert also_spam.open and also_spam.action in ("hide", "delete_allowed", "escalate")

    run(comment_delete, actor=world.admin, item=root, ground="spam", justification=WHY)

    also_spam.refresh_from_db()
    assert also_spam.open and also_spam.close_reason == ""


def test_a_failed_deletion_leaves_the_replies_open(world, run):
    """MO-2: the platform refused the deletion, so the comment and its replies are still
    there, and the reply still waits for its answer."""
    root = citizen_comment(world.channel, SPAM)
    reply = _waiting(citizen_comment(world.channel, QUESTION, author=KARI, parent=root))
    due = reply.due_at
    fail_next(
        world.channel,
        "delete_comment",
        code=ErrorCode.PERMISSION,
        permanent=True,
        message="Siden har ikke lov til å slette kommentaren.",
    )

    action = run(comment_delete, actor=world.admin, item=root, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    reply.refresh_from_db()
    assert reply.open and reply.close_reason == "" and reply.due_at == due
