"""Dead letters of the webhook queue (issue #18): deliveries given up on — a signed body
that is not a Graph envelope, or one whose processing failed MAX_ATTEMPTS times — wait
here for a person in communications to retry or discard them.

A delivery is not a municipality's row: one POST from Meta may carry changes for Pages
of several municipalities. A municipality sees a dead delivery when at least one of its
entries names a Page or Instagram account one of its live connections holds (never by a
channel's registered platform id: `_accounts_of`); it may discard it only
when every entry is its own (discarding would drop another municipality's comments). A
body with no readable entry at all is seen only by the operators
(`ordstyrer webhook-deadletters --list`, `--discard ID`: `dead_letters_all`,
`delivery_discard_operator`). The bodies themselves are never shown: they hold
citizens' comments, authors' names and unmasked national ID numbers.

Nor are they kept for ever (`dead_letters_forget`, the `platforms.dead_letter_retention`
sweep): one no municipality can see — its connection was disconnected, or it has no
readable entry — goes after `webhooks.RETENTION` (30 days, as a processed body), one a
municipality still sees after `webhooks.DEAD_LETTER_RETENTION` (90 days).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from ordstyrer import jsonsafe
from ordstyrer.channels.models import Channel
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import NotFound, ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import (
    HOLDING,
    DeliveryStatus,
    Platform,
    PlatformConnection,
    WebhookDelivery,
)
from ordstyrer.tenants.models import Municipality

logger = logging.getLogger("ordstyrer.platforms")

LIST_LIMIT = 200
FORGET_CHUNK = 200


@dataclass(frozen=True)
class DeadLetter:
    delivery: WebhookDelivery
    channels: tuple[Channel, ...]
    only_ours: bool  # every entry names one of this municipality's accounts


def _entry_accounts(body: bytes | memoryview) -> set[tuple[str, str]]:
    """(platform, account id) of each entry of a stored body, read defensively: the body
    may be exactly what made it fail."""
    try:
        data = jsonsafe.loads(bytes(body))
    except (ValueError, RecursionError, MemoryError):
        return set()
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        return set()
    platform = "instagram" if data.get("object") == "instagram" else "facebook"
    out: set[tuple[str, str]] = set()
    for entry in data["entry"]:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str | int):
            out.add((platform, str(entry["id"])))
    return out


def _accounts_of(municipality: Municipality) -> dict[tuple[str, str], Channel]:
    """Every Page / account id the municipality's proven connections hold (CH-3, PU-1).

    Connections only: a channel's registered `platform_id` is free text any employee may
    type into a draft, so it proves nothing about whose Page it is; and a pasted token
    still waiting for its proof (`pending`) holds nothing yet. An Instagram
    connection also answers for the Page it subscribed (`connection_verify` installs the
    app on the account's linked Page, whose `feed` Meta then sends), unless that Page has
    a live connection of its own, which then decides."""
    found: dict[tuple[str, str], Channel] = {}
    connections = list(
        PlatformConnection.objects.filter(
            channel__municipality=municipality, status__in=HOLDING
        ).select_related("channel")
    )
    linked = {c.page_id: c.channel for c in connections if c.platform == Platform.INSTAGRAM}
    linked.pop("", None)
    connected_pages = set(
        PlatformConnection.objects.filter(
            platform=Platform.FACEBOOK, account_id__in=linked, status__in=HOLDING
        ).values_list("account_id", flat=True)
    )
    for page, channel in linked.items():
        if page not in connected_pages:
            found[(Platform.FACEBOOK.value, page)] = channel
    for connection in connections:
        found[(connection.platform, connection.account_id)] = connection.channel
    return found


def _dead() -> Any:
    return WebhookDelivery.objects.filter(webhooks.dead_letters())


def _letter(delivery: WebhookDelivery, ours: dict[tuple[str, str], Channel]) -> DeadLetter | None:
    accounts = _entry_accounts(delivery.body)
    mine = [ours[a] for a in sorted(accounts) if a in ours]
    if not mine:
        return None
    unique = tuple({c.pk: c for c in mine}.values())
    return DeadLetter(delivery=delivery, channels=unique, only_ours=len(mine) == len(accounts))


def dead_letters_for(*, user: ActorLike, municipality: Municipality) -> list[DeadLetter]:
    """The municipality's dead deliveries, newest first (communications only)."""
    require(user, municipality, "webhook_dead_letters")
    ours = _accounts_of(municipality)
    if not ours:
        return []
    # Whose a delivery is shows only in its body, so the newest are read until this
    # municipality's first LIST_LIMIT are found: a cut before the filter would let other
    # municipalities' newer failures push ours off the page. The retention sweep bounds
    # what there is to read (`dead_letters_forget`).
    letters: list[DeadLetter] = []
    for delivery in _dead().order_by("-received_at", "-id").iterator(chunk_size=100):
        letter = _letter(delivery, ours)
        if letter is not None:
            letters.append(letter)
            if len(letters) == LIST_LIMIT:
                break
    return letters


def dead_letter_get(*, user: ActorLike, municipality: Municipality, delivery_id: int) -> DeadLetter:
    """One dead delivery of the municipality; 404 for anything else (existence of other
    municipalities' deliveries does not leak)."""
    require(user, municipality, "webhook_dead_letters")
    delivery = _dead().filter(pk=delivery_id).first()
    letter = delivery and _letter(delivery, _accounts_of(municipality))
    if letter is None:
        raise NotFound(gettext_lazy("Fant ikke leveringen."))
    return letter


def _summary(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "sha256": delivery.sha256,
        "received_at": delivery.received_at.isoformat(),
        "attempts": delivery.attempts,
        "error": delivery.error[:300],
    }


def delivery_retry(
    *, actor: ActorLike, municipality: Municipality, delivery_id: int, now: datetime
) -> bool:
    """Put a dead delivery back in the queue with fresh attempts; False when it is no
    longer dead (retried or discarded meanwhile: a replayed form changes nothing).
    Safe: ingestion is idempotent, so comments already taken in are not doubled."""
    with transaction.atomic():
        letter = _locked(actor=actor, municipality=municipality, delivery_id=delivery_id)
        if letter is None:
            return False
        delivery = letter.delivery
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.RECEIVED,
            attempts=0,
            next_attempt_at=None,
            lease_until=None,
            error="",
        )
        audit_record(
            actor=actor,
            action="webhook_delivery_retry",
            municipality=municipality,
            obj=delivery,
            data=_summary(delivery),
        )
        webhooks.process_after_commit(delivery.sha256)
    return True


