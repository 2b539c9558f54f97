"""Meta webhooks on the Django side: store, then process (spec §2; house style "Connectors").

1. `webhook_receive` — called by the view only after `verify_signature` passed on the
   raw bytes: one insert of the exact body (SHA-256 unique, so Meta's retries of the
   same bytes are recognised), committed on its own before the view answers 200.
2. The delivery rows are the queue: `deliveries_drain`, which every worker polls in a
   thread of its own (`WORKER_INTERVAL`), claims the waiting ones in batches with a
   lease (compare-and-set; rows another worker holds are skipped), `parse_events`,
   routes each change to its channel by the live connection of its Page / Instagram
   account id (never by a channel's registered platform id: `ChannelRouter`) and
   hands comments to `inbox_ingest`, which is idempotent and safe out of order (an
   edit before its add, a removal of a comment never seen, the same event twice). The
   Page's own comments are passed with `is_page_author` and never triaged as
   citizens'. The same drain takes up a delivery whose worker died (its lease ran
   out) and retries failed ones with backoff. Re-processing is harmless because
   ingestion is idempotent.
3. Where no worker polls (a task backend that runs tasks at once: the tests), the
   delivery is handed to the `webhook_process` task after commit instead.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import ChangeEvent, Comment
from ordstyrer.connectors.graph.webhooks import WebhookPayloadError, parse_events
from ordstyrer.core.worker import SweepClock
from ordstyrer.inbox.models import ItemKind
from ordstyrer.language.masking import mask_national_ids, scrub_json_body
from ordstyrer.platforms.models import (
    HOLDING,
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
# A drain claims this many deliveries per statement and keeps going for this long.
DRAIN_BATCH = 100
DRAIN_SECONDS = 5.0
MAX_ATTEMPTS = 6
# How long a processed delivery's body is kept (`deliveries_forget`); a dead letter that
# no municipality can see any more (or ever could: no readable entry) is kept as long,
# counted from its receipt (`deadletters.dead_letters_forget`, docs/privacy.md).
RETENTION = timedelta(days=30)
# A dead letter a municipality still sees waits this long at most for communications to
# retry or discard it; then it is deleted too (GDPR art. 5(1)(e): storage limitation).
DEAD_LETTER_RETENTION = timedelta(days=90)

_TABLE = WebhookDelivery._meta.db_table
# Plain SQL: this runs once per POST from Meta, and the ORM's bulk_create would wrap
# it in a transaction of its own (three round trips instead of one).
_RECEIVE_SQL = (
    f"INSERT INTO {_TABLE} (received_at, body, sha256, status, attempts, events, "  # noqa: S608
    "ingested, ignored, unmatched, failed_events, error) "
    "VALUES (%s, %s, %s, %s, 0, 0, 0, 0, 0, 0, '') ON CONFLICT (sha256) DO NOTHING"
)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def webhook_receive(*, body: bytes, now: datetime | None = None) -> str:
    """Store a verified delivery durably; returns its SHA-256.

    One statement, `INSERT … ON CONFLICT DO NOTHING` on the body's hash (the same bytes
    again — Meta retried a delivery we stored but whose answer was lost — leave the
    first row as it was), committed before this returns when the caller holds no
    transaction (the view). Nothing else is written: the workers' drain finds the row.
    Where no worker drains (a task backend that runs tasks at once), the processing
    task is given the delivery after commit; were that to fail, the row still waits
    for a drain.
    """
    digest = body_hash(body)
    received = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_RECEIVE_SQL, [received, body, digest, DeliveryStatus.RECEIVED.value])
    process_after_commit(digest)
    return digest


def process_after_commit(digest: str) -> None:
    """Where no worker drains the delivery table, queue the processing task of delivery
    `digest` once the transaction that stored (or reset) it commits."""
    if not _workers_drain():
        transaction.on_commit(lambda: _enqueue(digest))


def _workers_drain() -> bool:
    """Do workers poll the delivery table (`deliveries_drain`), or must the task be
    queued? The task backend's settings say so: `OPTIONS["DRAINS_WEBHOOKS"]`
    (config/settings.py sets it for the database backend, whose workers are ours)."""
    from ordstyrer.platforms import tasks

    return bool(tasks.webhook_process.get_backend().options.get("DRAINS_WEBHOOKS", False))


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
    """What a worker may claim. A delivery whose lease ran out MAX_ATTEMPTS times (its
    worker died each time: a body that kills the process) is never claimed again; the
    drain buries it (`_bury_exhausted`) as a dead letter for a human (issue #18)."""
    return (
        Q(status=DeliveryStatus.RECEIVED)
        | Q(status=DeliveryStatus.PROCESSING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS)
    )


def dead_letters() -> Q:
    """Deliveries given up on: failed with no further attempt planned. They wait for an
    administrator's "retry" or "discard" (`platforms.deadletters`)."""
    return Q(status=DeliveryStatus.FAILED, next_attempt_at__isnull=True)


def _bury_exhausted(now: datetime) -> int:
    """Mark dead the deliveries that may not be claimed again: their lease ran out on the
    last attempt, or a retry is due past the last attempt."""
    exhausted = Q(attempts__gte=MAX_ATTEMPTS) & (
        Q(status=DeliveryStatus.PROCESSING, lease_until__lt=now)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
    )
    buried = WebhookDelivery.objects.filter(exhausted).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        lease_until=None,
        error=_("Gitt opp etter %(n)s forsøk: behandlingen ble aldri fullført.")
        % {"n": MAX_ATTEMPTS},
    )
    if buried:
        logger.warning("webhook deliveries given up", extra={"deliveries": buried})
    return buried


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
    """Webhook entry id (Page id / IG account id) → channel, cached per delivery.

    Only a proven `PlatformConnection` routes (CH-1, CH-3, PU-1): its account id is unique
    among proven connections, and its token was seen to manage that Page or account
    (chosen after Facebook Login, or proven by `health.connection_verify`) by someone
    allowed to connect the channel, so it decides the channel and with it the
    municipality. One still pending (a pasted token not yet proven) routes nothing: any
    main administrator can type any public Page id. `Channel.platform_id` never routes: it is free text that any employee
    may type into a proposal, not unique and not scoped to a municipality, so a
    neighbour's channel registered with our Page id would receive our citizens'
    comments; and a channel whose connection was disconnected gets nothing more, even
    while its Page stays subscribed for a linked Instagram account's connection."""

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
            PlatformConnection.objects.filter(
                platform=platform, account_id=account_id, status__in=HOLDING
            )
            .select_related("channel__municipality")
            .first()
        )
        # Only an approved channel in use (or paused, or closed for comments) is fed
        # (CH-1); a retired one, or a proposal, gets nothing.
        if connection is None or connection.channel.status not in channel_workflow.OFFICIAL:
            return None
        return connection.channel


