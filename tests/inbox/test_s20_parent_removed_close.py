"""A close because the comment above is gone answers nobody (DI-1).

When the municipality deletes a comment, the platform takes the replies under it with
it, and the moderation outbox closes the replies that waited there with the system's
reason «Svar under en fjernet kommentar» (`CloseReason.PARENT_REMOVED`). The inbox's own
transition now knows that such a close is no answer: it stamps no response time and
leaves no deadline, as for a reply that arrives after the deletion (closed on arrival).
Before, the transition stamped the close as an answer («in time, 0.5 h», or «late») and
the moderation side put the old figures back afterwards.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from ordstyrer.inbox.models import CloseReason, ItemStatus
from ordstyrer.inbox.transitions import lock_item, policy_state, transition
from tests.inbox.conftest import TUESDAY, comment, ingest

pytestmark = pytest.mark.django_db

QUESTION = "Vet noen når bussen til skolen går etter ferien?"


@pytest.mark.parametrize(
    "after",
    [
        pytest.param(timedelta(minutes=30), id="within-the-deadline"),
        pytest.param(timedelta(days=3), id="past-the-deadline"),
    ],
)
def test_di1_a_close_for_a_removed_parent_stamps_no_response_figures_and_no_deadline(world, after):
    """DI-1: within its deadline the close would have been stamped «in time» with its
    working seconds, past it «late»; it is neither, and the reply keeps no deadline."""
    ingest(world.channel, comment("root", "Hvorfor er veien ikke brøytet?", author="u1"))
    reply = ingest(world.channel, comment("reply", QUESTION, author="u2", parent="root"))
    assert reply is not None and reply.open and reply.first_response_due is not None
    now = TUESDAY + after

    _policy, targets, version = policy_state(world.municipality)
    with transaction.atomic():
        transition(
            lock_item(reply),
            action="close",
            actor=None,
            now=now,
            targets=targets,
            version=version,
            close_reason=CloseReason.PARENT_REMOVED,
            data={"parent_item_id": 0},
        )

    reply.refresh_from_db()
    assert reply.status == ItemStatus.CLOSED and not reply.open
    assert reply.close_reason == CloseReason.PARENT_REMOVED
    figures = (
        reply.first_response_seconds,
        reply.first_response_in_time,
        reply.resolution_seconds,
        reply.resolution_in_time,
    )
    assert figures == (None, None, None, None)
    deadlines = (reply.first_response_due, reply.resolution_due, reply.due_at, reply.warn_at)
    assert deadlines == (None, None, None, None)


def test_di1_an_ordinary_close_is_still_stamped(world):
    """DI-1: a person's close («Trenger ikke svar») is still the item's response."""
    item = ingest(world.channel, comment("c1", QUESTION))
    assert item is not None
    _policy, targets, version = policy_state(world.municipality)
    with transaction.atomic():
        transition(
            lock_item(item),
            action="close",
            actor=None,
            now=TUESDAY + timedelta(minutes=30),
            targets=targets,
            version=version,
            close_reason=CloseReason.NO_REPLY_NEEDED,
        )
    item.refresh_from_db()
    assert item.first_response_in_time is True and item.first_response_seconds == 30 * 60
    assert item.resolution_in_time is True and item.resolution_seconds == 30 * 60
    assert item.first_response_due is not None
