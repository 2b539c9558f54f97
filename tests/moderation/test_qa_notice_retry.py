"""QA: an MO-4 notice whose answer is lost after the platform did the write.

A notice is a create. When the platform posts it and the answer is lost on the way back
(a 502 from a gateway, a Graph "temporary error" after the write), the outbox retries;
every retry re-checks the platform first (meta-graph-api §3.4):

* a public notice looks for itself among the post's comments, and is not posted twice;
* a private one meets Graph 10900 "Activity already replied to" — its own first try —
  and is recorded as sent, with the same records as any sent notice.

Against the Graph stand-in on loopback. It has no "do the write, then answer 502"
fault (`POST /_fake/errors` fires before the call, `POST /_fake/malformed` keeps the
200): the 502 comes from a gateway in front of its request handling (`lose_answer`),
and the Graph-error variant uses `FakeGraph.malform` with a transient error body.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import ModerationAction, OpKind, OpStatus
from ordstyrer.moderation.outbox import outbox_sweep
from ordstyrer.moderation.services import comment_delete
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PageRec
from tests.conftest import Personas, make_personas
from tests.moderation.conftest import public_notices
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
# Graph's answer to a call that failed for a moment (code 2, "is_transient").
TRANSIENT = {
    "error": {
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException",
        "is_transient": True,
        "code": 2,
        "fbtrace_id": "AqAnswerLost",
    }
}


def lose_answer(graph: FakeGraph, *, method: str, path_end: str, how: str) -> None:
    """The stand-in carries out the next matching call; then its answer is lost.

    `how="502"`: a gateway in front of the stand-in answers 502 instead (the stand-in's
    request handler calls `dispatch`, wrapped here for one call); `how="graph"`: the
    stand-in answers Graph's transient error instead (`FakeGraph.malform`)."""
    if how == "graph":
        graph.malform(path=path_end, method=method, body=TRANSIENT)
        return
    dispatch = graph.dispatch
    lost: list[Any] = []

    def gateway(m: str, path: str, req: Any, base: str, *, version: str | None = None) -> Any:
        status, payload, headers = dispatch(m, path, req, base, version=version)
        if not lost and m == method and path.endswith(path_end) and status == 200:
            lost.append(payload)  # done on the platform, never heard of here
            return 502, "Bad Gateway", {}
        return status, payload, headers

    graph.dispatch = gateway  # type: ignore[method-assign]


def _facebook(graph: FakeGraph, slug: str) -> tuple[Personas, PageRec, str, InboxItem]:
    """A Facebook Page on the stand-in with a post and a spam comment in the inbox."""
    p = make_personas(slug, "indre-fosen")
    fb_page = graph.add_page(f"{slug.title()} kommune")
    channel = make_channel(p, name=f"{slug.title()} på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Skolestart", check_duplicate=False)
    spam(graph, post.id)
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, platform_id=_last_comment(graph, post.id))
    return p, fb_page, post.id, item


def spam(graph: FakeGraph, post_id: str, who: str = "Ola Nordmann") -> str:
    return graph.store.add_comment(
        post_id, from_id="5550001", from_name=who, message=SPAM, created=graph.store.now()
    ).id


def _last_comment(graph: FakeGraph, post_id: str) -> str:
    return [
        rec.id
        for rec in graph.store.objects.values()
        if getattr(rec, "post_id", None) == post_id and hasattr(rec, "from_id")
    ][-1]


def page_comments(graph: FakeGraph, fb_page: PageRec, post_id: str) -> list[str]:
    """The Page's own live comments on the post (the public notices), oldest first."""
    return [
        rec.message
        for rec in graph.store.objects.values()
        if getattr(rec, "post_id", None) == post_id
        and getattr(rec, "from_id", None) == fb_page.id
        and not getattr(rec, "deleted", False)
    ]


def calls(graph: FakeGraph, method: str, path_end: str) -> int:
    return sum(1 for m, path in graph.store.requests if m == method and path.endswith(path_end))


def retry_due(run, minutes: int = 2) -> None:
    """The worker's sweep, `minutes` from now (the notice's backoff is 30 s)."""
    run(outbox_sweep, now=timezone.now() + timedelta(minutes=minutes))