class Run:
    """What one task run shares across the deliveries it processes: the channel routes,
    each channel's ingestion context (one policy read per channel per run) and the
    triage of the texts, done a batch of deliveries at a time (`pretriage`)."""

    def __init__(self) -> None:
        self.router = ChannelRouter()
        self.contexts: dict[int, Any] = {}
        self.triaged: dict[int, dict[str, Any]] = {}
        # The channels whose batch triage succeeded for the batch in hand (`pretriage`).
        self.pretriaged: set[int] = set()
        # (channel id, platform id) stored by `ingest_new` for the batch in hand.
        self.stored: set[tuple[int, str]] = set()
        # The batch's processed deliveries and their columns, written by `_finish`.
        self.finished: list[tuple[WebhookDelivery, dict[str, Any]]] | None = None

    def context(self, channel: Channel) -> Any:
        from ordstyrer.inbox.ingest import ingest_context

        if channel.pk not in self.contexts:
            self.contexts[channel.pk] = ingest_context(channel)
        return self.contexts[channel.pk]

    def pretriage(self, events: list[ChangeEvent]) -> None:
        """Triage the new texts of these events in one batch per channel (a third of the
        CPU of one at a time); should it fail, each comment is triaged as it is ingested."""
        from ordstyrer.inbox.ingest import pretriage

        self.pretriaged = set()
        by_channel: dict[int, tuple[Channel, list[Comment]]] = {}
        for event in events:
            record = inbox_record(event)
            channel = record and self.router.channel(event.platform, event.channel_id)
            if record is not None and channel is not None:
                by_channel.setdefault(channel.pk, (channel, []))[1].append(record[0])
        for channel, comments in by_channel.values():
            try:
                found = pretriage(channel, comments, self.context(channel))
            except Exception:
                logger.exception("batch triage failed", extra={"channel_id": channel.pk})
                continue
            self.triaged.setdefault(channel.pk, {}).update(found)
            self.pretriaged.add(channel.pk)

    def ingest_new(self, batch: list[tuple[WebhookDelivery, list[ChangeEvent]]]) -> None:
        """Store the batch's plainly new comments at once per channel
        (`inbox.ingest.inbox_ingest_new`); `process_events` then counts those as
        ingested and hands the rest to `inbox_ingest` one at a time, as before. Should
        the batch triage or the bulk store fail for a channel, all of its comments go
        one at a time."""
        from ordstyrer.inbox.ingest import Arrival, inbox_ingest_new

        self.stored = set()
        by_channel: dict[int, tuple[Channel, list[Arrival]]] = {}
        for delivery, events in batch:
            for event in events:
                record = inbox_record(event)
                channel = record and self.router.channel(event.platform, event.channel_id)
                if record is not None and channel is not None:
                    arrival = Arrival(record[0], delivery.received_at, record[1])
                    by_channel.setdefault(channel.pk, (channel, []))[1].append(arrival)
        for channel, arrivals in by_channel.values():
            if channel.pk not in self.pretriaged:
                continue  # the batch triage failed: each is triaged as it is ingested
            try:
                stored = inbox_ingest_new(
                    channel=channel,
                    arrivals=arrivals,
                    context=self.context(channel),
                    triaged=self.triaged.get(channel.pk),
                )
            except Exception:
                logger.exception("bulk ingestion failed", extra={"channel_id": channel.pk})
                continue
            self.stored.update((channel.pk, platform_id) for platform_id in stored)


