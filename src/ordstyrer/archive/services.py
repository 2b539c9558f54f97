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

An append locks the municipality's chain head (SELECT … FOR UPDATE), checks the
idempotency key, computes the record from the head, inserts it and moves the head —
one path, on PostgreSQL and SQLite. On PostgreSQL an append without files first tries
the one fast path, `archive.pg_append` (one statement that links the record to the
head it locks; why it exists is measured there). docs/archive.md,
"Appending".
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.archive import pg_append
from ordstyrer.archive.canonical import (
    CANONICAL_VERSION,
    TITLE_LIMIT,
    chain_hash,
    iso,
    public_title_text,
    raw_text,
    safe_text,
    seal,
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
from ordstyrer.archive.models import ArchiveFile, ArchiveRecord, ChainHead
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.permissions import require
from ordstyrer.policy import GROUNDS

if TYPE_CHECKING:
    from ordstyrer.tenants.models import Municipality

# Archive content is written in Bokmål whatever language the actor reads the console in.
KIND_TITLE_NB = {
    Kind.DELETED_COMMENT: "Slettet kommentar",
    Kind.HIDDEN_COMMENT: "Skjult kommentar",
    Kind.JOURNAL_INBOUND: "Henvendelse",
    Kind.JOURNAL_OUTBOUND: "Svar",
    Kind.MODERATION_NOTE: "Modereringsnotat",
    Kind.OWN_POST: "Innlegg",
}
MAX_FILE_BYTES = 200 * 1024 * 1024
# `extra` of a deleted comment removed with the post it stood under (a take-down, PU-6):
# no ground, since nobody judged it (`_validate`).
REMOVED_WITH_POST = "removed_with_post"
# `extra` of the internal note (X) that the platform confirmed a deletion: it refers to
# the deletion's record and its `deleted_at` is when the comment left the platform
# (MO-2; `moderation.capture.deleted_note`, `selectors.removal_confirmed`).
DELETION_CONFIRMED = "deletion_confirmed"


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
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Ukjent type arkivpost «%(kind)s»."), {"kind": entry.kind}
            )
        )
    if entry.ground and entry.ground not in GROUNDS:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Ukjent grunnlag «%(ground)s»."), {"ground": entry.ground}
            ),
            rule="MO-1",
        )
    if entry.action not in ACTIONS:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Ukjent handling «%(action)s»."), {"action": entry.action}
            )
        )
    if entry.direction and entry.direction not in DIRECTIONS:
        raise ServiceError(gettext_lazy("Journalposttypen må være I, U eller X."), rule="AR-1")
    # MO-2 "why it was removed": a ground (MO-1); only a comment nobody judged, which
    # went with the municipality's own post (PU-6, `capture.deleted_with_post_entry`),
    # has none, and its justification says why.
    with_post = entry.extra.get(REMOVED_WITH_POST) is True and entry.justification.strip()
    if entry.kind == Kind.DELETED_COMMENT and not entry.ground and not with_post:
        raise ServiceError(
            gettext_lazy("Skriv hvorfor kommentaren ble slettet (grunnlag)."), rule="MO-2"
        )
    if entry.kind in (Kind.DELETED_COMMENT, Kind.HIDDEN_COMMENT, Kind.JOURNAL_INBOUND) and (
        entry.author is None or not entry.author.name.strip()
    ):
        raise ServiceError(gettext_lazy("Arkivposten må si hvem som skrev innholdet."), rule="MO-2")
    if not entry.text and not entry.media:
        raise ServiceError(gettext_lazy("Arkivposten må ha tekst eller filer."), rule="AR-1")
    if entry.channel is not None and entry.channel.municipality_id != entry.municipality.pk:
        raise ServiceError(gettext_lazy("Kanalen hører til en annen kommune."))
    refers = entry.refers_to
    if refers is not None and refers.municipality_id != entry.municipality.pk:
        raise ServiceError(gettext_lazy("Arkivposten det vises til, hører til en annen kommune."))
    for media in entry.media:
        if not media.name or not media.mime:
            raise ServiceError(gettext_lazy("Hver fil må ha navn og MIME-type."))
        if len(media.data) > MAX_FILE_BYTES:
            raise ServiceError(
                gettext_lazy("En fil er større enn 200 MB og kan ikke arkiveres her.")
            )
    for value in (entry.created_at, entry.captured_at, entry.deleted_at):
        if value is not None and value.tzinfo is None:
            raise ServiceError(gettext_lazy("Tidspunkter må ha tidssone."))


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
    return safe_text(title)[:TITLE_LIMIT], public_title_text(public)


