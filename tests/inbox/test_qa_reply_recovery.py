"""QA (DI-1): a reply counted as answered reaches the citizen once — never lost, never twice.

A worker can die in the middle of a reply, and a reply's task can be lost between the
commit and the enqueue. Before this the reply stayed `queued` for ever (attempts 0,
never sent) while its item counted as answered: nothing took a queued reply again. Now
each delivery claims the reply compare-and-set with a lease, and the `inbox.reply_retries`
sweep sends the queued replies nobody is sending. A reply is a create, and a dead
worker may have posted it before it could record so: the sweep, and every retry, first
looks for the reply under the citizen's comment, and records a copy found there.

Against the Graph stand-in on loopback (a Facebook Page) and the simulated page; the
platform client is never mocked. A dead worker is a `SystemExit` at the point it died
(before the platform call: on opening the channel's connector; after it: on recording
the success), which nothing in the delivery catches, as nothing catches a SIGKILL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox import replies
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import replies_retry_sweep, reply_deliver, reply_send
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PageRec
from tests.conftest import Personas, make_personas
from tests.inbox.conftest import TUESDAY
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

TEXT = "Svømmehallen åpner mandag."
QUESTION = "Når åpner svømmehallen igjen etter ferien?"
# Past a delivery's claim (`replies.LEASE`, five minutes), and past the time a new reply's
# own task has to send it (`replies.FIRST_ATTEMPT_GRACE`, a minute).
AFTER_THE_LEASE = timedelta(minutes=5, seconds=1)
AFTER_THE_GRACE = timedelta(minutes=1, seconds=1)


class WorkerKilled(SystemExit):
    """The worker process died here (nothing in the delivery catches it)."""


def kill_before_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def dies(channel: Any, *, now: Any = None) -> Iterator[Any]:
        raise WorkerKilled
        yield

    monkeypatch.setattr("ordstyrer.inbox.platform.channel_connector", dies)


def kill_after_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dies once the platform has the reply, before the reply is recorded as sent."""
    real = replies.audit_record

    def dies(**kwargs: Any) -> Any:
        if kwargs.get("action") == "inbox_reply_sent":
            raise WorkerKilled
        return real(**kwargs)

    monkeypatch.setattr(replies, "audit_record", dies)


# --- a Facebook Page on the Graph stand-in ------------------------------------------------


def _facebook(graph: FakeGraph, slug: str) -> tuple[Personas, PageRec, InboxItem]:
    p = make_personas(slug, "indre-fosen")
    fb_page = graph.add_page(f"{slug.title()} kommune")
    channel = make_channel(p, name=f"{slug.title()} på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Sommeråpent", check_duplicate=False)
    graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Kari Nordmann",
        message=QUESTION,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, from_page=False, text=QUESTION)
    return p, fb_page, item


def our_replies(graph: FakeGraph, fb_page: PageRec, item: InboxItem) -> list[str]:
    """The Page's live comments under the citizen's comment."""
    return [
        rec.message
        for rec in graph.store.objects.values()
        if getattr(rec, "parent_id", None) == item.platform_id
        and getattr(rec, "from_id", None) == fb_page.id
        and not getattr(rec, "deleted", False)
    ]


def posts_of_replies(graph: FakeGraph, item: InboxItem) -> int:
    return sum(
        1
        for method, path in graph.store.requests
        if method == "POST" and path.endswith(f"{item.platform_id}/comments")
    )


def _queued_then_killed(p: Personas, item: InboxItem, capture: Any) -> Reply:
    # The task runner records the task as failed (django-tasks' immediate backend
    # catches the SystemExit); the database is left as a killed worker leaves it.
    with capture(execute=True):
        reply_send(actor=p.communications, item=item, text=TEXT)
    reply = Reply.objects.get(item=item)
    assert reply.status == ReplyStatus.QUEUED  # the item counts as answered meanwhile
    return reply


def test_a_reply_stuck_queued_with_an_expired_claim_is_sent_by_the_sweep_once(
    graph, django_capture_on_commit_callbacks
):
    p, fb_page, item = _facebook(graph, "dovreby")
    with pytest.MonkeyPatch.context() as dying:
        kill_before_the_call(dying)
        reply = _queued_then_killed(p, item, django_capture_on_commit_callbacks)
    # The worker is started again.
    item.refresh_from_db()
    assert item.status == "answered" and our_replies(graph, fb_page, item) == []

    died_at = timezone.now()
    # While the dead worker's claim lasts, nobody takes the reply.
    assert replies_retry_sweep(now=died_at + timedelta(seconds=30)) == 0
    assert posts_of_replies(graph, item) == 0

    assert replies_retry_sweep(now=died_at + AFTER_THE_LEASE) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.platform_id, reply.error
    assert our_replies(graph, fb_page, item) == [TEXT]
    assert posts_of_replies(graph, item) == 1

    # Later sweeps and a late task of the dead worker's leave it alone.
    assert replies_retry_sweep(now=died_at + 2 * AFTER_THE_LEASE) == 0
    assert reply_deliver(reply_id=reply.pk) == ReplyStatus.SENT
    assert posts_of_replies(graph, item) == 1


