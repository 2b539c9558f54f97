"""Meta webhooks on the Django side: store, then process (spec §2; house style "Connectors").

1. `webhook_receive` — called by the view only after `verify_signature` passed on the
   raw bytes: one insert of the exact body (SHA-256 unique, so Meta's retries of the
   same bytes are recognised) and the processing task queued on commit.
2. `delivery_process` — the task: claim the delivery with a lease (compare-and-set),
   `parse_events`, route each change to its channel by Page / Instagram account id and
   hand comments to `inbox_ingest`, which is idempotent and safe out of order (an edit
   before its add, a removal of a comment never seen, the same event twice). The
   Page's own comments are passed with `is_page_author` and never triaged as citizens'.
3. `deliveries_sweep` — the safety net: a delivery whose task was lost (the process
   died between commit and enqueue, or mid-way) or whose lease ran out is processed
   again; failed ones are retried with backoff. Re-processing is harmless because
   ingestion is idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import router, transaction
from django.db.models import F, Q
from django.utils import timezone

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import ChangeEvent, Comment
from ordstyrer.connectors.graph.webhooks import WebhookPayloadError, parse_events
from ordstyrer.inbox.models import ItemKind
from ordstyrer.platforms.models import (
    ConnectionStatus,
    DeliveryStatus,
    PlatformConnection,
    WebhookDelivery,
)

logger = logging.getLogger("ordstyrer.platforms")

COMMENT_VERBS = frozenset({"add", "edited", "edit", "remove", "delete", "hide", "unhide"})
# `feed` items that are a post on the Page (spec §2.5); by anyone but the Page: a visitor post.
POST_ITEMS = frozenset({"post", "status", "photo", "video", "share"})
LEASE_BASE = timedelta(seconds=15)
LEASE_PER_EVENT = timedelta(milliseconds=250)
LEASE_EVENTS_INCLUDED = 20  # the base lease covers this many events
# After its own delivery a task keeps taking waiting ones for this long.
DRAIN_SECONDS = 2.0
# A delivery still "received" this long after arrival lost its task (or the queue is
# far behind): the sweep processes it itself. Claims make a double run harmless.
LOST_AFTER = timedelta(seconds=10)
MAX_ATTEMPTS = 6
RETENTION = timedelta(days=30)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def webhook_receive(*, body: bytes, now: datetime | None = None) -> str:
    """Store a verified delivery durably and queue its processing; returns its SHA-256.

    One transaction, one commit: `INSERT … ON CONFLICT DO NOTHING` on the body's hash
    (the same bytes again — Meta retried a delivery we stored but whose answer was lost —
    leave the first row as it was) and, with the database task backend, the task's row
    in the same transaction. When this returns, both are committed or neither is (an
    error answers 500 and Meta retries), so a stored delivery never waits for the
    sweep because its task was lost. For a repeat the task finds the delivery already
    claimed or done. Other task backends (the immediate one in tests) are given the
    task once the row is committed.
    """
    digest = body_hash(body)
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(received_at=now or timezone.now(), body=body, sha256=digest)],
            ignore_conflicts=True,
        )
        if _task_commits_with_delivery():
            _enqueue(digest)
        else:
            transaction.on_commit(lambda: _enqueue(digest))
    return digest


def _task_commits_with_delivery() -> bool:
    """Does the task backend write its row in the delivery's database transaction?"""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ordstyrer.platforms import tasks

    return isinstance(tasks.webhook_process.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(WebhookDelivery)
    )


def _enqueue(digest: str) -> None:
    from ordstyrer.platforms import tasks

    tasks.webhook_process.enqueue(sha256=digest)


# --- processing -----------------------------------------------------------------------


@dataclass
class Outcome:
    events: int = 0
    ingested: int = 0
    ignored: int = 0
    unmatched: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claimable(now: datetime) -> Q:
    return (
        Q(status=DeliveryStatus.RECEIVED)
        | Q(status=DeliveryStatus.PROCESSING, lease_until__lt=now)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
    )


