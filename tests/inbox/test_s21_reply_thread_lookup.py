"""A retry looks for its lost reply in the citizen's thread, not among the post's comments (DI-1).

A reply is a create: when its answer is lost (a 502 after Meta posted it), the retry
first looks for our copy before it posts again (meta-graph-api §3.4). That look read the
whole post's comments, oldest first, and stopped at a page cap (20 pages of 50); on a
busy post — more than 1,000 comments since the reply was written, exactly a crisis post
— it was cut off and the reply failed for a person even when the thread under the
citizen's comment held our copy, or held nothing and the reply had never gone out.

Our reply is a comment in the citizen's own thread, so the look now reads that thread
only (Graph's `GET /{comment-id}/comments`, Instagram's `GET /{ig-comment-id}/replies`;
meta-graph-api §1.3, §4.3). It still fails for a person when even the thread read is cut
off (`test_s20_reply_lookup_cut`, and Instagram below), and a refused read (Meta's rate
limit) posts nothing.

Against the Graph stand-in on loopback, a Facebook Page and an Instagram account; the
client is never mocked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.graph import usage
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox import replies
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PageRec
from tests.conftest import Personas, make_personas
from tests.inbox.test_qa_reply_recovery import QUESTION, TEXT
from tests.publishing.conftest import make_channel
from tests.publishing.test_s19_delivery_lost_answer import lose_answer

pytestmark = pytest.mark.django_db

KINDS = ["facebook", "instagram"]
BUSY = 1_001  # past the old look's cap: 20 pages of 50 comments


class Clock:
    """Monotonic seconds for the client's throttle book, moved on by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    """A throttle book of this test's own: a Page's pause neither outlives the test nor
    lasts past the retry that waited it out."""
    clock = Clock()
    monkeypatch.setattr(usage, "_shared", ThrottleBook(clock=clock))
    return clock


class Citizen:
    """A citizen's comment on the channel's post, taken into the inbox by a poll."""

    def __init__(self, graph: FakeGraph, slug: str, kind: str, *, as_reply: bool = False):
        self.graph, self.kind = graph, kind
        self.p: Personas = make_personas(slug, "indre-fosen")
        self.page: PageRec = graph.add_page(f"{slug.title()} kommune", ig_username=slug)
        channel = make_channel(self.p, name=f"{slug.title()} på {kind.title()}", kind=kind)
        self.channel: Channel = channel
        store = graph.store
        self.began = store.now()  # the citizen's thread: after the busy comments
        if kind == "instagram":
            assert self.page.ig_user_id is not None
            connection_connect_system(
                channel=channel,
                account_id=self.page.ig_user_id,
                token=SecretToken(self.page.token),
                page_id=self.page.id,
            )
            self.post_id = store.add_ig_media(self.page.ig_user_id, caption="Flom i sentrum").id
        else:
            connection_connect_system(
                channel=channel, account_id=self.page.id, token=SecretToken(self.page.token)
            )
            self.post_id = store.create_post(
                self.page, message="Flom i sentrum", check_duplicate=False
            ).id
        target = self.post_id
        if as_reply:  # the citizen answers someone else's comment
            target = self.comment(self.post_id, "Er vegen stengt?", n=0, at=store.now()).id
        self.comment(target, QUESTION, n=1, at=store.now())
        poll_channel(channel_id=channel.pk)
        self.item = InboxItem.objects.get(channel=channel, from_page=False, text=QUESTION)

    def comment(self, target: str, text: str, *, n: int, at: Any) -> Any:
        store = self.graph.store
        if self.kind == "instagram":
            return store.add_ig_comment(
                target, from_id=f"77{n:06d}", username=f"innbygger{n}", text=text, created=at
            )
        return store.add_comment(
            target, from_id=f"55{n:06d}", from_name=f"Innbygger {n}", message=text, created=at
        )

    @property
    def reply_edge(self) -> str:
        """Where our reply to the citizen is posted (meta-graph-api §1.4, §4.4)."""
        edge = "replies" if self.kind == "instagram" else "comments"
        return f"/{self.item.platform_id}/{edge}"

    def busy(self, n: int, *, target: str | None = None) -> None:
        """`n` comments on the post (or replies under `target`), written in the look's
        window just before the citizen's thread began: the old look, oldest first, read
        them before it came to the thread (on Instagram: to its top comment)."""
        at = self.began - timedelta(seconds=1)
        for i in range(n):
            self.comment(
                target or self.post_id, f"Når kommer vannet tilbake? ({i})", n=i + 2, at=at
            )

    def ours(self) -> list[str]:
        """The ids of the account's own live comments and replies on the post."""
        me = self.page.ig_user_id if self.kind == "instagram" else self.page.id
        return [
            rec.id
            for rec in self.graph.store.objects.values()
            if getattr(rec, "from_id", None) == me
            and self.post_id in (getattr(rec, "post_id", None), getattr(rec, "media_id", None))
            and not getattr(rec, "deleted", False)
        ]

    def posts(self) -> int:
        return sum(
            1
            for method, path in self.graph.store.requests
            if method == "POST" and path.endswith(self.reply_edge)
        )

    def send(self, capture: Any) -> Reply:
        with capture(execute=True):
            reply = reply_send(actor=self.p.communications, item=self.item, text=TEXT)
        reply.refresh_from_db()
        return reply


