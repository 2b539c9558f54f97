"""Several workers share a burst (issue #14): a delivery another worker holds locked is
skipped, never claimed twice, and the rest are drained meanwhile; once it is released
the next drain takes it. Real commits and a second connection, so the claim's
`FOR UPDATE SKIP LOCKED` (one `UPDATE … RETURNING` on PostgreSQL) is what is tested."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "1616161"


def _store(n: int, at) -> WebhookDelivery:
    body = feed_body([comment_value(PAGE, f"c{n}", message=f"Spørsmål nr. {n}")], PAGE)
    return WebhookDelivery.objects.create(
        received_at=at,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.RECEIVED,
    )


def test_a_delivery_another_worker_holds_is_skipped_then_taken(personas) -> None:
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("the database has no SKIP LOCKED (SQLite serialises its writers)")
    channel = make_channel(personas, platform_id=PAGE)
    start = timezone.now() - timedelta(minutes=1)
    deliveries = [_store(n, start + timedelta(seconds=n)) for n in range(6)]
    held = [d.pk for d in deliveries[:2]]  # the oldest: what every worker would take first
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(WebhookDelivery.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(30)
        assert webhooks.deliveries_drain() == 4
        status = dict(WebhookDelivery.objects.values_list("pk", "status"))
        assert [status[d.pk] for d in deliveries] == ["received"] * 2 + ["processed"] * 4
        assert [d.attempts for d in WebhookDelivery.objects.filter(pk__in=held)] == [0, 0]
    finally:
        release.set()
        thread.join(30)
    assert webhooks.deliveries_drain() == 2
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("processed", 1)}
    assert InboxItem.objects.filter(channel=channel).count() == 6