def test_a_reply_posted_before_the_worker_died_is_recognised_not_posted_again(
    graph, django_capture_on_commit_callbacks
):
    p, fb_page, item = _facebook(graph, "lesjaby")
    with pytest.MonkeyPatch.context() as dying:
        kill_after_the_call(dying)
        reply = _queued_then_killed(p, item, django_capture_on_commit_callbacks)
    assert our_replies(graph, fb_page, item) == [TEXT]  # out, but not recorded
    assert posts_of_replies(graph, item) == 1
    on_the_page = next(
        rec.id
        for rec in graph.store.objects.values()
        if getattr(rec, "parent_id", None) == item.platform_id
    )

    assert replies_retry_sweep(now=timezone.now() + AFTER_THE_LEASE) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.platform_id == on_the_page, reply.error
    assert our_replies(graph, fb_page, item) == [TEXT]
    assert posts_of_replies(graph, item) == 1  # looked for, never posted twice


def test_a_retry_after_a_lost_answer_finds_the_reply_and_does_not_post_it_twice(
    graph, django_capture_on_commit_callbacks
):
    """The platform posted the reply; its answer was lost (a 502 from the gateway in
    front of it): the retry looks first and records the reply found there."""
    p, fb_page, item = _facebook(graph, "skjakby")
    dispatch = graph.dispatch
    lost: list[Any] = []

    def gateway(m: str, path: str, req: Any, base: str, *, version: str | None = None) -> Any:
        status, payload, headers = dispatch(m, path, req, base, version=version)
        if not lost and m == "POST" and path.endswith("/comments") and status == 200:
            lost.append(payload)
            return 502, "Bad Gateway", {}
        return status, payload, headers

    graph.dispatch = gateway  # type: ignore[method-assign]
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=p.communications, item=item, text=TEXT)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING and lost
    assert our_replies(graph, fb_page, item) == [TEXT]

    with django_capture_on_commit_callbacks(execute=True):
        assert replies_retry_sweep(now=reply.next_attempt_at) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.platform_id == lost[0]["id"]
    assert our_replies(graph, fb_page, item) == [TEXT]
    assert posts_of_replies(graph, item) == 1


# --- the simulated page ----------------------------------------------------------------------


@pytest.fixture
def sim(world):
    world.channel.connector_config = {"seed": 7, "history_days": 2, "comments_per_day": 30}
    world.channel.save(update_fields=["connector_config"])
    poll_channel(channel_id=world.channel.pk, now=TUESDAY)
    return world


def _open_items(world: Any, count: int) -> list[InboxItem]:
    return list(
        InboxItem.objects.filter(channel=world.channel, open=True, parent_platform_id="")
        .exclude(post_id="")
        .order_by("pk")[:count]
    )


def _page_replies(world: Any, item: InboxItem) -> list[str]:
    with channel_connector(world.channel, now=TUESDAY) as connector:
        listing = connector.list_comments(item.post_id, limit=500)
    return [c.text for c in listing.items if c.is_page_author and c.parent_id == item.platform_id]


def test_a_reply_whose_task_was_lost_is_sent_by_the_sweep_once(
    sim, django_capture_on_commit_callbacks
):
    (item,) = _open_items(sim, 1)
    at = TUESDAY + timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # committed, never enqueued
            reply = reply_send(actor=sim.editor, item=item, text=TEXT)
    # Just written: its task may still come.
    assert replies_retry_sweep(now=at + timedelta(seconds=30)) == 0
    later = at + AFTER_THE_GRACE
    with time_machine.travel(later, tick=False):
        assert replies_retry_sweep(now=later) == 1
        assert replies_retry_sweep(now=later + AFTER_THE_LEASE) == 0
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.attempts == 1
    assert reply.platform_id.startswith("sim-comment-")
    assert _page_replies(sim, item) == [TEXT]


def test_the_same_words_under_another_comment_are_not_taken_for_the_lost_reply(
    sim, django_capture_on_commit_callbacks
):
    """A template reply has the same words for every citizen: the look on the platform
    takes only the Page's comment under this citizen's comment, and not one of ours."""
    first, second = _open_items(sim, 2)
    at = TUESDAY + timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            sent = reply_send(actor=sim.editor, item=first, text=TEXT)
        with django_capture_on_commit_callbacks(execute=False):
            lost = reply_send(actor=sim.editor, item=second, text=TEXT)
    later = at + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert replies_retry_sweep(now=later) == 1
    sent.refresh_from_db()
    lost.refresh_from_db()
    assert lost.status == ReplyStatus.SENT and lost.platform_id != sent.platform_id
    assert _page_replies(sim, first) == [TEXT] and _page_replies(sim, second) == [TEXT]


def test_a_delivery_that_kills_its_worker_every_time_is_given_up(
    sim, monkeypatch, django_capture_on_commit_callbacks
):
    """Never claimed more than MAX_ATTEMPTS times: then it fails for a person to see, and
    the item is open again (as the moderation outbox buries such an op)."""
    (item,) = _open_items(sim, 1)
    at = TUESDAY + timedelta(minutes=5)
    kill_before_the_call(monkeypatch)
    with time_machine.travel(at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reply_send(actor=sim.editor, item=item, text=TEXT)
    reply = Reply.objects.get(item=item)
    assert reply.status == ReplyStatus.QUEUED and reply.attempts == 1
    for _ in range(replies.MAX_ATTEMPTS - 1):
        at += AFTER_THE_LEASE
        with pytest.raises(WorkerKilled):
            replies_retry_sweep(now=at)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.QUEUED and reply.attempts == replies.MAX_ATTEMPTS
    monkeypatch.undo()
    at += AFTER_THE_LEASE
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        replies_retry_sweep(now=at)
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED and "Gitt opp etter" in reply.error
    assert item.open and item.status == "new"
    assert _page_replies(sim, item) == []
