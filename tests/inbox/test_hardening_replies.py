"""Issue #18: a reply whose delivery raises something other than a ConnectorError (a bug
in a connector, RecursionError, MemoryError) is not left `queued` for ever — nothing
re-queues a queued reply — but retried with backoff like a transient error, and failed
with its reason once the attempts run out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from ordstyrer.inbox import replies
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from tests.inbox.conftest import TUESDAY, comment, ingest

LATER = TUESDAY + timedelta(minutes=20)
TEXT = "Svømmehallen åpner mandag."


@pytest.fixture
def item(world) -> InboxItem:
    return ingest(world.channel, comment("c1"))


def _send(world, item, capture) -> Reply:
    with time_machine.travel(LATER, tick=False), capture(execute=True):
        return reply_send(actor=world.editor, item=item, text=TEXT)


@pytest.mark.parametrize("error", [RecursionError("dyp"), MemoryError(), KeyError("id")])
def test_an_unexpected_error_is_retried_not_left_queued(
    world, item, fake_platform, django_capture_on_commit_callbacks, error
) -> None:
    fake_platform.failures.append(error)
    reply = _send(world, item, django_capture_on_commit_callbacks)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING and reply.attempts == 1
    assert type(error).__name__ in reply.error
    at = LATER + timedelta(minutes=5)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert replies_retry_sweep(now=at) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and fake_platform.sent == [("c1", TEXT)]


def test_an_error_every_time_fails_the_reply_after_max_attempts(
    world, item, fake_platform, django_capture_on_commit_callbacks
) -> None:
    fake_platform.failures.extend(RecursionError("dyp") for _ in range(replies.MAX_ATTEMPTS))
    reply = _send(world, item, django_capture_on_commit_callbacks)
    at = LATER
    for _ in range(replies.MAX_ATTEMPTS):
        at += timedelta(days=1)
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            replies_retry_sweep(now=at)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED and reply.attempts == replies.MAX_ATTEMPTS
    assert fake_platform.sent == []
