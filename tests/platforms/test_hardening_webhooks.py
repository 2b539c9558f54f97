"""Issue #18: one poisoned webhook delivery must not stall the others.

A validly signed but deeply nested body made `json.loads` raise `RecursionError`, which
escaped `parse_events`: the whole claimed batch stayed `processing`, was re-claimed every
lease and crashed again past MAX_ATTEMPTS, and the ordinary comments around it never
reached the inbox. Now: such a body is refused at receipt (400, nothing stored); one
already stored fails alone with its reason; the attempts are enforced on claim; and the
stored copy of a processed body holds no national ID number in clear (PU-1).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from config.wsgi import application
from ordstyrer.connectors.graph.webhooks import MAX_DEPTH, parse_events
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import comment_value, feed_body, make_channel, post_signed

pytestmark = pytest.mark.django_db

PAGE = "1818181"
# A valid fødselsnummer (check digits right), as a citizen might write it.
NATIONAL_ID = "05099242649"
DEEP = b"[" * 200_000 + b"]" * 200_000  # json.loads: RecursionError


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def _store(body: bytes, *, at=None) -> WebhookDelivery:
    """A delivery as stored before the receipt refused deep bodies (or by another version)."""
    return WebhookDelivery.objects.create(
        received_at=at or timezone.now(),
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.RECEIVED,
    )


def _ordinary(n: int) -> bytes:
    return feed_body([comment_value(PAGE, f"222_18{n:03d}", message=f"Spørsmål nr. {n}")], PAGE)


# --- receipt ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"object":"page","entry":' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
        b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":'
        + b'{"a":' * 100
        + b"1"
        + b"}" * 100
        + b"}]}]}",
    ],
    ids=["recursion", "just-over-the-limit", "deep-value"],
)
def test_a_signed_body_nested_too_deep_is_refused_with_400_and_not_stored(
    client, channel, body
) -> None:
    assert post_signed(client, body).status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_brackets_inside_strings_do_not_count_as_nesting(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    body = feed_body([comment_value(PAGE, "222_18500", message="[" * 500 + "{" * 500)], PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(client, body).status_code == 200
    assert InboxItem.objects.get(platform_id="222_18500").text == "[" * 500 + "{" * 500


@pytest.mark.django_db(transaction=True)
def test_the_fast_wsgi_receipt_refuses_deep_and_huge_bodies_before_storing(personas) -> None:
    from tests.platforms.test_receipt_wsgi import call

    make_channel(personas, platform_id=PAGE)
    from ordstyrer.connectors.graph.webhooks import MAX_BODY_BYTES, sign
    from tests.platforms.conftest import APP_SECRET

    assert application is not None
    status, _, _ = call("POST", body=DEEP, headers={"X-Hub-Signature-256": sign(DEEP, APP_SECRET)})
    assert status.startswith("400")
    huge = b'{"object":"page","entry":[],"x":"' + b"a" * MAX_BODY_BYTES + b'"}'
    status, _, _ = call("POST", body=huge, headers={"X-Hub-Signature-256": sign(huge, APP_SECRET)})
    assert status.startswith("413")
    assert not WebhookDelivery.objects.exists()


# --- poison isolation in the queue --------------------------------------------------------


def test_a_poisoned_delivery_among_ordinary_comments_fails_alone_with_its_reason(
    channel,
) -> None:
    start = timezone.now() - timedelta(seconds=30)
    for n in range(5):
        _store(_ordinary(n), at=start + timedelta(seconds=n))
    poison = _store(DEEP, at=start + timedelta(seconds=5, milliseconds=500))
    for n in range(5, 11):
        _store(_ordinary(n), at=start + timedelta(seconds=n + 1))

    assert webhooks.deliveries_drain() == 12

    assert InboxItem.objects.filter(channel=channel).count() == 11  # every ordinary comment
    poison.refresh_from_db()
    assert poison.status == DeliveryStatus.FAILED and poison.next_attempt_at is None
    assert "64" in poison.error or "dyp" in poison.error or "deeper" in poison.error
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSING).exists()
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 11


@pytest.mark.parametrize("error", [RecursionError, MemoryError, KeyError])
def test_whatever_one_body_raises_in_the_parser_fails_that_delivery_alone(
    channel, monkeypatch, error
) -> None:
    bad = _store(_ordinary(900))
    good = _store(_ordinary(901))
    real = parse_events

    def parse(raw: bytes):
        if bytes(raw) == bytes(bad.body):
            raise error("boom")
        return real(raw)

    monkeypatch.setattr(webhooks, "parse_events", parse)
    assert webhooks.deliveries_drain() == 2
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.status == DeliveryStatus.PROCESSED
    assert bad.status == DeliveryStatus.FAILED and error.__name__ in bad.error
    assert InboxItem.objects.filter(platform_id="222_18901").exists()


def test_an_exception_while_processing_one_delivery_does_not_stop_the_batch(
    channel, monkeypatch
) -> None:
    bad = _store(_ordinary(910))
    good = _store(_ordinary(911))
    real = webhooks.process_events

    def process(events, **kwargs):
        if any(e.comment_id == "222_18910" for e in events):
            raise RecursionError("maximum recursion depth exceeded")
        return real(events, **kwargs)

    monkeypatch.setattr(webhooks, "process_events", process)
    assert webhooks.deliveries_drain() == 2
    bad.refresh_from_db()
    assert bad.status == DeliveryStatus.FAILED and "RecursionError" in bad.error
    assert bad.next_attempt_at is not None  # retried later while attempts remain
    assert WebhookDelivery.objects.get(pk=good.pk).status == DeliveryStatus.PROCESSED


def test_max_attempts_is_enforced_on_claim_and_the_delivery_becomes_a_dead_letter(
    channel,
) -> None:
    now = timezone.now()
    delivery = _store(_ordinary(920))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PROCESSING,
        attempts=webhooks.MAX_ATTEMPTS,
        lease_until=now - timedelta(seconds=1),  # its worker died on the last attempt
    )
    assert webhooks.deliveries_drain(now=now) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS  # not claimed again
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert delivery.error
    assert WebhookDelivery.objects.filter(webhooks.dead_letters()).count() == 1
    # Later drains leave it alone.
    assert webhooks.deliveries_drain(now=now + timedelta(days=3)) == 0
    assert not InboxItem.objects.exists()


def test_the_task_path_also_refuses_to_claim_past_max_attempts(channel) -> None:
    now = timezone.now()
    delivery = _store(_ordinary(930))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED,
        attempts=webhooks.MAX_ATTEMPTS,
        next_attempt_at=now - timedelta(seconds=1),
    )
    assert webhooks.delivery_process(delivery_id=delivery.pk, now=now) == "not_claimed"
    delivery.refresh_from_db()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS and delivery.next_attempt_at is None


# --- PU-1: no ID numbers kept in clear in the stored body ---------------------------------


def test_a_processed_body_keeps_no_national_id_number_in_clear(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    text = f"Venter på svar om sosialhjelp, fødselsnummeret mitt er {NATIONAL_ID}"
    body = feed_body([comment_value(PAGE, "222_18940", message=text)], PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(client, body).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    stored = bytes(delivery.body)
    assert NATIONAL_ID.encode() not in stored and b"******42649" in stored
    assert delivery.sha256 == hashlib.sha256(body).hexdigest()  # Meta's retries still known
    # A retry of the same bytes is still recognised as the same delivery.
    assert post_signed(client, body).status_code == 200
    assert WebhookDelivery.objects.count() == 1
    item = InboxItem.objects.get(platform_id="222_18940")
    assert any(mark["type"] == "national_id" for mark in item.personal_data)


def test_a_failed_body_is_kept_whole_for_its_retry(channel, monkeypatch) -> None:
    text = f"Mitt fødselsnummer er {NATIONAL_ID}"
    delivery = _store(feed_body([comment_value(PAGE, "222_18950", message=text)], PAGE))

    def fail(events, **kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(webhooks, "process_events", fail)
    webhooks.deliveries_drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert NATIONAL_ID.encode() in bytes(delivery.body)