def process_events(
    events: list[ChangeEvent], *, received_at: datetime, run: Run | None = None
) -> Outcome:
    """Route and ingest; each comment in its own transaction, one bad event never holds
    back the rest (it is counted, logged and the delivery retried later)."""
    from ordstyrer.inbox.services import inbox_ingest

    run = run or Run()
    outcome = Outcome(events=len(events))
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
        channel = run.router.channel(event.platform, event.channel_id)
        if channel is None:
            outcome.unmatched += 1
            continue
        if (channel.pk, str(comment.id or "").strip()) in run.stored:
            outcome.ingested += 1  # stored with the batch (`Run.ingest_new`)
            continue
        try:
            inbox_ingest(
                channel=channel,
                comment=comment,
                received_at=received_at,
                kind=kind,
                context=run.context(channel),
                triaged=run.triaged.get(channel.pk),
            )
        except Exception as exc:  # noqa: BLE001 — count it, keep going; retried as a whole later
            outcome.failed += 1
            outcome.errors.append(_reason(f"{comment.id}: {type(exc).__name__}: {exc}")[:300])
            logger.exception(
                "webhook event could not be ingested",
                extra={"channel_id": channel.pk, "comment_id": comment.id},
            )
            continue
        outcome.ingested += 1
    return outcome


def delivery_process(
    *, delivery_id: int | None = None, sha256: str | None = None, now: datetime | None = None
) -> str:
    """Process one stored delivery, by id or by its body's SHA-256 (the task's key), if
    it waits (received, failed and due, or its lease ran out). Returns what happened."""
    if (delivery_id is None) == (sha256 is None):
        raise ValueError("give delivery_id or sha256")
    now = now or timezone.now()
    key = {"pk": delivery_id} if delivery_id is not None else {"sha256": sha256}
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
        _bury_exhausted(now)
        return "not_claimed"
    return _process_claimed([WebhookDelivery.objects.get(**key)], now, Run())[0]