def _retry(reply: Reply, capture: Any) -> Reply:
    assert reply.next_attempt_at is not None
    with capture(execute=True):
        assert replies_retry_sweep(now=reply.next_attempt_at) == 1
    reply.refresh_from_db()
    return reply


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("as_reply", [False, True], ids=["comment", "reply"])
def test_di1_a_lost_reply_on_a_busy_post_is_found_in_its_thread_not_posted_twice(
    graph, django_capture_on_commit_callbacks, kind, as_reply
):
    """The copy the lost answer left is found under the citizen's comment — or, where
    the citizen answered someone and Instagram threads one level deep, under the
    comment at the top of the thread — and recorded; nothing is posted again."""
    c = Citizen(graph, f"flom{kind[:2]}{int(as_reply)}", kind, as_reply=as_reply)
    lost = lose_answer(graph, method="POST", path_end=c.reply_edge)
    reply = c.send(django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.RETRYING and lost
    (copy,) = c.ours()
    c.busy(BUSY)

    reply = _retry(reply, django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.SENT, reply.error
    assert reply.platform_id == copy == lost[0]["id"]
    assert c.posts() == 1 and c.ours() == [copy]  # never a second copy
    c.item.refresh_from_db()
    assert c.item.status == "answered"


@pytest.mark.parametrize("kind", KINDS)
def test_di1_a_reply_that_never_went_out_is_posted_once_on_a_busy_post(
    graph, django_capture_on_commit_callbacks, kind
):
    """The first attempt was refused before anything was posted (Graph 2, a temporary
    fault): the retry reads the thread, finds nothing there, and posts the reply once,
    rather than failing for a person because the post is busy."""
    c = Citizen(graph, f"tomt{kind[:2]}", kind)
    graph.inject(2, path=c.reply_edge, method="POST", times=1)
    reply = c.send(django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.RETRYING and c.ours() == []
    c.busy(BUSY)

    reply = _retry(reply, django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.SENT, reply.error
    assert c.ours() == [reply.platform_id]  # posted, once
    assert Reply.objects.filter(item=c.item).count() == 1


def test_di1_a_lost_reply_whose_instagram_thread_is_cut_off_fails_for_a_person(
    graph, django_capture_on_commit_callbacks
):
    """More replies under the citizen's comment than a thread read reads: the look has
    not seen them all, so the reply is not posted blindly; it fails with what to look
    for, and the item is put back for a person (as on Facebook: test_s20)."""
    c = Citizen(graph, "travelig", "instagram")
    lost = lose_answer(graph, method="POST", path_end=c.reply_edge)
    reply = c.send(django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.RETRYING and lost
    c.busy(replies.THREAD_PAGE * replies.THREAD_PAGES + 1, target=c.item.platform_id)

    reply = _retry(reply, django_capture_on_commit_callbacks)
    assert c.posts() == 1 and len(c.ours()) == 1  # never posted blindly a second time
    assert reply.status == ReplyStatus.FAILED and not reply.platform_id
    assert reply.error.startswith("Ordstyrer vet ikke om svaret ble sendt")
    c.item.refresh_from_db()
    assert c.item.open


@pytest.mark.parametrize("kind", KINDS)
def test_di1_a_thread_read_meta_refuses_posts_nothing_and_waits(
    graph, django_capture_on_commit_callbacks, clock, kind
):
    """Meta's rate limit on the thread read (Graph 80001 / 80002) is waited out as any
    other refusal (`replies.WAITED_OUT`): nothing is posted meanwhile, the attempt is
    given back, and the retry after the wait finds the copy."""
    c = Citizen(graph, f"kvote{kind[:2]}", kind)
    lost = lose_answer(graph, method="POST", path_end=c.reply_edge)
    reply = c.send(django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.RETRYING and lost
    attempts = reply.attempts
    # The thread is read from the edge the reply was posted to (meta-graph-api §1.3, §4.3).
    code = 80002 if kind == "instagram" else 80001
    rule = graph.inject(code, path=c.reply_edge, method="GET", times=1)

    reply = _retry(reply, django_capture_on_commit_callbacks)
    assert rule.fired == 1
    assert reply.status == ReplyStatus.RETRYING and reply.attempts == attempts
    assert c.posts() == 1 and c.ours() == [lost[0]["id"]]

    clock.now += 3600  # the Page's pause is over
    reply = _retry(reply, django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.SENT and reply.platform_id == lost[0]["id"]
    assert c.posts() == 1 and c.ours() == [reply.platform_id]
