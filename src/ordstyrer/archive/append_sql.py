"""Write an archive record and move its chain head: the one place the append's SQL
is tuned (AR-3). `services.archive_append` has already locked the head and computed
the record; this only writes it.

Why not `ArchiveRecord.objects.create()` + `ChainHead.objects…update()` behind a
separate idempotency-key lookup: on PostgreSQL every statement is a round trip to
a server that shares two cores with everything else, and the round trips — not the
hashing or the canonical form — are what an append costs (bench/archive.py, docs/
archive.md "Appending"). Measured 2026-12-05 in one process, blocks of 200 appends
(each committed on its own) interleaved with the previous compare-and-set code and
with empty commits, load 5.5–6.7: the ORM's six statements per keyed append (BEGIN,
lock, key lookup, INSERT, UPDATE, COMMIT) 93/s beside 415 empty commits/s (0.22 of
the ceiling); these four (BEGIN, lock, this statement, COMMIT) 139/s beside 236/s
(0.59). The hashing and canonical form take ≈ 0.13 ms of an append.

So on PostgreSQL the key check, the INSERT and the head move are one statement: the unique constraint decides whether the key is
taken (ON CONFLICT … DO NOTHING) and the head moves only if the record was written.
SQLite serialises writers and has no data-modifying CTEs: the same steps, one by one.
"""

from __future__ import annotations

from django.db import connection

from ordstyrer.archive.models import ArchiveRecord, ChainHead

_FIELDS = [f for f in ArchiveRecord._meta.concrete_fields if not f.primary_key]


def insert_and_move_head(record: ArchiveRecord) -> ArchiveRecord | None:
    """Write `record` (its chain head locked by the caller) and move the head to it.
    Returns the saved record, or None — nothing written — when the municipality
    already holds a record with the same idempotency key."""
    if connection.vendor != "postgresql":
        taken = ArchiveRecord.objects.filter(
            municipality_id=record.municipality_id, idempotency_key=record.idempotency_key
        )
        if record.idempotency_key and taken.exists():
            return None
        record.save(force_insert=True)
        _heads(record).update(sequence=record.sequence, head_hash=record.hash)
        return record
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _FIELDS)
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in _FIELDS]
    sql = (
        f"WITH added AS (INSERT INTO {ArchiveRecord._meta.db_table} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(_FIELDS))}) "
        "ON CONFLICT (municipality_id, idempotency_key) WHERE idempotency_key <> '' "
        "DO NOTHING RETURNING id), "
        f"moved AS (UPDATE {ChainHead._meta.db_table} SET sequence = %s, head_hash = %s "
        "WHERE municipality_id = %s AND EXISTS (SELECT FROM added)) "
        "SELECT id FROM added"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, record.sequence, record.hash, record.municipality_id])
        row = cursor.fetchone()
    if row is None:
        return None
    names = ["id", *(f.attname for f in _FIELDS)]
    return ArchiveRecord.from_db(
        connection.alias, names, [row[0], *(getattr(record, f.attname) for f in _FIELDS)]
    )


def _heads(record: ArchiveRecord):
    return ChainHead.objects.filter(pk=record.municipality_id)
