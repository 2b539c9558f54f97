"""The webhook endpoint: handshake, signature over raw bytes (æøå), durable storage
before 200, processing exactly once, duplicates and disorder, the Page's own comments
(spec §2.2–§2.5)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from ordstyrer.connectors.graph.webhooks import sign
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, PlatformConnection, WebhookDelivery
from tests.platforms.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    comment_value,
    feed_body,
    ig_body,
    make_channel,
    post_signed,
)

pytestmark = pytest.mark.django_db

PAGE = "1010101"
NORWEGIAN = "Hvorfor er brøytingen i Ærøveien så dårlig? Blåbærsyltetøy til alle 😀"


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def _post(client, body: bytes, capture) -> object:
    with capture(execute=True):
        return post_signed(client, body)


# --- handshake ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status"),
    [
        (
            {
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
            200,
        ),
        ({"hub.mode": "subscribe", "hub.verify_token": "feil", "hub.challenge": "1"}, 403),
        ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}, 403),
        ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}, 403),
        ({}, 403),
    ],
)
def test_handshake(client, params, status) -> None:
    response = client.get("/webhooks/meta/", params)
    assert response.status_code == status
    if status == 200:
        # The challenge exactly as received, as plain text (spec §2.2).
        assert response.content == b"1158201444"
        assert response["Content-Type"].startswith("text/plain")


def test_handshake_refused_without_a_configured_verify_token(client, settings) -> None:
    settings.META_VERIFY_TOKEN = ""
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "5"}
    assert client.get("/webhooks/meta/", params).status_code == 403


# --- signature and storage --------------------------------------------------------------


@pytest.mark.parametrize("escape_slashes", [False, True])
def test_signed_norwegian_text_is_stored_raw_and_processed_once(
    client, channel, django_capture_on_commit_callbacks, escape_slashes
) -> None:
    body = feed_body(
        [comment_value(PAGE, "222_9001", message=NORWEGIAN)], PAGE, escape_slashes=escape_slashes
    )
    assert b"\\u00f8" in body and "ø".encode() not in body  # Meta's escaped style
    response = _post(client, body, django_capture_on_commit_callbacks)
    assert response.status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body  # the exact bytes, never re-serialised
    assert delivery.sha256 == hashlib.sha256(body).hexdigest()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert (delivery.events, delivery.ingested, delivery.attempts) == (1, 1, 1)
    item = InboxItem.objects.get(channel=channel)
    assert item.platform_id == "222_9001" and item.text == NORWEGIAN
    assert item.author_name == "Kari Nordmann" and not item.from_page
    assert item.triaged_at is not None and item.category  # triaged as a citizen's comment

    # Meta retries the same bytes: acknowledged, recognised, not processed again.
    again = _post(client, body, django_capture_on_commit_callbacks)
    assert again.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().attempts == 1
    assert InboxItem.objects.filter(channel=channel).count() == 1


def test_the_view_writes_one_row_and_nothing_else(client, channel) -> None:
    body = feed_body([comment_value(PAGE, "222_9002")], PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = post_signed(client, body)  # on-commit work is not run here
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SELECT"))
    ]
    assert len(writes) == 1 and "platforms_webhookdelivery" in writes[0]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.RECEIVED


DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "OPTIONS": {"DRAINS_WEBHOOKS": True},
    }
}


def test_with_the_database_queue_the_receipt_is_one_insert_and_a_drain_triages_it(
    client, channel, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = DB_TASKS
    body = feed_body([comment_value(PAGE, "222_9005", message=NORWEGIAN)], PAGE)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = post_signed(client, body)
    assert response.status_code == 200
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("INSERT")
    assert "PLATFORMS_WEBHOOKDELIVERY" in statements[0]
    # No task row: the workers poll the delivery table (deliveries_drain).
    assert callbacks == [] and DBTaskResult.objects.count() == 0
    assert WebhookDelivery.objects.get().status == DeliveryStatus.RECEIVED
    assert webhooks.deliveries_drain() == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert InboxItem.objects.get(platform_id="222_9005").triaged_at is not None
    assert webhooks.deliveries_drain() == 0


def test_a_drain_takes_a_burst_in_batches_and_each_delivery_once(client, channel) -> None:
    bodies = [
        feed_body([comment_value(PAGE, f"222_93{n:02d}", message=NORWEGIAN)], PAGE)
        for n in range(webhooks.DRAIN_BATCH * 2 + 3)
    ]
    for body in bodies:
        assert post_signed(client, body).status_code == 200  # on-commit work not run here
    assert webhooks.deliveries_drain() == len(bodies)
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.PROCESSED, 1)
    }
    assert InboxItem.objects.filter(channel=channel).count() == len(bodies)


def test_a_drain_triages_a_batch_together_or_else_each_comment_alone(
    client, channel, monkeypatch
) -> None:
    from ordstyrer.inbox import ingest

    def post_three(prefix: str) -> list[str]:
        texts = [f"{NORWEGIAN} ({prefix}{n})" for n in range(3)]
        for n, text in enumerate(texts):
            body = feed_body([comment_value(PAGE, f"222_{prefix}{n}", message=text)], PAGE)
            assert post_signed(client, body).status_code == 200
        return texts

    calls: list[list[str]] = []
    triage_texts = ingest.triage_mod.triage_texts
    monkeypatch.setattr(
        ingest.triage_mod,
        "triage_texts",
        lambda texts, policy, **kw: calls.append(list(texts)) or triage_texts(texts, policy, **kw),
    )
    texts = post_three("95")
    assert webhooks.deliveries_drain() == 3
    assert calls == [texts]  # one batch for the three deliveries, nothing triaged again

    def broken(*args, **kwargs):
        raise RuntimeError("modellen er borte")

    monkeypatch.setattr(ingest, "pretriage", broken)
    calls.clear()
    texts = post_three("96")
    assert webhooks.deliveries_drain() == 3
    assert calls == [[t] for t in texts]  # each on its own instead
    items = InboxItem.objects.filter(channel=channel)
    assert items.count() == 6 and all(i.triaged_at and i.category for i in items)


def test_when_the_task_cannot_be_handed_over_the_delivery_stays_for_a_drain(
    client, channel, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def queue_down(*args, **kwargs):
        raise DatabaseError("køen er nede")

    monkeypatch.setattr(ImmediateBackend, "enqueue", queue_down)
    body = feed_body([comment_value(PAGE, "222_9006")], PAGE)
    # The hand-over runs once the row is committed (in the view: before it answers, so
    # Meta gets a 500 and sends the same bytes again, which is harmless).
    with pytest.raises(DatabaseError), django_capture_on_commit_callbacks(execute=True):
        post_signed(client, body)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.RECEIVED  # kept
    assert webhooks.deliveries_drain() == 1
    assert InboxItem.objects.filter(platform_id="222_9006").count() == 1


@pytest.mark.parametrize(
    "case",
    [
        "wrong_secret",
        "altered_body",
        "missing",
        "sha1_only",
        "malformed",
        "uppercase_scheme_bad_hex",
    ],
)
def test_forged_or_altered_signatures_are_refused_and_nothing_is_stored(
    client, channel, case
) -> None:
    body = feed_body([comment_value(PAGE, "222_9003", message=NORWEGIAN)], PAGE)
    header = {
        "wrong_secret": sign(body, "en-annen-hemmelighet"),
        # A valid signature of the original, sent with one character changed (ø → o).
        "altered_body": sign(body, APP_SECRET),
        "missing": "",
        "sha1_only": "sha1=" + hashlib.sha1(body).hexdigest(),  # noqa: S324 — what Meta also sends
        "malformed": "sha256=zz",
        "uppercase_scheme_bad_hex": "SHA256=" + "0" * 64,
    }[case]
    sent = body.replace(b"\\u00f8", b"o", 1) if case == "altered_body" else body
    response = post_signed(client, sent, header=header)
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 0
    assert InboxItem.objects.count() == 0


def test_no_app_secret_configured_refuses_everything(client, channel, settings) -> None:
    body = feed_body([comment_value(PAGE, "222_9004")], PAGE)
    settings.META_APP_SECRET = ""
    assert post_signed(client, body, header=sign(body, "")).status_code == 403
    assert WebhookDelivery.objects.count() == 0


def test_other_methods_are_not_allowed(client) -> None:
    assert client.put("/webhooks/meta/").status_code == 405


# --- processing: routing, duplicates, disorder, own comments ---------------------------


def test_edit_before_add_and_remove_of_an_unknown_comment(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    edited = comment_value(
        PAGE, "222_9010", verb="edited", message="Når kommer vannet? (endret)", created=1777712500
    )
    added = comment_value(PAGE, "222_9010", message="Når kommer vannet?")
    removed = comment_value(PAGE, "222_9011", verb="remove", message=None)
    for value in (edited, added, removed):
        _post(client, feed_body([value], PAGE), django_capture_on_commit_callbacks)

    item = InboxItem.objects.get(channel=channel, platform_id="222_9010")
    assert item.text == "Når kommer vannet? (endret)"  # the late "add" does not win
    assert item.edited
    tombstone = InboxItem.objects.get(channel=channel, platform_id="222_9011")
    assert tombstone.removed_at is not None and not tombstone.open
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 3


def test_the_same_event_in_two_different_deliveries_is_one_item(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    one = comment_value(PAGE, "222_9020", message="Takk for god informasjon!")
    other = comment_value(PAGE, "222_9021", message="Hvor kan jeg søke?")
    _post(client, feed_body([one], PAGE), django_capture_on_commit_callbacks)
    _post(
        client, feed_body([other, one], PAGE), django_capture_on_commit_callbacks
    )  # batched again
    assert WebhookDelivery.objects.count() == 2
    assert sorted(InboxItem.objects.values_list("platform_id", flat=True)) == [
        "222_9020",
        "222_9021",
    ]


def test_the_pages_own_comment_is_recorded_but_never_triaged(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    citizen = comment_value(PAGE, "222_9030", message="Når åpner svømmehallen?")
    own = comment_value(
        PAGE,
        "222_9031",
        message="Hei! Svømmehallen åpner mandag.",
        author=(PAGE, "Eksempel kommune"),
        parent="222_9030",
        created=1777712600,
    )
    _post(client, feed_body([citizen, own], PAGE), django_capture_on_commit_callbacks)
    page_item = InboxItem.objects.get(channel=channel, platform_id="222_9031")
    assert page_item.from_page and not page_item.listed and not page_item.open
    assert page_item.triaged_at is None and page_item.category == ""
    citizen_item = InboxItem.objects.get(channel=channel, platform_id="222_9030")
    assert not citizen_item.from_page and citizen_item.triaged_at is not None


def test_instagram_comment_is_routed_by_account_id(
    client, personas, django_capture_on_commit_callbacks
) -> None:
    ig = make_channel(personas, kind="instagram", name="Eksempel på Instagram")
    PlatformConnection.objects.create(
        channel=ig,
        platform="instagram",
        account_id="17841400000",
        page_id=PAGE,
        method="system_user",
        connected_at=timezone.now(),
    )
    _post(
        client,
        ig_body("17841400000", "1790000001", "Så fint bilde fra Ørland!"),
        django_capture_on_commit_callbacks,
    )
    item = InboxItem.objects.get(channel=ig)
    assert item.text == "Så fint bilde fra Ørland!" and item.post_id == "1790001"


def test_events_for_an_unknown_page_are_counted_not_lost(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    _post(
        client,
        feed_body([comment_value("999", "333_1")], "999"),
        django_capture_on_commit_callbacks,
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED and delivery.unmatched == 1
    assert InboxItem.objects.count() == 0


def test_non_comment_changes_are_ignored(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    reaction = {
        "item": "reaction",
        "verb": "add",
        "post_id": f"{PAGE}_222",
        "reaction_type": "like",
        "from": {"id": "1"},
    }
    _post(client, feed_body([reaction], PAGE), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.ignored, delivery.ingested) == (1, 0)


# --- kinds: visitor posts and messages ---------------------------------------------------


def _post_value(post: str, *, author: tuple[str, str], verb: str = "add", **extra) -> dict:
    return {
        "item": "post",
        "verb": verb,
        "post_id": post,
        "from": {"id": author[0], "name": author[1]},
        "message": "Hvem har ansvar for gatelyset i Øvre Årdal? Det er mørkt!",
        "created_time": 1777712472,
        **extra,
    }


def test_a_visitors_post_on_the_page_is_a_visitor_post_and_its_comments_comments(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    post = f"{PAGE}_777"
    values = [
        _post_value(post, author=("5550009", "Per Borgar")),
        comment_value(PAGE, "777_1", message="Enig, det er farlig.") | {"post_id": post},
        # The Page's own post (it publishes: item status, from the Page) is not an item.
        _post_value(f"{PAGE}_778", author=(PAGE, "Eksempel kommune")) | {"item": "status"},
    ]
    values[1]["parent_id"] = post
    _post(client, feed_body(values, PAGE), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.ingested, delivery.ignored) == (2, 1)
    visitor = InboxItem.objects.get(channel=channel, platform_id=post)
    assert visitor.kind == "visitor_post" and visitor.author_name == "Per Borgar"
    assert visitor.text.startswith("Hvem har ansvar") and visitor.triaged_at is not None
    assert visitor.open and not visitor.from_page
    assert InboxItem.objects.get(platform_id="777_1").kind == "comment"
    assert not InboxItem.objects.filter(platform_id=f"{PAGE}_778").exists()


def test_a_visitor_post_edited_and_removed_updates_the_same_item(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    post = f"{PAGE}_779"
    visitor = ("5550010", "Gro Haugen")
    _post(
        client,
        feed_body([_post_value(post, author=visitor, verb="edited", message="Rettet: ø")], PAGE),
        django_capture_on_commit_callbacks,
    )  # the edit before its add (disorder)
    _post(
        client,
        feed_body([_post_value(post, author=visitor)], PAGE),
        django_capture_on_commit_callbacks,
    )
    item = InboxItem.objects.get(platform_id=post)
    assert item.kind == "visitor_post" and item.text == "Rettet: ø"
    _post(
        client,
        feed_body([_post_value(post, author=visitor, verb="remove")], PAGE),
        django_capture_on_commit_callbacks,
    )
    item.refresh_from_db()
    assert InboxItem.objects.filter(platform_id=post).count() == 1
    assert item.removed_at is not None and not item.open


def _messenger_body(*events: dict) -> bytes:
    envelope = {
        "object": "page",
        "entry": [{"id": PAGE, "time": 1777712472000, "messaging": list(events)}],
    }
    return json.dumps(envelope, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _message(mid: str, sender: str, text: str, **extra) -> dict:
    return {
        "sender": {"id": sender},
        "recipient": {"id": PAGE if sender != PAGE else "2470001"},
        "timestamp": 1777712472123,
        "message": {"mid": mid, "text": text, **extra},
    }


def test_messenger_messages_are_messages_and_the_pages_echoes_are_not_items(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    body = _messenger_body(
        _message("m_AbC1", "2470001", "Hei! Når tømmes søpla i Bjørkeveien?"),
        _message("m_AbC2", PAGE, "Tirsdag.", is_echo=True),
        {"sender": {"id": "2470001"}, "recipient": {"id": PAGE}, "read": {"watermark": 1}},
    )
    _post(client, body, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.events, delivery.ingested, delivery.ignored) == (3, 1, 2)
    item = InboxItem.objects.get(channel=channel)
    assert item.kind == "message" and item.platform_id == "m_AbC1"
    assert item.text == "Hei! Når tømmes søpla i Bjørkeveien?" and item.triaged_at is not None
    assert item.author_platform_id == "2470001" and item.post_id == ""
    assert item.platform_created_at.timestamp() == pytest.approx(1777712472.123)


def test_signed_but_malformed_body_is_kept_and_not_retried(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    _post(client, b'{"objekt": "side"}', django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert webhooks.deliveries_drain(now=timezone.now() + timedelta(days=1)) == 0


# --- lost tasks, dead workers, failures ---------------------------------------------------


def test_a_delivery_whose_task_never_ran_is_processed_by_a_drain(client, channel) -> None:
    body = feed_body([comment_value(PAGE, "222_9040", message=NORWEGIAN)], PAGE)
    assert post_signed(client, body).status_code == 200  # the on-commit enqueue never ran
    assert webhooks.deliveries_drain() == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert InboxItem.objects.filter(platform_id="222_9040").count() == 1


def test_a_worker_that_died_mid_way_leaves_it_to_the_sweep(client, channel) -> None:
    body = feed_body([comment_value(PAGE, "222_9050")], PAGE)
    post_signed(client, body)
    now = timezone.now()
    WebhookDelivery.objects.update(
        status=DeliveryStatus.PROCESSING, lease_until=now + timedelta(seconds=30), attempts=1
    )
    assert webhooks.deliveries_drain(now=now) == 0  # the lease still holds
    assert webhooks.deliveries_drain(now=now + timedelta(seconds=31)) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED and delivery.attempts == 2


def test_a_failing_event_does_not_hold_back_the_others_and_is_retried(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    too_long = "9" * 300  # inbox_ingest refuses ids over 255 characters
    body = feed_body([comment_value(PAGE, too_long), comment_value(PAGE, "222_9060")], PAGE)
    _post(client, body, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert (delivery.ingested, delivery.failed_events) == (1, 1)
    assert delivery.next_attempt_at is not None
    assert InboxItem.objects.filter(platform_id="222_9060").exists()
    # Retried with backoff until the attempts run out, then left for a human.
    now = delivery.next_attempt_at
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliveries_drain(now=now + timedelta(days=1))
        now += timedelta(days=1)
    delivery.refresh_from_db()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS and delivery.next_attempt_at is None
    assert InboxItem.objects.filter(platform_id="222_9060").count() == 1


def test_disconnected_channel_no_longer_receives(
    client, channel, django_capture_on_commit_callbacks
) -> None:
    # The channel keeps its registered platform id: that alone routes nothing.
    PlatformConnection.objects.filter(channel=channel).update(status="disconnected")
    _post(
        client,
        feed_body([comment_value(PAGE, "222_9070")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert WebhookDelivery.objects.get().unmatched == 1


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_a_channel_not_in_use_gets_nothing(
    client, personas, django_capture_on_commit_callbacks, status
) -> None:
    make_channel(personas, platform_id=PAGE, status=status)
    _post(
        client,
        feed_body([comment_value(PAGE, "222_9080")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert WebhookDelivery.objects.get().unmatched == 1
    assert InboxItem.objects.count() == 0


def test_a_closed_channel_still_receives(
    client, personas, django_capture_on_commit_callbacks
) -> None:
    channel = make_channel(personas, platform_id=PAGE, status="closed")
    _post(
        client,
        feed_body([comment_value(PAGE, "222_9081")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert InboxItem.objects.filter(channel=channel, platform_id="222_9081").exists()


def test_processed_deliveries_are_forgotten_after_retention_and_others_are_kept(
    client, channel
) -> None:
    for n in (1, 2):
        post_signed(client, feed_body([comment_value(PAGE, f"222_940{n}")], PAGE))
    webhooks.deliveries_drain()
    post_signed(client, b'{"objekt": "side"}')  # will fail: kept for a human
    webhooks.deliveries_drain()
    later = timezone.now() + webhooks.RETENTION + timedelta(minutes=1)
    assert webhooks.deliveries_forget(now=timezone.now()) == 0
    assert webhooks.deliveries_forget(now=later) == 2
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    assert InboxItem.objects.filter(channel=channel).count() == 2  # the inbox keeps them
