"""Replies closed because the comment above them was deleted keep the figures they had
(DI-1, MO-2).

A reply that had its first response (an acknowledgement) before the municipality
deleted the comment it is under keeps that response's figures; the close itself is no
answer, so no resolution time is stamped, and the reply has no deadline left. The inbox's
transition decides this (`inbox.transitions.NOT_AN_ANSWER`), not a restore afterwards.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.services import item_set_status
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import T0, citizen_comment

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
QUESTION = "Hei kommunen! Når kommer det nye tider for bussen til skolen?"
KARI = ("sim-user-777", "Kari Hansen")


def test_di1_a_reply_acknowledged_before_the_deletion_keeps_its_first_response(world, run):
    """DI-1: acknowledged after 30 minutes (in time), then its comment is deleted two days
    later: the first response stays «in time, 30 min»; the close stamps no resolution
    (it would be «late» two days on) and leaves no deadline."""
    root = citizen_comment(world.channel, SPAM)
    reply = citizen_comment(world.channel, QUESTION, author=KARI, parent=root)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.editor, item=reply, action="acknowledge")
    reply.refresh_from_db()
    assert reply.open and reply.first_response_in_time is True

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        action = run(comment_delete, actor=world.admin, item=root, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    reply = InboxItem.objects.get(pk=reply.pk)
    assert not reply.open and reply.close_reason == CloseReason.PARENT_REMOVED
    assert reply.first_response_in_time is True
    assert reply.first_response_seconds == 30 * 60
    assert reply.resolution_in_time is None and reply.resolution_seconds is None
    deadlines = (reply.first_response_due, reply.resolution_due, reply.due_at, reply.warn_at)
    assert deadlines == (None, None, None, None)