def _claim(key: dict[str, Any], now: datetime) -> WebhookDelivery | None:
    won = (
        WebhookDelivery.objects.filter(**key)
        .filter(_claimable(now))
        .update(
            status=DeliveryStatus.PROCESSING,
            lease_until=now + LEASE_BASE,
            attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    return WebhookDelivery.objects.get(**key)


def inbox_record(event: ChangeEvent) -> tuple[Comment, str | None] | None:
    """A change the inbox takes: the normalised record for `inbox_ingest` and its kind.

    * `comment` → a comment or reply (kind None: the inbox tells them apart by parent);
    * a `feed` post item (`post`, `status`, `photo`, `video`, `share`) written by someone
      other than the Page → a visitor post, keyed by its post id;
    * a Messenger `message` to the Page → a message, keyed by its `mid`.

    The Page's own posts and its Messenger echoes are not inbox items (None); its own
    comments are, marked `is_page_author` and never triaged."""
    if event.verb not in COMMENT_VERBS:
        return None
    if event.item == "comment" and event.comment_id:
        return _record(event, event.comment_id, event.post_id, event.parent_id), None
    if event.item in POST_ITEMS and event.post_id and not event.is_page_author:
        return _record(event, event.post_id, event.post_id, None), ItemKind.VISITOR_POST
    if event.item == "message" and event.comment_id and not event.is_page_author:
        return _record(event, event.comment_id, None, None), ItemKind.MESSAGE
    return None


def _record(
    event: ChangeEvent, record_id: str, post_id: str | None, parent_id: str | None
) -> Comment:
    raw_hidden = event.raw.get("is_hidden") if isinstance(event.raw, dict) else None
    hidden = event.verb == "hide" or (event.verb != "unhide" and raw_hidden is True)
    return Comment(
        id=record_id,
        post_id=post_id,
        author=event.author,
        text=event.text or "",
        created_at=event.created_at,
        parent_id=parent_id,
        edited=event.verb in {"edited", "edit"},
        removed=event.verb in {"remove", "delete"},
        hidden=hidden,
        is_page_author=event.is_page_author,
        raw=dict(event.raw) if isinstance(event.raw, dict) else {},
    )


class ChannelRouter:
    """Webhook entry id (Page id / IG account id) → channel, cached per delivery."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Channel | None] = {}

    def channel(self, platform: str, account_id: str) -> Channel | None:
        key = (platform, account_id)
        if key not in self._cache:
            self._cache[key] = self._find(platform, account_id)
        return self._cache[key]

    @staticmethod
    def _find(platform: str, account_id: str) -> Channel | None:
        connection = (
            PlatformConnection.objects.filter(platform=platform, account_id=account_id)
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .select_related("channel__municipality")
            .first()
        )
        if connection is not None:
            channel = connection.channel
        else:
            # A channel registered with its platform id but not (yet) connected here.
            channel = (
                Channel.objects.filter(kind=platform, platform_id=account_id)
                .select_related("municipality")
                .order_by("id")
                .first()
            )
        # Only an approved channel in use (or paused, or closed for comments) is fed
        # (CH-1); a retired one, or a proposal, gets nothing.
        if channel is None or channel.status not in channel_workflow.OFFICIAL:
            return None
        return channel


class Run:
    """What one task run shares across the deliveries it processes: the channel routes
    and each channel's ingestion context (one policy read per channel per run)."""

    def __init__(self) -> None:
        self.router = ChannelRouter()
        self.contexts: dict[int, Any] = {}


def process_events(
    events: list[ChangeEvent], *, received_at: datetime, run: Run | None = None
) -> Outcome:
    """Route and ingest; each comment in its own transaction, one bad event never holds
    back the rest (it is counted, logged and the delivery retried later)."""
    from ordstyrer.inbox.ingest import ingest_context
    from ordstyrer.inbox.services import inbox_ingest

    run = run or Run()
    outcome = Outcome(events=len(events))
    router, contexts = run.router, run.contexts
    for event in events:
        record = inbox_record(event)
        if record is None:
            outcome.ignored += 1
            if event.verb == "unknown":
                logger.info(
                    "webhook change not handled",
                    extra={"item": event.item, "platform": event.platform},
                )
            continue
        comment, kind = record
        channel = router.channel(event.platform, event.channel_id)
        if channel is None:
            outcome.unmatched += 1
            continue
        try:
            if channel.pk not in contexts:
                contexts[channel.pk] = ingest_context(channel)
            inbox_ingest(
                channel=channel,
                comment=comment,
                received_at=received_at,
                kind=kind,
                context=contexts[channel.pk],
            )
        except Exception as exc:  # noqa: BLE001 — count it, keep going; retried as a whole later
            outcome.failed += 1
            outcome.errors.append(f"{comment.id}: {type(exc).__name__}: {exc}"[:300])
            logger.exception(
                "webhook event could not be ingested",
                extra={"channel_id": channel.pk, "comment_id": comment.id},
            )
            continue
        outcome.ingested += 1
    return outcome


def delivery_process(
    *,
    delivery_id: int | None = None,
    sha256: str | None = None,
    now: datetime | None = None,
    drain: float = DRAIN_SECONDS,
) -> str:
    """Process one stored delivery, by id or by its body's SHA-256 (the task's key);
    then, for up to `drain` seconds, the oldest deliveries still waiting (their own
    tasks then find them done). Under a burst this shares one policy read and one
    channel lookup across many deliveries. Returns what happened to the first one."""
    if (delivery_id is None) == (sha256 is None):
        raise ValueError("give delivery_id or sha256")
    run = Run()
    key = {"pk": delivery_id} if delivery_id is not None else {"sha256": sha256}
    result = _process_one(key, now or timezone.now(), run)
    started = time.monotonic()
    while drain and time.monotonic() - started < drain:
        waiting = (
            WebhookDelivery.objects.filter(status=DeliveryStatus.RECEIVED)
            .order_by("received_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is None:
            break
        _process_one({"pk": waiting}, now or timezone.now(), run)
    return result


def _process_one(key: dict[str, Any], now: datetime, run: Run) -> str:
    delivery = _claim(key, now)
    if delivery is None:
        return "not_claimed"
    try:
        events = parse_events(bytes(delivery.body))
    except WebhookPayloadError as exc:
        # Signed by Meta but not an envelope: keep it for a human, never retry.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            error=str(exc)[:1000],
            next_attempt_at=None,
            lease_until=None,
        )
        return "malformed"
    if len(events) > LEASE_EVENTS_INCLUDED:
        lease = LEASE_BASE + LEASE_PER_EVENT * len(events)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(lease_until=now + lease)
    outcome = process_events(events, received_at=delivery.received_at, run=run)
    finished = timezone.now()
    values: dict[str, Any] = {
        "events": outcome.events,
        "ingested": outcome.ingested,
        "ignored": outcome.ignored,
        "unmatched": outcome.unmatched,
        "failed_events": outcome.failed,
        "lease_until": None,
    }
    if outcome.failed:
        attempts = delivery.attempts
        retry = attempts < MAX_ATTEMPTS
        values.update(
            status=DeliveryStatus.FAILED,
            error="\n".join(outcome.errors)[:4000],
            next_attempt_at=finished + timedelta(minutes=2**attempts) if retry else None,
        )
    else:
        values.update(
            status=DeliveryStatus.PROCESSED,
            processed_at=finished,
            error="",
            next_attempt_at=None,
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
    return str(values["status"])


def deliveries_sweep(*, now: datetime, budget: float = 8.0, limit: int = 500) -> int:
    """Process deliveries whose task was lost, whose worker died (lease ran out) or
    that failed and are due again; and drop processed ones past retention."""
    due = (
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.RECEIVED, received_at__lt=now - LOST_AFTER)
            | Q(status=DeliveryStatus.PROCESSING, lease_until__lt=now)
            | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    started = time.monotonic()
    handled = 0
    for delivery_id in list(due):
        if time.monotonic() - started > budget:
            break
        if delivery_process(delivery_id=delivery_id, now=now, drain=0) != "not_claimed":
            handled += 1
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.PROCESSED, processed_at__lt=now - RETENTION
    ).delete()
    return handled
