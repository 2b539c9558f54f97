"""`ThreadSource.list_replies`: the thread under one comment, without the rest of the post.

A reply's retry looks for its lost copy in the citizen's thread (DI-1,
`inbox.replies._posted_before`). The connectors read it from the platform's own edge —
Facebook `GET /{comment-id}/comments` with `filter=stream` (every level below, each with
its `parent`; meta-graph-api §1.3), Instagram `GET /{ig-comment-id}/replies` (one level,
§4.3) — paged like any list, and the Graph stand-in answers that edge as Graph does:
paging, `since`, errors and rate limits, and "gone" for a deleted comment.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import (
    Capability,
    ConnectorError,
    ErrorCode,
    iterate_pages,
    supports,
)
from ordstyrer.connectors.registry import get_connector

from .conftest import NOW


def _fb_comment(fake, target, text, who=("5550001", "Kari Nordmann"), minutes_ago=0):
    return fake.store.add_comment(
        target,
        from_id=who[0],
        from_name=who[1],
        message=text,
        created=NOW - timedelta(minutes=minutes_ago),
    )


def _ig_comment(fake, target, text, who=("178001", "kari_n"), minutes_ago=0):
    return fake.store.add_ig_comment(
        target,
        from_id=who[0],
        username=who[1],
        text=text,
        created=NOW - timedelta(minutes=minutes_ago),
    )


def test_facebook_reads_one_thread_at_every_level_paged_and_since(fb, fake, page) -> None:
    post = fake.store.create_post(page, message="Flom", check_duplicate=False)
    top = _fb_comment(fake, post.id, "Er vegen stengt?", minutes_ago=90)
    _fb_comment(fake, post.id, "En annen tråd", minutes_ago=80)
    first = _fb_comment(fake, top.id, "Ja, ved brua.", minutes_ago=70)
    deeper = _fb_comment(fake, first.id, "Hvor lenge?", minutes_ago=60)
    ours = fb.reply(first.id, "Til klokka 15.")
    later = [_fb_comment(fake, top.id, f"Svar {i}", minutes_ago=50 - i) for i in range(3)]

    thread = list(iterate_pages(lambda c: fb.list_replies(top.id, cursor=c, limit=2)))
    assert [c.id for c in thread] == [first.id, deeper.id] + [c.id for c in later] + [ours.id]
    assert {c.id: c.parent_id for c in thread}[deeper.id] == first.id
    assert {c.id: c.parent_id for c in thread}[ours.id] == first.id
    assert next(c for c in thread if c.id == ours.id).is_page_author
    assert ("GET", f"/{top.id}/comments") in fake.store.requests

    recent = fb.list_replies(top.id, since=NOW - timedelta(minutes=55)).items
    assert [c.id for c in recent] == [c.id for c in later] + [ours.id]
    assert supports(fb, Capability.THREAD_SOURCE)
    assert ("ok", Capability.THREAD_SOURCE) in [
        (r["outcome"], r["capability"]) for r in fb.recorder.records
    ]


def test_facebook_a_visitor_posts_comments_are_its_thread(fb, fake, page) -> None:
    visitor = fake.store.add_visitor_post(
        page.id, from_id="5550009", from_name="Ola", message="Hei"
    )
    ours = fb.reply(visitor.id, "Hei, Ola!")
    (found,) = fb.list_replies(visitor.id).items
    assert found.id == ours.id and found.parent_id == visitor.id


def test_facebook_a_deleted_comment_and_meta_s_rate_limit_are_errors(fb, fake, page) -> None:
    post = fake.store.create_post(page, message="Flom", check_duplicate=False)
    top, gone_one = (_fb_comment(fake, post.id, t) for t in ("Er vegen stengt?", "Borte"))
    fake.store.delete_comment(gone_one)
    with pytest.raises(ConnectorError) as gone:
        fb.list_replies(gone_one.id)
    assert gone.value.code == ErrorCode.NOT_FOUND
    fake.inject(80001, path=f"/{top.id}/comments", method="GET", times=1)
    with pytest.raises(ConnectorError) as limited:
        fb.list_replies(top.id)
    assert limited.value.code == ErrorCode.THROTTLED and not limited.value.permanent


def test_instagram_reads_the_replies_edge_paged_with_their_parent(ig, fake, page) -> None:
    media = fake.store.add_ig_media(
        page.ig_user_id, caption="Flom", media_url="https://cdn.example/a.jpg"
    )
    top = _ig_comment(fake, media.id, "Er vegen stengt?", minutes_ago=90)
    other = _ig_comment(fake, media.id, "En annen tråd", minutes_ago=80)
    _ig_comment(fake, other.id, "Ikke denne", minutes_ago=75)
    replies = [_ig_comment(fake, top.id, f"Svar {i}", minutes_ago=70 - 10 * i) for i in range(3)]
    ours = ig.reply(replies[0].id, "Til klokka 15.")  # a reply to a reply joins the top

    thread = list(iterate_pages(lambda c: ig.list_replies(top.id, cursor=c, limit=2)))
    assert [c.id for c in thread] == [r.id for r in replies] + [ours.id]
    assert {c.parent_id for c in thread} == {top.id}
    assert [c.post_id for c in thread] == [media.id] * 4
    assert thread[-1].is_page_author and thread[-1].text == "Til klokka 15."
    assert ("GET", f"/{top.id}/replies") in fake.store.requests
    # The replies edge takes no time filter: `since` is applied by the connector.
    recent = ig.list_replies(top.id, since=NOW - timedelta(minutes=55)).items
    assert [c.id for c in recent] == [replies[2].id, ours.id]
    assert supports(ig, Capability.THREAD_SOURCE)


def test_instagram_a_deleted_comment_and_meta_s_rate_limit_are_errors(ig, fake, page) -> None:
    media = fake.store.add_ig_media(
        page.ig_user_id, caption="Flom", media_url="https://cdn.example/a.jpg"
    )
    top, gone_one = (_ig_comment(fake, media.id, t) for t in ("Er vegen stengt?", "Borte"))
    gone_one.deleted = True  # "replies to deleted comments cannot be read" (§4.3)
    with pytest.raises(ConnectorError) as gone:
        ig.list_replies(gone_one.id)
    assert gone.value.code == ErrorCode.NOT_FOUND
    fake.inject(80002, path=f"/{top.id}/replies", method="GET", times=1)
    with pytest.raises(ConnectorError) as limited:
        ig.list_replies(top.id)
    assert limited.value.code == ErrorCode.THROTTLED and not limited.value.permanent


def test_the_simulated_page_reads_a_thread_at_every_level() -> None:
    sim = get_connector("simulated", {"seed": 7, "now": lambda: NOW, "history_days": 7})
    post = sim.list_posts().items[0]
    top = next(
        c for c in sim.list_comments(post.id).items if not c.is_page_author and not c.parent_id
    )
    first = sim.reply(top.id, "Hei! Takk for spørsmålet.")
    deeper = sim.reply(first.id, "Vi svarer her også.")
    thread = list(iterate_pages(lambda c: sim.list_replies(top.id, cursor=c, limit=1)))
    everything = sim.list_comments(post.id, limit=10_000).items
    under_top = [c.id for c in everything if c.parent_id == top.id]
    assert set(under_top) | {deeper.id} == {c.id for c in thread}
    assert [c.id for c in thread][-2:] == [first.id, deeper.id]  # oldest first
    assert {c.id: c.parent_id for c in thread}[deeper.id] == first.id
    sim.delete_comment(top.id)
    with pytest.raises(ConnectorError) as gone:
        sim.list_replies(top.id)
    assert gone.value.code == ErrorCode.NOT_FOUND