@pytest.mark.parametrize("how", ["502", "graph"])
def test_a_public_notice_whose_answer_was_lost_is_not_posted_twice(graph, run, how) -> None:
    p, fb_page, post_id, item = _facebook(graph, f"offentlig{how}")
    public_notices(p.municipality)
    lose_answer(graph, method="POST", path_end=f"/{post_id}/comments", how=how)
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    notice = action.ops.get(kind=OpKind.NOTICE)
    assert notice.status == OpStatus.PENDING  # a transient failure: tried again later
    assert len(page_comments(graph, fb_page, post_id)) == 1  # yet it is out there

    retry_due(run)
    notice.refresh_from_db()
    action.refresh_from_db()
    assert notice.status == OpStatus.DONE and notice.attempts == 2
    (posted,) = page_comments(graph, fb_page, post_id)  # once, never twice (MO-4)
    assert posted == action.notice_text
    assert calls(graph, "POST", f"/{post_id}/comments") == 1
    assert notice.result["platform_id"] == _last_comment(graph, post_id)
    assert action.notice_state == "sent"
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1


def test_a_notice_that_failed_before_the_write_is_posted_on_the_retry(graph, run) -> None:
    """The re-check finds nothing, so the retry posts; an identical notice for another
    deletion under the same post is not taken for this one (public notices name nobody)."""
    p, fb_page, post_id, item = _facebook(graph, "tobeskjeder")
    public_notices(p.municipality)
    first = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    assert first.notice_state == "sent"

    other = spam(graph, post_id, who="Kari Nordmann")
    poll_channel(channel_id=item.channel_id, now=timezone.now() + timedelta(minutes=1))
    second_item = InboxItem.objects.get(platform_id=other)
    graph.inject(2, path=f"/{post_id}/comments", method="POST", is_transient=True)
    second = run(
        comment_delete, actor=p.employee, item=second_item, ground="spam", justification=WHY
    )
    assert second.ops.get(kind=OpKind.NOTICE).status == OpStatus.PENDING
    assert second.notice_text == first.notice_text

    retry_due(run)
    second.refresh_from_db()
    assert second.notice_state == "sent"
    assert page_comments(graph, fb_page, post_id) == [first.notice_text, second.notice_text]
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 2


@pytest.mark.parametrize("how", ["502", "graph"])
def test_a_private_notice_whose_answer_was_lost_is_sent_not_failed(graph, run, how) -> None:
    p, fb_page, post_id, item = _facebook(graph, f"privat{how}")
    lose_answer(graph, method="POST", path_end=f"/{fb_page.id}/messages", how=how)
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    private = action.ops.get(kind=OpKind.PRIVATE_NOTICE)
    assert private.status == OpStatus.PENDING
    assert item.platform_id in graph.store.private_replies  # the author has it already

    retry_due(run)  # Graph: "(#10900) Activity already replied to"
    retry_due(run, minutes=5)  # the delete, released by the notice at the sweep's time
    private.refresh_from_db()
    action = ModerationAction.objects.get(pk=action.pk)
    assert private.status == OpStatus.DONE and private.result["already_sent"] is True
    assert calls(graph, "POST", f"/{fb_page.id}/messages") == 2  # no third try
    assert (action.notice_state, action.notice_via, action.notice_error) == (
        "sent",
        "private_reply",
        "",
    )
    # The same records as a notice sent at the first try: the outgoing document (U) ...
    record = ArchiveRecord.objects.get(kind="journal_outbound")
    assert record.text == action.notice_text
    # ... and no note that it failed (action "note"; the one that the deletion went
    # through, MO-2, is a "delete"), and the deletion went on after it.
    assert not ArchiveRecord.objects.filter(kind="moderation_note", action="note").exists()
    assert graph.store.objects[item.platform_id].deleted
    assert action.status == "done"
    item.refresh_from_db()
    assert item.status == "closed" and item.close_reason == "moderated"
    assert len(graph.store.private_replies) == 1


def test_a_private_reply_refused_at_the_first_try_still_fails_visibly(graph, run) -> None:
    """10900 at a first try is someone else's reply (from Meta's own inbox): our notice
    was not sent, so it fails where a person sees it."""
    p, fb_page, post_id, item = _facebook(graph, "andresvar")
    graph.store.private_replies[item.platform_id] = {"id": "m_1", "text": "Hei", "to": "5550001"}
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    action.refresh_from_db()
    assert action.notice_state == "failed" and "10900" in action.notice_error
    assert not ArchiveRecord.objects.filter(kind="journal_outbound").exists()
