"""The safety-net poll loses nothing to its page cap, and sees Instagram's removals.

Against the Graph stand-in on loopback (the product's settings pointed at it):

* DI-1: a post with more comments in the poll's window than the old cap (20 pages of
  50, read oldest first) had its newest comments dropped while the poll still moved
  `last_polled_at` on. Now every comment is ingested — in one poll, or, when a post has
  more than one poll reads, over the next polls, each reading on from where the last
  stopped and saying so in `last_error`.
* MO-4: a public notice whose answer was lost is looked for among the comments written
  since it was queued, so it is found on a busy post and not posted twice.
* DI-1: Instagram sends no removal webhook; a comment deleted there is found by the
  poll (the post read to the end, the platform answering "not found") and its item is
  closed as removed by its author, as a removal webhook closes one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import ChannelPoll, InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import OpKind, OpStatus
from ordstyrer.moderation.outbox import outbox_sweep
from ordstyrer.moderation.services import comment_delete
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PageRec
from tests.conftest import Personas, make_personas
from tests.moderation.conftest import public_notices
from tests.moderation.test_qa_notice_retry import WHY, calls, lose_answer, page_comments
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

BUSY = 1100


def connected(graph: FakeGraph, slug: str, kind: str) -> tuple[Personas, PageRec, Channel]:
    p = make_personas(slug, "indre-fosen")
    fb_page = graph.add_page(f"{slug.title()} kommune", ig_username=slug)
    channel = make_channel(p, name=f"{slug.title()} på {kind.title()}", kind=kind)
    if kind == "instagram":
        connection_connect_system(
            channel=channel,
            account_id=fb_page.ig_user_id,
            token=SecretToken(fb_page.token),
            page_id=fb_page.id,
        )
    else:
        connection_connect_system(
            channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
        )
    return p, fb_page, channel


def busy_post(graph: FakeGraph, fb_page: PageRec, kind: str, n: int) -> tuple[str, set[str]]:
    """A post with `n` citizens' comments, one every 3 seconds over the last hour."""
    start = graph.store.now() - timedelta(hours=1)
    if kind == "instagram":
        media = graph.store.add_ig_media(fb_page.ig_user_id, caption="Vegarbeid i sentrum")
        ids = {
            graph.store.add_ig_comment(
                media.id,
                from_id=f"77{i:05d}",
                username=f"innbygger{i}",
                text=f"Når blir vegen ferdig? ({i})",
                created=start + timedelta(seconds=3 * i),
            ).id
            for i in range(n)
        }
        return media.id, ids
    post = graph.store.create_post(fb_page, message="Vegarbeid i sentrum", check_duplicate=False)
    ids = {
        graph.store.add_comment(
            post.id,
            from_id=f"55{i:05d}",
            from_name=f"Innbygger {i}",
            message=f"Når blir vegen ferdig? ({i})",
            created=start + timedelta(seconds=3 * i),
        ).id
        for i in range(n)
    }
    return post.id, ids


@pytest.mark.parametrize("kind", ["facebook", "instagram"])
def test_a_post_with_more_comments_than_the_old_cap_is_read_in_full(graph, kind) -> None:
    """DI-1: 1,100 comments in the last hour are all in the inbox after the poll."""
    _p, fb_page, channel = connected(graph, f"travel{kind[:2]}", kind)
    _post_id, ids = busy_post(graph, fb_page, kind, BUSY)

    now = timezone.now()
    poll_channel(channel_id=channel.pk, now=now)

    stored = set(InboxItem.objects.filter(channel=channel).values_list("platform_id", flat=True))
    assert stored == ids  # nothing skipped, the newest included
    poll = ChannelPoll.objects.get(channel=channel)
    assert (poll.last_polled_at, poll.cursor, poll.last_error) == (now, 0, "")


