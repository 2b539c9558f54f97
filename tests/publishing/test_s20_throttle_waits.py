"""PU-6, meta-graph-api §3.4: a post under Meta's rate limit waits; it is not given up.

A Page whose usage budget is used up answers every write with Graph 80001 (and the
client then pauses the Page's calls itself). Before, each of those answers used up one
of a delivery's six attempts (only Instagram's publishing cap was spared), and the post
failed for good after them. Now a throttled attempt uses up none and the delivery waits
Meta's time; only one Meta has kept refusing for a day since its first try
(`delivery.WAIT_LIMIT`) fails, saying so.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.graph import usage
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.publishing import delivery, rules
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish


@pytest.fixture(autouse=True)
def own_throttle_book(monkeypatch):
    """A throttle book of this test's own: the Page's pause must not outlive it."""
    monkeypatch.setattr(usage, "_shared", ThrottleBook())


TEXT = (
    "Kommunestyret møtes torsdag klokka 18 i rådhuset. Alle kan komme. "
    "Se sakene på https://indrefosen.kommune.no/politikk"
)


def test_pu6_a_throttled_post_waits_past_its_attempts_then_fails_after_a_day(connected) -> None:
    c = connected
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk)
    row = post.deliveries.get()
    c.fake.inject(80001, path="/feed", method="POST", times=-1)
    assert delivery.delivery_run(post_channel_id=row.pk) == "retrying"
    row.refresh_from_db()
    assert row.attempt_started_at is not None
    first_try = row.attempt_started_at

    for _ in range(rules.MAX_ATTEMPTS + 2):  # more tries than a delivery has attempts
        row.refresh_from_db()
        assert row.status == DeliveryStatus.QUEUED, row.error
        assert row.next_attempt_at is not None
        delivery.retry_due(now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED, row.error  # still waiting, not failed
    assert row.attempts == 0

    late = first_try + delivery.WAIT_LIMIT + timedelta(minutes=1)
    row.__class__.objects.filter(pk=row.pk).update(next_attempt_at=late - timedelta(seconds=1))
    delivery.retry_due(now=late)
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert "24 timer" in row.error and "Meta" in row.error
    assert post.status == PostStatus.FAILED
