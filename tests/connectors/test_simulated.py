"""The simulated platform: deterministic, realistic, every capability."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ordstyrer.connectors.base import (
    Capability,
    ConnectorError,
    Draft,
    ErrorCode,
    Media,
    iterate_pages,
    supports,
)
from ordstyrer.connectors.registry import get_connector
from ordstyrer.connectors.simulated.connector import SimulatedConnector
from ordstyrer.connectors.simulated.corpus import CATEGORIES, load_corpus
from ordstyrer.connectors.simulated.platform import SimulatedPlatform

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> SimulatedConnector:
    return get_connector("simulated", {"seed": 7, "now": clock, "history_days": 7})


def test_corpus_is_large_varied_and_bilingual() -> None:
    corpus = load_corpus()
    assert len(corpus.posts) >= 30 and len(corpus.comments) >= 300
    by_category = Counter(c.category for c in corpus.comments)
    assert set(by_category) == set(CATEGORIES) and min(by_category.values()) >= 15
    for category in CATEGORIES:  # every category in both written standards
        langs = {c.lang for c in corpus.comments if c.category == category and c.lang}
        assert "nb" in langs, category
    assert sum(c.lang == "nn" for c in corpus.comments) >= 40
    assert {p.lang for p in corpus.posts} == {"nb", "nn"}
    topics = {p.topic for p in corpus.posts}
    assert {
        "water",
        "roads",
        "school",
        "kindergarten",
        "nursing_home",
        "culture_school",
        "council",
        "may17",
    } <= topics
    assert sum(1 for c in corpus.comments if c.edited) >= 15
    assert len({c.text for c in corpus.comments}) == len(corpus.comments)


def test_every_capability(sim: SimulatedConnector) -> None:
    assert sim.capabilities == frozenset(Capability)
    assert all(supports(sim, cap) for cap in Capability)


def test_same_seed_and_clock_give_the_same_world(clock: Clock) -> None:
    a = get_connector("simulated", {"seed": 3, "now": clock, "history_days": 5})
    b = get_connector("simulated", {"seed": 3, "now": clock, "history_days": 5})
    c = get_connector("simulated", {"seed": 4, "now": clock, "history_days": 5})
    assert a.to_state() == b.to_state()
    assert a.to_state()["comments"] != c.to_state()["comments"]


def test_stepwise_advance_equals_one_jump() -> None:
    one = SimulatedPlatform.create(seed=11, now=START, history_days=1)
    steps = SimulatedPlatform.create(seed=11, now=START, history_days=1)
    one.advance(START + timedelta(days=2))
    t = START
    while t < START + timedelta(days=2):
        t += timedelta(minutes=37)
        steps.advance(min(t, START + timedelta(days=2)))
    assert one.to_state() == steps.to_state()


def test_state_round_trips_through_json(sim: SimulatedConnector, clock: Clock) -> None:
    state = json.loads(json.dumps(sim.to_state()))
    clock.at += timedelta(hours=6)
    restored = SimulatedConnector.from_config({"state": state, "now": clock})
    sim_later = sim.list_posts().items
    assert restored.list_posts().items == sim_later
    assert restored.to_state() == sim.to_state()


def test_stream_is_realistic(sim: SimulatedConnector, clock: Clock) -> None:
    clock.at += timedelta(days=7)
    sim.list_posts()  # any call brings the platform up to `now`
    state = sim.platform.state
    comments = list(state["comments"].values())
    per_day = len(comments) / 14
    assert 25 <= per_day <= 60
    categories = Counter(c["category"] for c in comments)
    assert set(categories) == set(CATEGORIES)
    assert Counter(c["lang"] for c in comments)["nn"] > 0
    assert any(c["parent_id"] for c in comments)
    assert any(c["edited"] for c in comments) and any(c["removed"] for c in comments)
    oslo_hours = Counter(
        datetime.fromtimestamp(c["created"], tz=UTC).astimezone(START.tzinfo).hour for c in comments
    )
    night = sum(n for h, n in oslo_hours.items() if 0 <= (h + 2) % 24 < 5)  # UTC+2 in May
    evening = sum(n for h, n in oslo_hours.items() if 17 <= (h + 2) % 24 < 22)
    assert evening > 5 * max(night, 1)
    posts = [p for p in state["posts"].values() if p["published"]]
    assert all(
        datetime.fromtimestamp(p["created"], tz=UTC).weekday() < 5
        for p in posts
        if p["corpus_key"] is not None
    )
    assert len({c["author_id"] for c in comments}) > 60


def test_reading_posts_and_comments(sim: SimulatedConnector) -> None:
    posts = list(iterate_pages(lambda c: sim.list_posts(cursor=c, limit=3)))
    assert posts and posts == sorted(posts, key=lambda p: p.created_at, reverse=True)
    post = posts[-1]
    comments = list(iterate_pages(lambda c: sim.list_comments(post.id, cursor=c, limit=7)))
    assert comments and all(c.post_id == post.id for c in comments)
    assert comments == sorted(comments, key=lambda c: c.created_at)
    assert all(c.raw["simulated"]["category"] in CATEGORIES for c in comments)
    first = comments[0]
    assert sim.get_comment(first.id) == first
    assert sim.get_post(post.id).id == post.id
    since = comments[len(comments) // 2].created_at
    assert all(c.created_at >= since for c in sim.list_comments(post.id, since=since).items)
    with pytest.raises(ConnectorError) as bad:
        sim.list_posts(cursor="nonsense")
    assert bad.value.code == ErrorCode.BAD_REQUEST


def test_reply_hide_delete_and_events(sim: SimulatedConnector, clock: Clock) -> None:
    post = sim.list_posts().items[0]
    target = next(
        c for c in sim.list_comments(post.id).items if not c.is_page_author and not c.parent_id
    )
    seq = sim.events_since(0)[-1][0]
    reply = sim.reply(target.id, "Hei! Takk for spørsmålet. Hilsen Marit")
    assert reply.is_page_author and reply.parent_id == target.id
    assert sim.hide_comment(target.id) and sim.get_comment(target.id).hidden
    assert sim.unhide_comment(target.id) and not sim.get_comment(target.id).hidden
    with pytest.raises(ConnectorError) as own:
        sim.hide_comment(reply.id)
    assert own.value.code == ErrorCode.BAD_REQUEST
    assert sim.delete_comment(target.id) is True
    assert sim.delete_comment(target.id) is False
    with pytest.raises(ConnectorError) as gone:
        sim.get_comment(target.id)
    assert gone.value.code == ErrorCode.NOT_FOUND
    verbs = [(e.item, e.verb, e.is_page_author) for _, e in sim.events_since(seq)]
    assert verbs[:4] == [
        ("comment", "add", True),
        ("comment", "hide", False),
        ("comment", "unhide", False),
        ("comment", "remove", False),
    ]


def test_blocked_authors_stop_commenting(sim: SimulatedConnector, clock: Clock) -> None:
    counts = Counter(
        c["author_id"] for c in sim.platform.state["comments"].values() if not c["page_author"]
    )
    regular = counts.most_common(1)[0][0]
    assert sim.block(regular) and sim.is_blocked(regular)
    before = counts[regular]
    clock.at += timedelta(days=5)
    sim.list_posts()
    after = sum(1 for c in sim.platform.state["comments"].values() if c["author_id"] == regular)
    assert after == before
    assert sim.unblock(regular) and not sim.is_blocked(regular)
    assert sim.unblock(regular) is False


def test_publish_schedule_and_comment_switch(sim: SimulatedConnector, clock: Clock) -> None:
    post = sim.publish(
        Draft(
            text="Brannøvelse ved rådhuset i dag kl. 12.",
            media=(
                Media(
                    kind="image", url="https://k.example/b.jpg", alt_text="Brannbil foran rådhuset"
                ),
            ),
        )
    )
    assert (
        sim.list_posts().items[0].id == post.id
        and post.media[0].alt_text == "Brannbil foran rådhuset"
    )
    with pytest.raises(ConnectorError) as dup:
        sim.publish(Draft(text="Brannøvelse ved rådhuset i dag kl. 12."))
    assert dup.value.code == ErrorCode.DUPLICATE
    with pytest.raises(ConnectorError) as alt:
        sim.publish(
            Draft(
                text="Uten alt-tekst", media=(Media(kind="image", url="https://k.example/x.jpg"),)
            )
        )
    assert "PU-4" in str(alt.value)
    with pytest.raises(ConnectorError) as window:
        sim.schedule(Draft(text="For tidlig"), clock.at + timedelta(minutes=5), now=clock.at)
    assert window.value.code == ErrorCode.SCHEDULE_WINDOW
    planned = sim.schedule(
        Draft(text="Husk kommunestyremøtet i kveld"), clock.at + timedelta(hours=2), now=clock.at
    )
    assert [p.id for p in sim.list_scheduled()] == [planned.id]
    cancelled = sim.schedule(
        Draft(text="Avlyst innlegg"), clock.at + timedelta(hours=3), now=clock.at
    )
    assert sim.cancel_scheduled(cancelled.id) and not sim.cancel_scheduled(cancelled.id)
    clock.at += timedelta(hours=2, minutes=20)
    assert sim.list_scheduled() == []
    published = sim.get_post(planned.id)
    assert published.is_published and published.created_at == planned.scheduled_at
    assert sim.set_comments_enabled(post.id, False)
    n = len(sim.list_comments(post.id).items)
    clock.at += timedelta(days=1)
    assert len(sim.list_comments(post.id).items) == n
    with pytest.raises(ConnectorError) as closed:
        sim.comment(post.id, "Hei")
    assert closed.value.code == ErrorCode.COMMENTS_CLOSED
    sim.set_comments_enabled(post.id, True)
    assert sim.comment(post.id, "Velkommen!").parent_id is None


def test_insights_follow_activity(sim: SimulatedConnector, clock: Clock) -> None:
    series = sim.insights(
        ["page_post_engagements", "page_follows"],
        since=datetime(2026, 5, 1, tzinfo=UTC),
        until=datetime(2026, 5, 4, tzinfo=UTC),
    )
    assert len(series[0].values) == 3 and sum(v.value for v in series[0].values) > 0
    with pytest.raises(ConnectorError):
        sim.insights(["page_impressions"])


def test_injected_failure_and_recorder(clock: Clock) -> None:
    records = []
    sim = SimulatedConnector.from_config(
        {"seed": 2, "now": clock, "history_days": 1}, recorder=lambda **kw: records.append(kw)
    )
    sim.fail_next(
        "hide_comment", code=ErrorCode.NEEDS_REAUTH, permanent=True, message="Tilgangen er utløpt."
    )
    sim.list_posts()
    with pytest.raises(ConnectorError) as info:
        sim.hide_comment("sim-comment-1")
    assert info.value.code == ErrorCode.NEEDS_REAUTH and info.value.permanent
    assert [(r["outcome"], r["operation"]) for r in records] == [
        ("ok", "list_posts"),
        ("error", "hide_comment"),
    ]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        SimulatedPlatform.create(seed=1, now=datetime(2026, 5, 4, 8, 0))  # noqa: DTZ001 — the point of the test


def test_page_identity_from_settings(clock: Clock) -> None:
    sim = get_connector(
        "simulated",
        {"channel_id": "42", "page_name": "Gausdal kommune", "now": clock, "history_days": 1},
    )
    post = sim.list_posts().items[0]
    assert post.author.id == "42" and post.author.name == "Gausdal kommune"
