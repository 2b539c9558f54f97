"""Writes to the archive. `archive_append` is the only way a record comes into being.

    from ordstyrer.archive.entry import ArchiveEntry, Person, Kind
    from ordstyrer.archive.services import archive_append, journal_item

    record = archive_append(actor=user, entry=ArchiveEntry(
        municipality=m, kind=Kind.DELETED_COMMENT, text="…", author=Person("Ola"),
        channel=channel, item_id="123_456", ground="spam", action="delete", …))

Both run inside the caller's transaction (`transaction.atomic()` nests), so the
moderation service can archive and queue the platform deletion in one transaction
(MO-2: archived *before* anything leaves the platform). The chain head of the
municipality is locked until that transaction ends.

An append locks the municipality's chain head, computes the record from it and
inserts it; the database moves the head with the INSERT and refuses a record that
does not follow it (migration 0005). The one fast path — PostgreSQL, outside a
caller's transaction — is in `archive.head`, with the measurement that keeps it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.archive import head
from ordstyrer.archive.canonical import (
    CANONICAL_VERSION,
    COLUMNS,
    canonical_json,
    chain_hash,
    column_fingerprint,
    iso,
    mask_personal_data,
    parse_iso,
    raw_text,
    safe_text,
    sha256_hex,
)
from ordstyrer.archive.entry import (
    ACTIONS,
    DEFAULT_DIRECTION,
    DIRECTIONS,
    JOURNAL_KIND,
    ArchiveEntry,
    Kind,
    Person,
)
from ordstyrer.archive.models import ArchiveFile, ArchiveRecord
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.policy import GROUNDS

# Archive content is written in Bokmål whatever language the actor reads the console in.
KIND_TITLE_NB = {
    Kind.DELETED_COMMENT: "Slettet kommentar",
    Kind.HIDDEN_COMMENT: "Skjult kommentar",
    Kind.JOURNAL_INBOUND: "Henvendelse",
    Kind.JOURNAL_OUTBOUND: "Svar",
    Kind.MODERATION_NOTE: "Modereringsnotat",
    Kind.OWN_POST: "Innlegg",
}
TITLE_LIMIT = 300
MAX_FILE_BYTES = 200 * 1024 * 1024


def _person(person: Person | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {
        "name": person.name,
        "platform_user_id": person.platform_user_id,
        "profile_url": person.profile_url,
    }


def actor_name(actor: ActorLike) -> str:
    """Who acted, as the archive writes it: the person behind `actor`, or the system."""
    actor = user_of(actor)
    if actor is None:
        return "Ordstyrer (system)"
    return actor.get_full_name() or actor.get_username()


def _validate(entry: ArchiveEntry) -> None:
    if entry.kind not in Kind.ALL:
        raise ServiceError(_("Ukjent type arkivpost «%(kind)s».") % {"kind": entry.kind})
    if entry.ground and entry.ground not in GROUNDS:
        raise ServiceError(
            _("Ukjent grunnlag «%(ground)s».") % {"ground": entry.ground}, rule="MO-1"
        )
    if entry.action not in ACTIONS:
        raise ServiceError(_("Ukjent handling «%(action)s».") % {"action": entry.action})
    if entry.direction and entry.direction not in DIRECTIONS:
        raise ServiceError(_("Journalposttypen må være I, U eller X."), rule="AR-1")
    if entry.kind == Kind.DELETED_COMMENT and not entry.ground:
        raise ServiceError(_("Skriv hvorfor kommentaren ble slettet (grunnlag)."), rule="MO-2")
    if entry.kind in (Kind.DELETED_COMMENT, Kind.HIDDEN_COMMENT, Kind.JOURNAL_INBOUND) and (
        entry.author is None or not entry.author.name.strip()
    ):
        raise ServiceError(_("Arkivposten må si hvem som skrev innholdet."), rule="MO-2")
    if not entry.text and not entry.media:
        raise ServiceError(_("Arkivposten må ha tekst eller filer."), rule="AR-1")
    if entry.channel is not None and entry.channel.municipality_id != entry.municipality.pk:
        raise ServiceError(_("Kanalen hører til en annen kommune."))
    refers = entry.refers_to
    if refers is not None and refers.municipality_id != entry.municipality.pk:
        raise ServiceError(_("Arkivposten det vises til, hører til en annen kommune."))
    for media in entry.media:
        if not media.name or not media.mime:
            raise ServiceError(_("Hver fil må ha navn og MIME-type."))
        if len(media.data) > MAX_FILE_BYTES:
            raise ServiceError(_("En fil er større enn 200 MB og kan ikke arkiveres her."))
    for value in (entry.created_at, entry.captured_at, entry.deleted_at):
        if value is not None and value.tzinfo is None:
            raise ServiceError(_("Tidspunkter må ha tidssone."))


def _titles(entry: ArchiveEntry, channel_name: str) -> tuple[str, str]:
    label = KIND_TITLE_NB[entry.kind]
    where = f" på {channel_name}" if channel_name else ""
    title = entry.title.strip()
    if not title:
        who = f" fra {entry.author.name.strip()}" if entry.author else ""
        why = f" – {GROUNDS[entry.ground].nb}" if entry.ground else ""
        title = f"{label}{who}{where}{why}"
    public = entry.public_title.strip() or f"{label}{where}"
    # The public title never carries personal data, whoever wrote it (HS-06).
    return safe_text(title)[:TITLE_LIMIT], safe_text(mask_personal_data(public))[:TITLE_LIMIT]


def build_body(
    *,
    entry: ArchiveEntry,
    actor: Any,
    sequence: int,
    archived_at: datetime,
    files: list[dict[str, Any]],
    title: str,
    public_title: str,
    direction: str,
) -> dict[str, Any]:
    channel = entry.channel
    refers = entry.refers_to
    confidentiality = entry.confidentiality
    return {
        "v": CANONICAL_VERSION,
        "municipality": {"id": entry.municipality.pk, "name": entry.municipality.name},
        "sequence": sequence,
        "kind": entry.kind,
        "archived_at": iso(archived_at),
        "title": title,
        "public_title": public_title,
        "said": {
            "text": entry.text,
            "edits": [{"text": e.text, "at": iso(e.at)} for e in entry.edits],
        },
        "author": _person(entry.author),
        "recipient": _person(entry.recipient),
        "where": {
            "platform": entry.platform or (channel.kind if channel is not None else ""),
            "channel_id": channel.pk if channel is not None else None,
            "channel_name": entry.channel_name or (channel.name if channel is not None else ""),
            "post_id": entry.post_id,
            "item_id": entry.item_id,
            "permalink": entry.permalink,
            "post_text": entry.post_text,
            "context": [
                {"author": c.author, "text": c.text, "at": iso(c.at), "item_id": c.item_id}
                for c in entry.context
            ],
        },
        "when": {
            "created": iso(entry.created_at),
            "captured": iso(entry.captured_at or archived_at),
            "deleted": iso(entry.deleted_at),
        },
        "files": files,
        "raw": raw_text(entry.raw),
        "action": entry.action,
        "ground": entry.ground,
        "justification": entry.justification,
        "actor": None if actor is None else {"id": actor.pk, "name": actor_name(actor)},
        "journal": {"journal": bool(entry.journal), "direction": direction},
        "confidentiality": None
        if confidentiality is None
        else {"code": confidentiality.code, "authority": confidentiality.authority},
        "refers_to": None if refers is None else {"sequence": refers.sequence, "hash": refers.hash},
        "idempotency_key": entry.idempotency_key,
        "extra": dict(entry.extra),
    }


def archive_append(
    *, actor: Any, entry: ArchiveEntry, now: datetime | None = None
) -> ArchiveRecord:
    """Append `entry` to its municipality's chain and return the new record (AR-3).

    `actor` is the person who caused it (None for the system); any member of the
    municipality may append — the calling service has already checked the need of
    its own action (delete, journal, …). With an `idempotency_key` a repeated call
    returns the first record unchanged.
    """
    _validate(entry)
    municipality = entry.municipality
    if actor is not None:
        require(actor, municipality, "read")
    files = [
        ArchiveFile(
            position=position,
            name=media.name,
            mime=media.mime,
            size=len(media.data),
            sha256=sha256_hex(media.data),
            data=media.data,
        )
        for position, media in enumerate(entry.media, start=1)
    ]
    described = [
        {"position": f.position, "name": f.name, "mime": f.mime, "size": f.size, "sha256": f.sha256}
        for f in files
    ]
    channel = entry.channel
    title, public_title = _titles(
        entry, entry.channel_name or (channel.name if channel is not None else "")
    )

    def record_after(head_sequence: int, head_hash: str) -> ArchiveRecord:
        body = build_body(
            entry=entry,
            actor=actor,
            sequence=head_sequence + 1,
            archived_at=now or timezone.now(),
            files=described,
            title=title,
            public_title=public_title,
            direction=entry.direction or DEFAULT_DIRECTION[entry.kind],
        )
        columns, canonical = seal(body)
        return ArchiveRecord(
            municipality=municipality,
            **columns,
            canonical=canonical,
            prev_hash=head_hash,
            hash=chain_hash(head_hash, canonical),
        )

    if not files and (record := head.append_unlocked(municipality, record_after)):
        return record
    # No savepoint inside the caller's transaction: if archiving fails, so does the
    # action that needed the archive (MO-2).
    with transaction.atomic(savepoint=False):
        head_sequence, head_hash = head.lock(municipality)
        if entry.idempotency_key:
            # Checked under the lock: a concurrent retry waits, then finds the first.
            # The exclude repeats the unique index's condition: SQLite uses a partial
            # index only then (and would read all of the municipality's records).
            existing = (
                ArchiveRecord.objects.filter(
                    municipality=municipality, idempotency_key=entry.idempotency_key
                )
                .exclude(idempotency_key="")
                .order_by()
                .first()
            )
            if existing is not None:
                return existing
        record = record_after(head_sequence, head_hash)
        record.save(force_insert=True)  # the head moves with it (migration 0005)
        for row in files:
            row.record = record
        ArchiveFile.objects.bulk_create(files)
    return record


def seal(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The record's search columns, and its canonical form with their fingerprint."""
    columns = record_columns(body)
    body["columns"] = column_fingerprint(columns[name] for name in COLUMNS)
    return columns, canonical_json(body)