def build_body(
    *,
    entry: ArchiveEntry,
    actor: ActorLike,
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
    user = user_of(actor)
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
        "actor": None if user is None else {"id": user.pk, "name": actor_name(user)},
        "journal": {"journal": bool(entry.journal), "direction": direction},
        "confidentiality": None
        if confidentiality is None
        else {"code": confidentiality.code, "authority": confidentiality.authority},
        "refers_to": None if refers is None else {"sequence": refers.sequence, "hash": refers.hash},
        "idempotency_key": entry.idempotency_key,
        "extra": dict(entry.extra),
    }


def archive_append(
    *,
    actor: ActorLike,
    entry: ArchiveEntry,
    now: datetime | None = None,
    backdated_to: datetime | None = None,
) -> ArchiveRecord:
    """Append `entry` to its municipality's chain and return the new record (AR-3).

    `actor` is the person who caused it (None for the system); any member of the
    municipality may append — the calling service has already checked the need of
    its own action (delete, journal, …). With an `idempotency_key` a repeated call
    returns the first record unchanged.

    `now` is the caller's time of what it archives (when it read the comment, decided,
    sent): the body's capture time where the entry names none. The archive time is the
    append's own clock, read when the record is linked (under the head's lock; on the
    fast path just before its one statement), so it grows with the record number and a
    record is not dated back into a day a deposit may already have closed (AR-3): the
    moderation outbox reads its `now` before the platform call, seconds before it
    archives (docs/archive.md, "The record store"). Only seed data gives an archive
    time of its own, `backdated_to` (the demo's records, dated when what they record
    happened, after every record already in the chain); a service archives what
    happens now.
    """
    if entry.captured_at is None and now is not None:
        entry = dataclasses.replace(entry, captured_at=now)
    _validate(entry)
    municipality = entry.municipality
    if actor is not None:
        require(actor, municipality, "read")  # no query for the request's Actor
    channel = entry.channel
    title, public_title = _titles(
        entry, entry.channel_name or (channel.name if channel is not None else "")
    )
    file_rows = [
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
    files = [_file_item(row) for row in file_rows]

    def body_at(sequence: int) -> dict[str, Any]:
        # The archive time is read here: on the locked path under the head's lock, on
        # the fast path just before the one statement that takes it.
        return build_body(
            entry=entry,
            actor=actor,
            sequence=sequence,
            archived_at=backdated_to or timezone.now(),
            files=files,
            title=title,
            public_title=public_title,
            direction=entry.direction or DEFAULT_DIRECTION[entry.kind],
        )

    if not file_rows:  # PostgreSQL's fast path, measured: see pg_append
        added = pg_append.append(municipality.pk, body_at)
        if added is not None:
            return _record(municipality, *added)
    # No savepoint inside the caller's transaction: if archiving fails, so does the
    # action that needed the archive (MO-2).
    with transaction.atomic(savepoint=False):
        head_sequence, head_hash = _lock_head(municipality)
        existing = _key_holder(municipality, entry.idempotency_key)
        if existing is not None:  # a retry: the first record, unchanged
            return ArchiveRecord.objects.get(pk=existing)
        columns, canonical = seal(body_at(head_sequence + 1))
        values = {
            "municipality_id": municipality.pk,
            **columns,
            "canonical": canonical,
            "prev_hash": head_hash,
            "hash": chain_hash(head_hash, canonical),
        }
        record = _record(municipality, _insert(values), values)
        for row in file_rows:
            row.record = record
        ArchiveFile.objects.bulk_create(file_rows)
    return record


def _file_item(row: ArchiveFile) -> dict[str, Any]:
    return {
        "position": row.position,
        "name": row.name,
        "mime": row.mime,
        "size": row.size,
        "sha256": row.sha256,
    }


# The statements of an append, plain SQL: they run on every append, and building them
# with the ORM each time costs more CPU than running them (docs/archive.md, "Measured").
# Names quoted as both PostgreSQL and SQLite read them.
_RECORDS, _HEADS = ArchiveRecord._meta.db_table, ChainHead._meta.db_table
_FIELDS = [f.attname for f in ArchiveRecord._meta.concrete_fields]  # "id" first
_LOCK_HEAD = f'SELECT "sequence", "head_hash" FROM "{_HEADS}" WHERE "municipality_id" = %s'  # noqa: S608
# Repeats the partial unique index's condition as written there: SQLite uses the index
# only then (and would read all the municipality's records).
_KEY_HOLDER = (
    f'SELECT "id" FROM "{_RECORDS}" WHERE "municipality_id" = %s AND "idempotency_key" = %s '  # noqa: S608
    """AND NOT ("idempotency_key" = '')"""
)
_INSERT = 'INSERT INTO "{}" ({}) VALUES ({}) RETURNING "id"'.format(  # noqa: S608
    _RECORDS, ", ".join(f'"{name}"' for name in _FIELDS[1:]), ", ".join(["%s"] * (len(_FIELDS) - 1))
)
_MOVE_HEAD = f'UPDATE "{_HEADS}" SET "sequence" = %s, "head_hash" = %s WHERE "municipality_id" = %s'  # noqa: S608


def _lock_head(municipality: Municipality) -> tuple[int, str]:
    """Lock the municipality's chain head until the transaction ends (SELECT … FOR
    UPDATE; SQLite serialises writers anyway) and return its (sequence, hash)."""
    sql = _LOCK_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [municipality.pk])
        row = cursor.fetchone()
        if row is None:  # the municipality's first record
            ChainHead.objects.bulk_create(
                [ChainHead(municipality=municipality)], ignore_conflicts=True
            )
            cursor.execute(sql, [municipality.pk])
            row = cursor.fetchone()
    return int(row[0]), row[1]


