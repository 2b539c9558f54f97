"""DI-1, meta-graph-api §3.4: a reply under Meta's rate limit waits; it is not given up.

A Page whose usage budget is used up answers every write with Graph 80001 (and the
client then pauses the Page's calls itself). Before, each of those answers used up one
of a reply's six attempts: after about 1¾ hours the reply failed for good, its item was
put back and its author told "reply failed". Now a throttled attempt is handed back and
the reply waits Meta's time; only a reply Meta has kept refusing for a day
(`replies.WAIT_LIMIT`) fails, saying so.

Against the Graph stand-in on loopback (a Facebook Page); the client is never mocked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.connectors.graph import usage
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox import replies
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import Personas, make_personas
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_throttle_book(monkeypatch):
    """A throttle book of this test's own: the Page's pause must not outlive it."""
    monkeypatch.setattr(usage, "_shared", ThrottleBook())


TEXT = "Biblioteket har åpent til klokka 20 på torsdager."
QUESTION = "Hvor lenge har biblioteket åpent på torsdag?"


def _facebook(graph: FakeGraph, slug: str) -> tuple[Personas, InboxItem]:
    p = make_personas(slug, "indre-fosen")
    fb_page = graph.add_page(f"{slug.title()} kommune")
    channel = make_channel(p, name=f"{slug.title()} på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Biblioteket", check_duplicate=False)
    graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Kari Nordmann",
        message=QUESTION,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    return p, InboxItem.objects.get(channel=channel, from_page=False, text=QUESTION)


def _retry(reply: Reply, capture) -> datetime:
    """The sweep, just after the reply's wait is over; returns that time."""
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING, (reply.status, reply.error)
    assert reply.next_attempt_at is not None
    at = reply.next_attempt_at + timedelta(seconds=1)
    with capture(execute=True):
        replies_retry_sweep(now=at)
    reply.refresh_from_db()
    return at


def test_di1_a_throttled_reply_waits_past_six_backoffs_then_fails_after_a_day(
    graph, django_capture_on_commit_callbacks
) -> None:
    p, item = _facebook(graph, "throttleby")
    graph.inject(80001, path=f"{item.platform_id}/comments", method="POST", times=-1)
    with django_capture_on_commit_callbacks(execute=True):
        reply_send(actor=p.communications, item=item, text=TEXT)
    reply = Reply.objects.get(item=item)

    for _ in range(replies.MAX_ATTEMPTS + 2):  # more tries than a reply has attempts
        _retry(reply, django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.RETRYING, reply.error  # still waiting, not failed
    assert reply.attempts < replies.MAX_ATTEMPTS
    item.refresh_from_db()
    assert item.status == "answered"  # the item stays answered meanwhile
    assert reply.next_attempt_at is not None and reply.next_attempt_at > timezone.now()

    # A day after the reply was written, Meta still refuses: it fails, and says why.
    late = reply.created_at + replies.WAIT_LIMIT + timedelta(minutes=1)
    Reply.objects.filter(pk=reply.pk).update(next_attempt_at=late - timedelta(seconds=1))
    # The requeued reply's task reads the clock itself.
    with time_machine.travel(late, tick=False), django_capture_on_commit_callbacks(execute=True):
        replies_retry_sweep(now=late)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert "24 timer" in reply.error and "Meta" in reply.error
    item.refresh_from_db()
    assert item.status != "answered"  # put back for a person, as any failed reply
