"""A lost answer is never followed by a second copy, however many attempts fail before
reaching Meta (Graph: no idempotency key; a retry re-checks the platform first).

Each claim used to stamp the attempt anew, and the next attempt looked for an earlier
copy only around the previous attempt's start: after a few attempts that failed before
reaching Meta (the look-up itself refused), the window no longer covered the attempt
whose answer was lost, and the post went out twice. The claim now keeps the earliest
uncertain stamp until the delivery settles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import DeliveryStatus, Post, PostStatus
from tests.publishing.test_s19_delivery_lost_answer import _image, _sent, lose_answer


def _ig_media(c: Any) -> list[Any]:
    return [o for o in c.fake.store.objects.values() if type(o).__name__ == "IgMediaRec"]


def test_pu_lost_answer_then_failed_lookups_publish_once_on_instagram(connected):
    """`media_publish` reaches Meta and its answer is lost; the next three attempts find
    `GET /media` refused (code 2) and wait their backoff. The fifth finds the media made
    by the first and records it: one media on the account, the row published with its
    id, the stamp cleared once settled."""
    c = connected
    row = _sent(c, c.instagram, _image(c))
    now = timezone.now()
    lose_answer(c.fake, method="POST", path_end="/media_publish")
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "retrying"
    assert len(_ig_media(c)) == 1
    # Refused for every try of the next three attempts (the connector retries a
    # transient error itself within an attempt), then answered again.
    refused = c.fake.inject(code=2, method="GET", path="/media", times=-1)
    for _attempt in range(3):
        row.refresh_from_db()
        assert row.status == DeliveryStatus.QUEUED
        now = row.next_attempt_at + timedelta(seconds=1)
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "retrying"
        assert len(_ig_media(c)) == 1
    refused.times = 0
    row.refresh_from_db()
    now = row.next_attempt_at + timedelta(seconds=1)
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.PUBLISHED
    [only] = _ig_media(c)  # never twice
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert row.platform_id == only.id
    assert row.attempt_started_at is None  # settled: a later release starts afresh
    assert Post.objects.get(pk=row.post_id).status == PostStatus.PUBLISHED