def _key_holder(municipality: Municipality, key: str) -> int | None:
    """The id of the municipality's record with idempotency key `key`, if any. Asked
    after the head is locked, in a statement of its own (under READ COMMITTED it sees
    what the append that held the lock before committed; the locking statement's own
    snapshot would not)."""
    if not key:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_KEY_HOLDER, [municipality.pk, key])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _insert(values: dict[str, Any]) -> int:
    """INSERT the record (its column `values`) and move the locked chain head to it."""
    adapt = connection.ops.adapt_datetimefield_value  # SQLite stores times as text
    row = [values[name] for name in _FIELDS[1:]]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [adapt(v) if isinstance(v, datetime) else v for v in row])
        pk = cursor.fetchone()[0]
        cursor.execute(_MOVE_HEAD, [values["sequence"], values["hash"], values["municipality_id"]])
    return pk


def _record(municipality: Municipality, pk: int, values: dict[str, Any]) -> ArchiveRecord:
    """The inserted record as the model, without a query."""
    record = ArchiveRecord.from_db(
        connection.alias, _FIELDS, [pk, *(values[name] for name in _FIELDS[1:])]
    )
    record.municipality = municipality  # cached: no query when a caller reads it
    return record


def journal_item(
    *, actor: ActorLike, entry: ArchiveEntry, direction: str | None = None
) -> ArchiveRecord:
    """Journal an item (DI-7, AR-1): an inquiry that needs case processing (I), the
    municipality's reply (U) or an internal note (X). The inbox calls it for "refer
    to a formal channel"; the record is marked for the archive system's journal."""
    chosen = direction or entry.direction or DEFAULT_DIRECTION.get(entry.kind, "")
    if chosen not in DIRECTIONS:
        raise ServiceError(gettext_lazy("Journalposttypen må være I, U eller X."), rule="AR-1")
    action = "journal" if entry.action == "archive" else entry.action
    journaled = dataclasses.replace(
        entry, kind=JOURNAL_KIND[chosen], journal=True, direction=chosen, action=action
    )
    return archive_append(actor=user_of(actor), entry=journaled)