def delivery_discard(
    *, actor: ActorLike, municipality: Municipality, delivery_id: int, now: datetime
) -> bool:
    """Delete a dead delivery for good (audited with its hash, time and error); False
    when it is already gone. Refused when it also carries another municipality's
    entries."""
    with transaction.atomic():
        letter = _locked(actor=actor, municipality=municipality, delivery_id=delivery_id)
        if letter is None:
            return False
        if not letter.only_ours:
            raise ServiceError(
                gettext_lazy(
                    "Leveringen gjelder også sider som ikke er kommunens egne, og kan ikke "
                    "forkastes herfra. Prøv den igjen, eller be driften se på den."
                ),
                code="not_only_ours",
            )
        audit_record(
            actor=actor,
            action="webhook_delivery_discard",
            municipality=municipality,
            obj=letter.delivery,
            data=_summary(letter.delivery),
        )
        WebhookDelivery.objects.filter(pk=letter.delivery.pk).delete()
    return True


def _locked(*, actor: ActorLike, municipality: Municipality, delivery_id: int) -> DeadLetter | None:
    """The dead delivery, locked for this transaction; None when it is no longer dead
    but was the municipality's; 404 when it never was."""
    require(actor, municipality, "webhook_dead_letters")
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return None
    letter = _letter(delivery, _accounts_of(municipality))
    if letter is None:
        raise NotFound(gettext_lazy("Fant ikke leveringen."))
    if not _dead().filter(pk=delivery.pk).exists():
        return None
    return letter


# --- retention and the operators' door -------------------------------------------------


def _holders() -> dict[tuple[str, str], set[int]]:
    """(platform, account id) → the municipalities that see a dead delivery naming it:
    `_accounts_of` for every municipality at once (proven connections only; an Instagram
    connection also holds its linked Page, unless that Page has a proven connection of
    its own)."""
    rows = PlatformConnection.objects.filter(status__in=HOLDING).values_list(
        "platform", "account_id", "page_id", "channel__municipality_id"
    )
    held: dict[tuple[str, str], set[int]] = {}
    linked: list[tuple[str, int]] = []
    for platform, account, page, municipality_id in rows:
        held.setdefault((platform, account), set()).add(municipality_id)
        if platform == Platform.INSTAGRAM and page:
            linked.append((page, municipality_id))
    connected_pages = {key for key in held if key[0] == Platform.FACEBOOK}
    for page, municipality_id in linked:
        key = (Platform.FACEBOOK.value, page)
        if key not in connected_pages:
            held.setdefault(key, set()).add(municipality_id)
    return held