def test_a_poll_cut_off_at_its_cap_reads_on_in_the_next_polls(graph, monkeypatch) -> None:
    """DI-1: with room for 300 comments a poll, 1,100 are read over four polls, each
    from where the last stopped; `last_polled_at` moves only once all are in, and
    until then `last_error` says the reading goes on."""
    monkeypatch.setattr("ordstyrer.inbox.polling.COMMENT_PAGES", 3)
    _p, fb_page, channel = connected(graph, "fortsett", "facebook")
    _post_id, ids = busy_post(graph, fb_page, "facebook", BUSY)

    start = timezone.now()
    counts = []
    for minute in range(10):
        now = start + timedelta(minutes=minute)
        poll_channel(channel_id=channel.pk, now=now)
        poll = ChannelPoll.objects.get(channel=channel)
        counts.append(InboxItem.objects.filter(channel=channel).count())
        if not poll.cursor:
            break
        assert poll.last_polled_at is None  # not moved past what was read
        assert "neste henting fortsetter" in poll.last_error
    assert counts == [300, 599, 898, BUSY]  # each poll from the newest comment read
    stored = set(InboxItem.objects.filter(channel=channel).values_list("platform_id", flat=True))
    assert stored == ids
    assert (poll.last_polled_at, poll.last_error) == (now, "")


def test_a_lost_notice_is_found_on_a_busy_post_and_not_posted_twice(graph, run) -> None:
    """MO-4: the post holds 1,000 older comments; the notice whose answer was lost is the
    1,001st and newest. The re-check reads from when the notice was queued and finds it."""
    p, fb_page, channel = connected(graph, "travelt", "facebook")
    post = graph.store.create_post(fb_page, message="Skolestart", check_duplicate=False)
    spam = graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message="Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst",
    )
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, platform_id=spam.id)
    earlier = graph.store.now() - timedelta(hours=3)
    for i in range(1000):
        graph.store.add_comment(
            post.id,
            from_id=f"66{i:05d}",
            from_name=f"Innbygger {i}",
            message=f"Gleder oss! ({i})",
            created=earlier + timedelta(seconds=10 * i),
        )
    public_notices(p.municipality)
    lose_answer(graph, method="POST", path_end=f"/{post.id}/comments", how="502")
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    notice = action.ops.get(kind=OpKind.NOTICE)
    assert notice.status == OpStatus.PENDING
    assert len(page_comments(graph, fb_page, post.id)) == 1  # out there, answer lost

    run(outbox_sweep, now=timezone.now() + timedelta(minutes=2))  # the retry
    notice.refresh_from_db()
    assert notice.status == OpStatus.DONE and notice.result.get("found_on_retry") is True
    assert page_comments(graph, fb_page, post.id) == [action.notice_text]  # once
    assert calls(graph, "POST", f"/{post.id}/comments") == 1


def test_a_comment_deleted_on_instagram_is_closed_as_removed_by_its_author(graph) -> None:
    """DI-1: Instagram sends no removal; the next poll finds the comment gone (the post
    read to the end, the platform answering "not found") and closes its item as removed
    by its author. A comment still there stays open."""
    _p, fb_page, channel = connected(graph, "borte", "instagram")
    media = graph.store.add_ig_media(fb_page.ig_user_id, caption="Ny lekeplass")
    gone = graph.store.add_ig_comment(
        media.id, from_id="880001", username="kari", text="Når åpner den?"
    )
    kept = graph.store.add_ig_comment(
        media.id, from_id="880002", username="ola", text="Er det gjerde rundt?"
    )
    now = timezone.now()
    poll_channel(channel_id=channel.pk, now=now)
    item = InboxItem.objects.get(channel=channel, platform_id=gone.id)
    assert item.open and item.removed_at is None

    graph.store.objects[gone.id].deleted = True  # the author deleted it in the app
    later = now + timedelta(minutes=15)
    poll_channel(channel_id=channel.pk, now=later)

    item.refresh_from_db()
    assert item.removed_at == later
    assert (item.open, item.status, item.close_reason) == (False, "closed", "author_removed")
    still = InboxItem.objects.get(channel=channel, platform_id=kept.id)
    assert still.open and still.removed_at is None
    assert calls(graph, "GET", f"/{kept.id}") == 0  # listed: never asked about
