"""Issue #14: after an outage Meta sends the same changes again, in other envelopes (other
bytes, so the receipt's SHA-256 does not catch them). The drain takes each comment once
— a retry in the same batch and a retry of a stored comment cost no query of their own
and no second triage — every delivery is processed with its events counted as ingested,
and the inbox holds each comment once with one version and one "arrived" event (DI-1)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem, ItemEvent, ItemVersion
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = pytest.mark.django_db

PAGE = "1515151"
COMMENTS = 30


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def _value(n: int) -> dict:
    return comment_value(
        PAGE, f"c{n}", message=f"Når åpner hallen på Ørsta igjen? ({n})", author=(f"55{n}", "Ola")
    )


def _store(values: list[dict], at) -> WebhookDelivery:
    body = feed_body(values, PAGE)
    return WebhookDelivery.objects.create(
        received_at=at,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.RECEIVED,
    )


def test_retried_changes_are_taken_once_and_cost_no_queries_each(
    channel, django_assert_max_num_queries
) -> None:
    start = timezone.now() - timedelta(minutes=10)
    # The outage's backlog: every comment once, and ten of them again beside another.
    first = [_store([_value(n)], start + timedelta(seconds=n)) for n in range(COMMENTS)]
    first += [
        _store([_value(n), _value(n + 1)], start + timedelta(seconds=40 + n)) for n in range(10)
    ]
    with django_assert_max_num_queries(28):  # 23 here; one at a time ≥ 7 a comment
        assert webhooks.deliveries_drain() == len(first)

    # Later, the same changes once more (stored comments now), in pairs.
    again = [
        _store([_value(n), _value(n + 2)], start + timedelta(minutes=5, seconds=n))
        for n in range(COMMENTS - 2)
    ]
    with django_assert_max_num_queries(18):  # 15 here, whatever the number of repeats
        assert webhooks.deliveries_drain() == len(again)

    deliveries = WebhookDelivery.objects.filter(pk__in=[d.pk for d in first + again])
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PROCESSED}
    for delivery in deliveries:
        assert (delivery.ingested, delivery.failed_events) == (delivery.events, 0)
    items = InboxItem.objects.filter(channel=channel)
    assert items.count() == COMMENTS
    assert all(item.triaged_at and item.due_at for item in items)
    assert ItemVersion.objects.filter(item__channel=channel).count() == COMMENTS
    arrived = ItemEvent.objects.filter(item__channel=channel, action="arrived")
    assert arrived.count() == COMMENTS
    # Each item keeps the time its comment first came.
    c5 = items.get(platform_id="c5")
    assert c5.received_at == first[5].received_at