def _seen_by(body: bytes | memoryview, held: dict[tuple[str, str], set[int]]) -> set[int]:
    """The municipalities that see this dead delivery (none: nobody but the operators)."""
    return {m for account in _entry_accounts(body) for m in held.get(account, ())}


def _delete_dead(ids: Iterable[int], older_than: datetime) -> int:
    """Delete these deliveries if they are still dead letters received before
    `older_than` (one retried meanwhile is in the queue again and stays)."""
    ids = list(ids)
    deleted = 0
    for start in range(0, len(ids), FORGET_CHUNK):
        chunk = ids[start : start + FORGET_CHUNK]
        deleted += _dead().filter(pk__in=chunk, received_at__lt=older_than).delete()[0]
    return deleted


def dead_letters_forget(*, now: datetime) -> int:
    """Storage limitation for the dead letters (GDPR art. 5(1)(e), docs/privacy.md): their
    bodies are whole — comment texts, authors' names, national ID numbers — and wait for
    a person to retry or discard them, so they are deleted when nobody will:

    * one no municipality sees (its Page's or account's connection was disconnected,
      its channel's token never proven, or no readable entry at all) once it was
      received more than `webhooks.RETENTION` ago, the time a processed body is kept;
    * any other once received more than `webhooks.DEAD_LETTER_RETENTION` ago.

    Deleted, not scrubbed: a body stripped of its texts and names could not be retried,
    and whether anyone sees it changes as channels are connected and disconnected. One
    log line with the counts only. Returns how many were deleted."""
    expired_before = now - webhooks.DEAD_LETTER_RETENTION
    orphaned_before = now - webhooks.RETENTION
    expired = _dead().filter(received_at__lt=expired_before).delete()[0]
    held = _holders()
    orphans = [
        pk
        for pk, body in _dead()
        .filter(received_at__lt=orphaned_before)
        .values_list("pk", "body")
        .iterator(chunk_size=50)
        if not _seen_by(body, held)
    ]
    orphaned = _delete_dead(orphans, orphaned_before)
    if expired or orphaned:
        logger.info(
            "dead webhook deliveries deleted",
            extra={"expired": expired, "orphaned": orphaned},
        )
    return expired + orphaned


@dataclass(frozen=True)
class OperatorLetter:
    """A dead delivery as the operators list it: never its body."""

    id: int
    received_at: datetime
    error: str
    size: int
    municipalities: tuple[str, ...]  # the slugs of those who see it


def dead_letters_all() -> list[OperatorLetter]:
    """Every dead delivery, oldest first, for the operators' command: who sees it and why
    it failed, never what it says."""
    held = _holders()
    slugs = dict(Municipality.objects.values_list("pk", "slug"))
    letters = []
    for pk, received_at, error, body in (
        _dead().order_by("received_at", "id").values_list("pk", "received_at", "error", "body")
    ):
        seen = sorted(slugs.get(m, str(m)) for m in _seen_by(body, held))
        letters.append(OperatorLetter(pk, received_at, error, len(body), tuple(seen)))
    return letters


def delivery_discard_operator(*, delivery_id: int) -> bool:
    """The operators' "Forkast" (`ordstyrer webhook-deadletters --discard ID`): delete a
    dead delivery whoever sees it — also one no municipality can reach — audited as the
    console's discard is (its hash, time and error; the municipality when exactly one
    sees it). False when there is no such dead delivery (never was, already gone, or
    back in the queue)."""
    with transaction.atomic():
        delivery = _dead().select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return False
        seen = _seen_by(delivery.body, _holders())
        municipality = (
            Municipality.objects.filter(pk=next(iter(seen))).first() if len(seen) == 1 else None
        )
        audit_record(
            actor=None,
            action="webhook_delivery_discard",
            municipality=municipality,
            obj=delivery,
            data={**_summary(delivery), "by": "operator", "seen_by": sorted(seen)},
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).delete()
    return True
