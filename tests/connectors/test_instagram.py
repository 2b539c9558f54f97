"""Instagram connector against the Graph stand-in (spec §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import (
    Capability,
    Caption,
    ConnectorError,
    Draft,
    ErrorCode,
    Media,
    iterate_pages,
    supports,
)
from ordstyrer.connectors.instagram import BLOCKING_UNSUPPORTED_NB, InstagramConnector
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import IgContainerRec, IgMediaRec, PageRec

from .conftest import NOW


def _media(fake: FakeGraph, page: PageRec, caption: str, minutes_ago: int = 0) -> IgMediaRec:
    m = fake.store.add_ig_media(
        page.ig_user_id, caption=caption, media_url="https://cdn.example/a.jpg", alt_text="Alt"
    )
    m.timestamp = NOW - timedelta(minutes=minutes_ago)
    return m


def _comment(fake, target, text, who=("178001", "kari_n"), minutes_ago=0):
    return fake.store.add_ig_comment(
        target,
        from_id=who[0],
        username=who[1],
        text=text,
        created=NOW - timedelta(minutes=minutes_ago),
    )


def _image(n: int = 0) -> Media:
    return Media(
        kind="image",
        url=f"https://kommune.example/ig{n}.jpg",
        alt_text=f"Barn leker i snøen, bilde {n}",
    )


def test_capabilities_and_blocking_explanation(ig: InstagramConnector) -> None:
    assert all(supports(ig, c) for c in ig.capabilities)
    assert not supports(ig, Capability.BLOCKER)
    assert not supports(ig, Capability.SCHEDULER)
    assert supports(ig, Capability.COMMENT_SWITCH)
    assert (
        "blokkere" in BLOCKING_UNSUPPORTED_NB
        and ig.blocking_unsupported_reason == BLOCKING_UNSUPPORTED_NB
    )


def test_list_media_with_paging(ig, fake, page) -> None:
    for i in range(3):
        _media(fake, page, f"Bilde {i}", minutes_ago=30 * (3 - i))
    items = list(iterate_pages(lambda c: ig.list_posts(cursor=c, limit=2)))
    assert [p.text for p in items] == ["Bilde 2", "Bilde 1", "Bilde 0"]
    assert items[0].comments_enabled is True and items[0].permalink.startswith(
        "https://www.instagram.com/p/"
    )


def test_comments_and_replies_flattened(ig, fake, page) -> None:
    m = _media(fake, page, "Vinterferie på biblioteket")
    top = _comment(fake, m.id, "Er det åpent lørdag? 😊", minutes_ago=30)
    reply = _comment(fake, top.id, "lurer på det samme", ("178002", "ola.n"), minutes_ago=20)
    _comment(fake, m.id, "Så fint!", ("178003", "aase_oe"), minutes_ago=10)
    comments = list(iterate_pages(lambda c: ig.list_comments(m.id, cursor=c, limit=1)))
    assert [c.text for c in comments] == [
        "Er det åpent lørdag? 😊",
        "lurer på det samme",
        "Så fint!",
    ]
    by_id = {c.id: c for c in comments}
    assert by_id[reply.id].parent_id == top.id and by_id[top.id].parent_id is None
    assert by_id[top.id].author.name == "kari_n" and by_id[top.id].post_id == m.id
    assert by_id[top.id].author.profile_url == "https://www.instagram.com/kari_n/"
    recent = ig.list_comments(m.id, since=NOW - timedelta(minutes=15))
    assert [c.text for c in recent.items] == ["Så fint!"]


def test_many_replies_follow_their_own_paging(ig, fake, page) -> None:
    m = _media(fake, page, "Kulturskolen")
    top = _comment(fake, m.id, "Når er opptaket?", minutes_ago=100)
    for i in range(30):  # more than the nested edge's default page of 25
        _comment(fake, top.id, f"svar {i}", (f"17800{i}", f"u{i}"), minutes_ago=90 - i)
    comments = ig.list_comments(m.id).items
    assert len(comments) == 31


def test_reply_to_reply_lands_under_the_top_comment(ig, fake, page) -> None:
    m = _media(fake, page, "Ny lekeplass")
    top = _comment(fake, m.id, "Når åpner den?")
    sub = _comment(fake, top.id, "Ja, når?", ("178002", "ola.n"))
    ours = ig.reply(sub.id, "Hei! Den åpner mandag. Hilsen Kari")
    assert ours.parent_id == top.id and ours.is_page_author and ours.post_id == m.id
    new_top = ig.comment(m.id, "Velkommen til åpningen!")
    assert new_top.parent_id is None and new_top.is_page_author


def test_hide_unhide_delete(ig, fake, page) -> None:
    m = _media(fake, page, "Badeplassen")
    c = _comment(fake, m.id, "Spam spam kjøp følgere her")
    assert ig.hide_comment(c.id)
    assert ig.get_comment(c.id).hidden is True
    with pytest.raises(ConnectorError):
        ig.reply(c.id, "Kan ikke svare på skjulte kommentarer")  # §4.4
    assert ig.unhide_comment(c.id)
    assert ig.get_comment(c.id).hidden is False
    own = ig.reply(c.id, "Hei")
    with pytest.raises(ConnectorError) as info:
        ig.hide_comment(own.id)  # the owner's comments cannot be hidden
    assert info.value.permanent
    assert ig.delete_comment(c.id) is True
    assert ig.delete_comment(c.id) is False
    with pytest.raises(ConnectorError) as gone:
        ig.get_comment(c.id)
    assert gone.value.code == ErrorCode.NOT_FOUND


def test_comments_off_and_on(ig, fake, page) -> None:
    m = _media(fake, page, "Stengt i fellesferien")
    assert ig.set_comments_enabled(m.id, False) is True
    assert ig.get_post(m.id).comments_enabled is False
    with pytest.raises(Exception):  # noqa: B017 — the platform refuses new comments
        _comment(fake, m.id, "Hallo?")
    ig.set_comments_enabled(m.id, True)
    assert _comment(fake, m.id, "Hallo!").text == "Hallo!"


def test_publish_single_image_polls_the_container(ig, fake, page, sleeps) -> None:
    post = ig.publish(Draft(text="Vinterens første snø ❄️", media=(_image(),)))
    assert (
        post.text == "Vinterens første snø ❄️"
        and post.media[0].alt_text == "Barn leker i snøen, bilde 0"
    )
    container = next(o for o in fake.store.objects.values() if isinstance(o, IgContainerRec))
    assert (
        container.published_media_id == post.id
        and container.alt_text == "Barn leker i snøen, bilde 0"
    )
    assert sleeps.calls == [0.5]  # one IN_PROGRESS answer, then FINISHED


def test_publish_carousel_and_reel(ig, fake, page) -> None:
    carousel = ig.publish(Draft(text="17. mai i bilder", media=tuple(_image(n) for n in range(3))))
    assert len(carousel.media) == 3 and carousel.raw["media_type"] == "CAROUSEL_ALBUM"
    reel = ig.publish(
        Draft(
            text="Se filmen fra kommunestyret",
            media=(Media(kind="video", url="https://kommune.example/f.mp4"),),
        )
    )
    assert reel.media[0].kind == "video"


def test_publish_refusals(ig) -> None:
    cases = [
        Draft(text="Bare tekst"),
        Draft(text="Uten URL", media=(Media(kind="image", content=b"x", alt_text="a"),)),
        Draft(
            text="Uten alt-tekst", media=(Media(kind="image", url="https://kommune.example/x.jpg"),)
        ),
        Draft(text="For mange", media=tuple(_image(n) for n in range(11))),
    ]
    for draft in cases:
        with pytest.raises(ConnectorError) as info:
            ig.publish(draft)
        assert info.value.permanent and info.value.code == ErrorCode.BAD_REQUEST
    with pytest.raises(ConnectorError) as captions:
        ig.publish(
            Draft(
                text="Video",
                media=(
                    Media(
                        kind="video",
                        url="https://k.example/v.mp4",
                        captions=(Caption("nb_NO", "1\n00:00:00,000 --> 00:00:01,000\nHei\n"),),
                    ),
                ),
            )
        )
    assert captions.value.code == ErrorCode.UNSUPPORTED and "PU-3" in str(captions.value)


def test_container_error_and_expiry(ig, fake, page, sleeps) -> None:
    with pytest.raises(ConnectorError) as info:
        ig.publish(
            Draft(
                text="x",
                media=(Media(kind="image", url="https://unreachable.invalid/a.jpg", alt_text="a"),),
            )
        )
    assert info.value.code == ErrorCode.MEDIA_FAILED
    fake.store.settings.container_polls = 5
    ig._sleep = lambda s: fake.store.clock.advance(13 * 3600)  # processing drags on past 24 h
    with pytest.raises(ConnectorError) as expired:
        ig.publish(Draft(text="y", media=(_image(),)))
    assert expired.value.code == ErrorCode.MEDIA_FAILED and "24 timer" in str(expired.value)


def test_publishing_limit_read_at_run_time(ig, fake, page) -> None:
    fake.store.typed(page.ig_user_id, type(fake.store.objects[page.ig_user_id])).quota_total = 1
    assert ig.publishing_quota().total == 1
    ig.publish(Draft(text="Første", media=(_image(),)))
    before = len(fake.store.requests)
    with pytest.raises(ConnectorError) as info:
        ig.publish(Draft(text="Andre", media=(_image(1),)))
    assert info.value.code == ErrorCode.PUBLISHING_LIMIT and not info.value.permanent
    assert not any(
        r[1].endswith("/media") for r in fake.store.requests[before:]
    )  # no container made
    fake.store.clock.advance(24 * 3600 + 1)
    assert ig.publishing_quota().used == 0


def test_injected_ig_limit_errors(ig, fake) -> None:
    fake.inject(9, path="/media_publish")
    with pytest.raises(ConnectorError) as info:
        ig.publish(Draft(text="z", media=(_image(),)))
    assert info.value.code == ErrorCode.PUBLISHING_LIMIT
    fake.inject(80002, path="/media", estimated_time_to_regain_access=2)
    with pytest.raises(ConnectorError) as buc:
        ig.list_posts()
    assert buc.value.code == ErrorCode.THROTTLED and buc.value.retry_after == 120


def test_insights(ig, fake, page) -> None:
    series = ig.insights(["reach", "follower_count"], since=NOW - timedelta(days=2), until=NOW)
    assert [s.metric for s in series] == ["reach", "follower_count"]
    m = _media(fake, page, "Innsikt")
    assert ig.insights(["views", "likes"], object_id=m.id)[0].values
    with pytest.raises(ConnectorError):
        ig.insights(["impressions"])