def deliveries_drain(
    *, now: datetime | None = None, budget: float = DRAIN_SECONDS, batch: int = DRAIN_BATCH
) -> int:
    """The workers' queue: claim the deliveries that wait, oldest first, `batch` at a
    time in one transaction (rows another worker has locked are skipped, so several
    workers share a burst), process them, and go on until none wait or `budget`
    seconds have passed. Under a burst the channel lookups and each channel's policy
    are read once for many deliveries. Returns how many were processed.

    Each batch is leased from the time it is claimed (`SweepClock`), not from the
    drain's start: a lease stamped with the start has run out by a later batch's turn,
    and another worker's drain takes the deliveries this one is still processing."""
    run = Run()
    clock = SweepClock(now or timezone.now(), budget=timedelta(seconds=budget))
    handled = 0
    _bury_exhausted(clock.now())
    while True:
        claimed = _claim_batch(clock.now(), batch)
        handled += len(_process_claimed(claimed, clock.now(), run))
        if len(claimed) < batch or clock.spent():
            return handled


def _claim_batch(now: datetime, batch: int) -> list[WebhookDelivery]:
    if connection.vendor == "postgresql":
        return _claim_returning(now, batch)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(_claimable(now))
            .order_by("received_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PROCESSING,
            lease_until=now + LEASE_BASE,
            attempts=F("attempts") + 1,
        )
    return list(WebhookDelivery.objects.filter(pk__in=ids).order_by("received_at", "id"))


def _claim_returning(now: datetime, batch: int) -> list[WebhookDelivery]:
    """`_claim_batch` in one statement on PostgreSQL (issue #14): the same rows, chosen
    by the same `_claimable` under the same `FOR UPDATE SKIP LOCKED`, leased by an
    `UPDATE … RETURNING` — no second read of the rows, no model building per column."""
    waiting = (
        WebhookDelivery.objects.filter(_claimable(now))
        .order_by("received_at", "id")
        .select_for_update(skip_locked=True)
        .values("pk")[:batch]
    )
    table = connection.ops.quote_name(_TABLE)
    columns = ", ".join(
        connection.ops.quote_name(cast(str, f.column))  # a concrete field has a column
        for f in WebhookDelivery._meta.concrete_fields
    )
    with transaction.atomic():
        where, params = waiting.query.sql_with_params()
        claimed = list(
            WebhookDelivery.objects.raw(
                f"UPDATE {table} SET status = %s, lease_until = %s, "  # noqa: S608
                f"attempts = attempts + 1 WHERE id IN ({where}) RETURNING {columns}",
                [DeliveryStatus.PROCESSING.value, now + LEASE_BASE, *params],
            )
        )
    return sorted(claimed, key=lambda d: (d.received_at, d.pk))


def deliveries_forget(*, now: datetime) -> int:
    """Drop processed deliveries past retention (the inbox holds what they brought).
    Dead letters have a retention of their own: `deadletters.dead_letters_forget`."""
    deleted, _ = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PROCESSED, processed_at__lt=now - RETENTION
    ).delete()
    return deleted


def _process_claimed(claimed: list[WebhookDelivery], now: datetime, run: Run) -> list[str]:
    """Process deliveries this worker holds the lease of; what happened to each. The
    bodies are parsed first, and a batch with many events gets a longer lease (for all
    of it) before the work starts, so no other worker takes over a delivery that is
    still waiting its turn here; then the batch's new texts are triaged together."""
    parsed: list[tuple[WebhookDelivery, list[ChangeEvent] | str]] = []
    for delivery in claimed:
        # Each body on its own (issue #18): whatever one does to the parser fails it alone.
        try:
            parsed.append((delivery, parse_events(bytes(delivery.body))))
        except WebhookPayloadError as exc:
            parsed.append((delivery, str(exc)))
        except Exception as exc:  # noqa: BLE001 — RecursionError, MemoryError, …: this one only
            parsed.append((delivery, f"ugyldig webhook-innhold: {type(exc).__name__}"))
    events = [event for _, e in parsed if isinstance(e, list) for event in e]
    if len(events) > LEASE_EVENTS_INCLUDED:
        WebhookDelivery.objects.filter(
            pk__in=[d.pk for d in claimed], status=DeliveryStatus.PROCESSING
        ).update(lease_until=now + LEASE_BASE + LEASE_PER_EVENT * len(events))
    try:
        run.pretriage(events)
    except Exception:  # noqa: BLE001 — each comment is then triaged as it is ingested
        logger.exception("batch triage failed")
    try:
        run.ingest_new([(d, e) for d, e in parsed if isinstance(e, list)])
    except Exception:  # noqa: BLE001 — then every comment goes through inbox_ingest
        logger.exception("bulk ingestion failed")
        run.stored = set()
    run.finished = []
    try:
        return [_process_one(delivery, parsed_events, run) for delivery, parsed_events in parsed]
    finally:
        _finish(run)


