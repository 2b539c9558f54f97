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

On PostgreSQL an append is one statement when this connection knows the head
(compare-and-set): the head is locked only if it is still where this connection last
saw it, the record is inserted only then, and the head moves only if it was; when the
head has moved, it is locked with SELECT … FOR UPDATE and read first (docs/archive.md,
"Appending"). Without a caller's transaction that one statement is the append's own
transaction.
"""

from __future__ import annotations

import dataclasses
import weakref
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
from ordstyrer.archive.models import ArchiveFile, ArchiveRecord, ChainHead
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


def _cursor() -> Any:
    """A cursor for the per-append statements: on PostgreSQL psycopg's own, with the
    parameters bound on the server; elsewhere Django's."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _execute(cursor: Any, sql: str, params: list[Any]) -> None:
    if connection.vendor == "postgresql":
        # Not prepared: a transaction-pooling proxy may sit in front of the database.
        # Errors as Django's (IntegrityError …), noted on the connection as Django's are.
        with connection.wrap_database_errors:
            cursor.execute(sql, params, prepare=False)
    else:
        cursor.execute(sql, params)


def _claim_head(municipality: Any) -> tuple[int, str]:
    """Lock the municipality's chain head for this transaction (created on first use) and
    return (sequence, hash) of the newest record. Plain SQL: this runs on every append,
    and the ORM's query building costs more than the query (bench/archive.py)."""
    table = ChainHead._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT sequence, head_hash FROM {table} WHERE municipality_id = %s{lock}"  # noqa: S608
    with _cursor() as cursor:
        _execute(cursor, sql, [municipality.pk])
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.bulk_create(
                [ChainHead(municipality=municipality)], ignore_conflicts=True
            )
            _execute(cursor, sql, [municipality.pk])
            row = cursor.fetchone()
    return int(row[0]), row[1]


def _move_head(municipality: Any, sequence: int, digest: str) -> None:
    table = ChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sequence = %s, head_hash = %s WHERE municipality_id = %s",  # noqa: S608
            [sequence, digest, municipality.pk],
        )


# The chain heads this process last wrote or read, per database connection (psycopg's
# own object, so a new connection starts empty): {municipality id: (sequence, hash)}.
# Only a guess for the compare-and-set, which checks it against the database — a
# stale entry (a rolled-back append, another process's append) costs one round trip.
_HEADS: weakref.WeakKeyDictionary[Any, dict[int, tuple[int, str]]] = weakref.WeakKeyDictionary()


