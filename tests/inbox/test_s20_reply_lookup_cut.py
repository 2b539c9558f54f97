"""A reply whose answer was lost is never posted twice on a busy thread (DI-1).

Before it posts again, a retry looks for the reply on the platform (meta-graph-api
§3.4). That look reads a page-capped list oldest first; when the list held more than
that in the look-back window, the reply posted by the lost attempt lay past the cap,
the look found nothing, and the reply was posted again: the citizen got the same answer
twice. Now a look cut off at its cap does not post blindly: the reply fails with what
to look for, and the item is put back for a person. (Since session 21 the look reads
the citizen's thread, not the whole post: `test_s21_reply_thread_lookup`; so the list
here is the thread, with more replies than the look reads.)

Against the Graph stand-in on loopback (a Facebook Page); the client is never mocked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ordstyrer.inbox import replies
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from ordstyrer_fakegraph import FakeGraph
from tests.inbox.test_qa_reply_recovery import TEXT, _facebook, posts_of_replies
from tests.publishing.test_s19_delivery_lost_answer import lose_answer

pytestmark = pytest.mark.django_db

BUSY = replies.THREAD_PAGE * replies.THREAD_PAGES + 1  # past the look's cap


def _busy(graph: FakeGraph, item: InboxItem, *, before: Any) -> None:
    """More replies under the citizen's comment than the look reads, all written within
    its window and before the reply that reached the platform (oldest first)."""
    for n in range(BUSY):
        graph.store.add_comment(
            item.platform_id,
            from_id=f"66600{n:04d}",
            from_name="Innbygger Test",
            message=f"Kommentar nummer {n}",
            created=before - timedelta(seconds=1),
        )


def test_di1_a_lost_reply_on_a_busy_thread_is_not_posted_twice(
    graph, django_capture_on_commit_callbacks
):
    p, fb_page, item = _facebook(graph, "rennebu")
    lost = lose_answer(graph, method="POST", path_end=f"{item.platform_id}/comments")
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=p.communications, item=item, text=TEXT)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING and lost
    assert reply.next_attempt_at is not None
    ours = graph.store.objects[lost[0]["id"]]
    _busy(graph, item, before=ours.created_time)
    assert posts_of_replies(graph, item) == 1

    with django_capture_on_commit_callbacks(execute=True):
        replies_retry_sweep(now=reply.next_attempt_at)
    reply.refresh_from_db()
    assert posts_of_replies(graph, item) == 1  # never posted blindly a second time
    assert reply.status == ReplyStatus.FAILED and not reply.platform_id
    assert reply.error.startswith("Ordstyrer vet ikke om svaret ble sendt")
    assert Reply.objects.filter(item=item).count() == 1