def record_columns(body: dict[str, Any]) -> dict[str, Any]:
    """The search and filter columns of a record, derived from its body only — so
    `verify` can recompute them and notice a column changed behind the chain's back."""
    author = body.get("author") or {}
    where = body["where"]
    refers = body.get("refers_to")
    actor = body.get("actor")
    return {
        "sequence": body["sequence"],
        "kind": body["kind"],
        "archived_at": parse_iso(body["archived_at"]),
        "occurred_at": parse_iso(body["when"]["created"]),
        "title": body["title"],
        "public_title": body["public_title"],
        "text": safe_text(body["said"]["text"]),
        "author_name": safe_text(author.get("name", ""))[:TITLE_LIMIT],
        "channel_id": where["channel_id"],
        "channel_name": safe_text(where["channel_name"])[:200],
        "platform": where["platform"][:30],
        "ground": body["ground"],
        "action": body["action"],
        "journal": body["journal"]["journal"],
        "direction": body["journal"]["direction"],
        "confidential": body["confidentiality"] is not None,
        "actor_id": actor["id"] if actor else None,
        "refers_to_sequence": refers["sequence"] if refers else None,
        "idempotency_key": body["idempotency_key"],
    }


def journal_item(
    *, actor: ActorLike, entry: ArchiveEntry, direction: str | None = None
) -> ArchiveRecord:
    """Journal an item (DI-7, AR-1): an inquiry that needs case processing (I), the
    municipality's reply (U) or an internal note (X). The inbox calls it for "refer
    to a formal channel"; the record is marked for the archive system's journal."""
    chosen = direction or entry.direction or DEFAULT_DIRECTION.get(entry.kind, "")
    if chosen not in DIRECTIONS:
        raise ServiceError(_("Journalposttypen må være I, U eller X."), rule="AR-1")
    action = "journal" if entry.action == "archive" else entry.action
    journaled = dataclasses.replace(
        entry, kind=JOURNAL_KIND[chosen], journal=True, direction=chosen, action=action
    )
    return archive_append(actor=user_of(actor), entry=journaled)