def _finish(run: Run) -> None:
    """Mark the batch's processed deliveries: one statement for all that came out alike
    (the same counts, the body unchanged: a burst's common case), one each for the rest.
    One that cannot be written keeps its lease until it runs out and is processed again,
    harmlessly (ingestion is idempotent)."""
    finished, run.finished = run.finished or [], None
    alike: dict[tuple[Any, ...], list[int]] = {}
    for delivery, values in finished:
        if "body" in values:
            _mark(delivery.pk, values)
            continue
        key = tuple(sorted((k, v) for k, v in values.items() if k != "processed_at"))
        alike.setdefault(key, []).append(delivery.pk)
    for key, ids in alike.items():
        values = {**dict(key), "processed_at": timezone.now()}
        try:
            WebhookDelivery.objects.filter(pk__in=ids).update(**values)
        except Exception:  # noqa: BLE001 — one at a time, below
            logger.exception("webhook deliveries not marked in one statement")
            for pk in ids:
                _mark(pk, values)


def _mark(pk: int, values: dict[str, Any]) -> None:
    try:
        WebhookDelivery.objects.filter(pk=pk).update(**values)
    except Exception:  # noqa: BLE001 — its lease runs out; processed again, idempotently
        logger.exception("webhook delivery not marked", extra={"delivery_id": pk})


def _process_one(delivery: WebhookDelivery, events: list[ChangeEvent] | str, run: Run) -> str:
    """`_process`, with anything that escapes it failing this delivery alone (with its
    reason and a retry while attempts remain), never the others of the batch."""
    try:
        return _process(delivery, events, run)
    except Exception as exc:  # noqa: BLE001 — isolate the poison; logged with its trace
        logger.exception("webhook delivery failed", extra={"delivery_id": delivery.pk})
        retry = delivery.attempts < MAX_ATTEMPTS
        finished = timezone.now()
        try:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED,
                error=_reason(f"{type(exc).__name__}: {exc}")[:1000],
                lease_until=None,
                next_attempt_at=finished + timedelta(minutes=2**delivery.attempts)
                if retry
                else None,
            )
        except Exception:  # noqa: BLE001 — its lease runs out; MAX_ATTEMPTS ends it
            logger.exception("webhook delivery failure not recorded")
        return str(DeliveryStatus.FAILED)


def _reason(text: str) -> str:
    """A failure's reason as stored and shown: no national ID number (PU-1), and no NUL
    (PostgreSQL text cannot hold one; a hostile id or text may carry it)."""
    return mask_national_ids(text.replace("\x00", "\\x00"))


def _process(delivery: WebhookDelivery, events: list[ChangeEvent] | str, run: Run) -> str:
    if isinstance(events, str):
        # Signed by Meta but not an envelope: keep it for a human, never retry.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            error=_reason(events)[:1000],
            next_attempt_at=None,
            lease_until=None,
        )
        return "malformed"
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
        # Processed: the inbox holds the comment (its ID numbers marked confidential);
        # the stored copy, kept for RETENTION, need not hold them in clear (PU-1, #18).
        # The SHA-256 stays that of the bytes Meta sent, so its retries are still known.
        scrubbed = scrub_json_body(bytes(delivery.body))
        if scrubbed is not None:
            values["body"] = scrubbed
        if run.finished is not None:  # written with the rest of the batch (`_finish`)
            run.finished.append((delivery, values))
            return str(values["status"])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
    return str(values["status"])
