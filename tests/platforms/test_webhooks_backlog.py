"""Issue #14: a burst's backlog is drained in bulk — a few queries a batch, not seven a
comment — while what is unusual in it still goes through `inbox_ingest` one at a time,
in order, and a poisoned delivery still fails alone (issue #18)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = pytest.mark.django_db

PAGE = "1414141"
POST = f"{PAGE}_222"
PLAIN = 60
DEEP = b"[" * 200_000 + b"]" * 200_000


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def _store(body: bytes, at) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        received_at=at,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.RECEIVED,
    )


def _one(value: dict) -> bytes:
    return feed_body([value], PAGE)


def test_a_backlog_is_drained_in_bulk_and_the_unusual_one_at_a_time(
    channel, django_assert_max_num_queries
) -> None:
    start = timezone.now() - timedelta(minutes=5)
    bodies = [
        _one(comment_value(PAGE, f"c{n}", message=f"Spørsmål nr. {n}", author=(f"55{n}", "Ola")))
        for n in range(PLAIN)
    ]
    # The unusual ones, between the plain: an edit of c3 (after its add), a follow-up by
    # c5's author under c5 (DI-3), a removal of a comment never seen, a poisoned body.
    bodies[20:20] = [_one(comment_value(PAGE, "c3", verb="edited", message="Endret spørsmål"))]
    bodies[30:30] = [
        _one(comment_value(PAGE, "r5", message="Hallo igjen?", author=("555", "Ola"), parent="c5"))
    ]
    bodies[40:40] = [_one(comment_value(PAGE, "gone", verb="remove", message=None))]
    deliveries = [_store(body, start + timedelta(seconds=n)) for n, body in enumerate(bodies)]
    poison = _store(DEEP, start + timedelta(seconds=45, milliseconds=500))

    # 62 on SQLite; one at a time this was ≥ 7 queries per comment (≥ 440 here).
    with django_assert_max_num_queries(75):
        assert webhooks.deliveries_drain() == len(deliveries) + 1

    statuses = dict(WebhookDelivery.objects.values_list("pk", "status"))
    assert {statuses[d.pk] for d in deliveries} == {DeliveryStatus.PROCESSED}
    assert statuses[poison.pk] == DeliveryStatus.FAILED
    assert set(
        WebhookDelivery.objects.exclude(pk=poison.pk).values_list("ingested", "failed_events")
    ) == {(1, 0)}

    items = InboxItem.objects.filter(channel=channel)
    assert items.count() == PLAIN + 2
    assert all(
        i.triaged_at and i.category and i.due_at for i in items.filter(listed=True, removed_at=None)
    )
    edited = items.get(platform_id="c3")
    assert (edited.text, edited.edited, edited.versions.count()) == ("Endret spørsmål", True, 2)
    follow_up = items.get(platform_id="r5")
    assert follow_up.conversation == items.get(platform_id="c5") and not follow_up.listed
    tombstone = items.get(platform_id="gone")
    assert tombstone.is_tombstone and tombstone.status == ItemStatus.CLOSED

    # Meta retries the whole backlog: nothing new, nothing twice.
    for delivery in deliveries:
        body = bytes(delivery.body) + b" "
        _store(body, timezone.now())
    assert webhooks.deliveries_drain() == len(deliveries)
    assert items.count() == PLAIN + 2
    assert items.get(platform_id="c3").versions.count() == 2