def _known_heads() -> dict[int, tuple[int, str]] | None:
    """This connection's remembered heads; None where there is no compare-and-set."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    heads = _HEADS.get(connection.connection)
    if heads is None:
        heads = _HEADS[connection.connection] = {}
    return heads


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
    direction = entry.direction or DEFAULT_DIRECTION[entry.kind]
    channel = entry.channel
    channel_name = entry.channel_name or (channel.name if channel is not None else "")
    title, public_title = _titles(entry, channel_name)
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
    files = [
        {"position": f.position, "name": f.name, "mime": f.mime, "size": f.size, "sha256": f.sha256}
        for f in file_rows
    ]

    def record_after(head_sequence: int, head_hash: str) -> ArchiveRecord:
        body = build_body(
            entry=entry,
            actor=actor,
            sequence=head_sequence + 1,
            archived_at=now or timezone.now(),
            files=files,
            title=title,
            public_title=public_title,
            direction=direction,
        )
        columns, canonical = seal(body)
        return ArchiveRecord(
            municipality=municipality,
            **columns,
            canonical=canonical,
            prev_hash=head_hash,
            hash=chain_hash(head_hash, canonical),
        )

    heads = _known_heads()
    known = heads.get(municipality.pk) if heads is not None else None
    if known is not None and not file_rows and connection.get_autocommit():
        # No caller's transaction and nothing else to write: the one statement is the
        # append's own transaction, committed (and flushed to disk) before it returns.
        record = record_after(*known)
        if _insert_if_head(record, entry.idempotency_key):
            heads[municipality.pk] = (record.sequence, record.hash)
            return record
        known = None
    # No savepoint inside the caller's transaction: if archiving fails, so does the
    # action that needed the archive (MO-2), and two round trips are saved.
    with transaction.atomic(savepoint=False):
        record = record_after(*known) if known is not None else None
        if record is not None and not _insert_if_head(record, entry.idempotency_key):
            record = None  # the head moved (or the key is taken): lock it and read it
        if record is None:
            head_sequence, head_hash = _claim_head(municipality)
            if heads is not None:
                heads[municipality.pk] = (head_sequence, head_hash)
            if entry.idempotency_key:
                # Checked under the head lock: a concurrent retry waits and then finds it.
                # The exclude repeats the unique index's condition: SQLite uses a
                # partial index only then (and would read all the municipality's records).
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
            _insert_and_move_head(record)
        if heads is not None:
            heads[municipality.pk] = (record.sequence, record.hash)
        for row in file_rows:
            row.record = record
        if file_rows:
            ArchiveFile.objects.bulk_create(file_rows)
    return record


_INSERT_FIELDS = [f for f in ArchiveRecord._meta.concrete_fields if not f.primary_key]


# Quoted as both PostgreSQL and SQLite read it (what their quote_name gives).
_INSERT_COLUMNS = ", ".join(f'"{f.column}"' for f in _INSERT_FIELDS)
_PLACEHOLDERS = ", ".join(["%s"] * len(_INSERT_FIELDS))


def _insert_values(record: ArchiveRecord) -> tuple[str, list[Any]]:
    """The record's column list for an INSERT, and its values. The values are plain
    (int, str, bool, None, aware datetimes); only times need the backend's adaptation
    (SQLite stores them as text)."""
    adapt = connection.ops.adapt_datetimefield_value
    values = [getattr(record, f.attname) for f in _INSERT_FIELDS]
    return _INSERT_COLUMNS, [adapt(v) if isinstance(v, datetime) else v for v in values]


def _inserted(record: ArchiveRecord, pk: int) -> None:
    record.pk = pk
    record._state.adding = False
    record._state.db = connection.alias


def _insert_if_head(record: ArchiveRecord, idempotency_key: str) -> bool:
    """PostgreSQL, one statement: insert `record` and move the chain head to it — only
    if the head is still at (record.sequence - 1, record.prev_hash) and no record of
    the municipality holds the idempotency key; False (nothing written) otherwise.

    The head is locked as `_claim_head` locks it; under READ COMMITTED a lock that had
    to wait for a concurrent append re-checks the condition on the head that append
    committed, finds it moved and returns nothing, so nothing is inserted. The key is
    checked by the unique constraint itself (ON CONFLICT … DO NOTHING); the head moves
    only if the record was inserted."""
    records, heads = ArchiveRecord._meta.db_table, ChainHead._meta.db_table
    columns, values = _insert_values(record)
    sql = (
        f"WITH head AS (SELECT 1 FROM {heads} WHERE municipality_id = %s "  # noqa: S608
        "AND sequence = %s AND head_hash = %s FOR UPDATE), "
        f"added AS (INSERT INTO {records} ({columns}) "
        f"SELECT {_PLACEHOLDERS} FROM head "
        "ON CONFLICT (municipality_id, idempotency_key) WHERE idempotency_key <> '' "
        "DO NOTHING RETURNING id), "
        f"moved AS (UPDATE {heads} SET sequence = %s, head_hash = %s "
        "WHERE municipality_id = %s AND EXISTS (SELECT FROM added)) "
        "SELECT id FROM added"
    )
    params = [record.municipality_id, record.sequence - 1, record.prev_hash, *values]
    params += [record.sequence, record.hash, record.municipality_id]
    with _cursor() as cursor:
        _execute(cursor, sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _inserted(record, row[0])
    return True


def _insert_and_move_head(record: ArchiveRecord) -> None:
    """INSERT the record and move the chain head (locked by `_claim_head`) — on
    PostgreSQL in one statement (a data-modifying CTE)."""
    columns, values = _insert_values(record)
    insert = (
        f"INSERT INTO {ArchiveRecord._meta.db_table} ({columns}) "  # noqa: S608 - names from the model
        f"VALUES ({_PLACEHOLDERS}) RETURNING id"
    )
    head = [record.sequence, record.hash, record.municipality_id]
    if connection.vendor == "postgresql":
        # Parameters bound on the server instead of quoted into the text (the body is
        # the largest one).
        sql = (
            f"WITH moved AS (UPDATE {ChainHead._meta.db_table} "  # noqa: S608
            "SET sequence = %s, head_hash = %s WHERE municipality_id = %s) " + insert
        )
        with _cursor() as cursor:
            _execute(cursor, sql, [*head, *values])
            _inserted(record, cursor.fetchone()[0])
    else:
        with connection.cursor() as cursor:
            cursor.execute(insert, values)
            _inserted(record, cursor.fetchone()[0])
        _move_head(record.municipality, record.sequence, record.hash)


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
