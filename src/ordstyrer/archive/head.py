"""The chain head of a municipality: number and hash of its newest record (AR-3).

`lock` is how `archive_append` takes its turn: the head row, locked with
SELECT … FOR UPDATE until the transaction ends (SQLite serialises writers anyway,
`transaction_mode=IMMEDIATE`). The head moves in the database, with the INSERT of
the record (the trigger of migration 0005, which also refuses a record that does
not follow the head).

`append_unlocked` is the one fast path, PostgreSQL only, for an append that is its
own transaction (no caller's transaction, no files). Why it exists — measured
5 Dec 2026 (docs/archive.md, "Measured"), one chain,
each append committed on its own, CPU per append, client + server, same run, load
≈ 12–16: the locked path costs BEGIN, the lock, the key check, the INSERT and COMMIT
— five round trips, three of them ORM queries built afresh — ≈ 4.6 ms; reading the
head without a lock and inserting the record as one committed statement is two
round trips, ≈ 2.1 ms (an empty commit: 0.7 ms). The head can move between the read
and the insert; then the trigger refuses the insert (or the unique constraints do,
for a repeated key), nothing is written, and the caller appends under the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection

from ordstyrer.archive.models import ArchiveRecord, ChainHead


def lock(municipality: Any) -> tuple[int, str]:
    """Lock the municipality's head for this transaction (created on first use) and
    return (sequence, hash) of its newest record."""
    heads = ChainHead.objects.select_for_update().filter(pk=municipality.pk)
    head = heads.values_list("sequence", "head_hash").first()
    if head is None:  # the municipality's first record
        ChainHead.objects.bulk_create([ChainHead(municipality=municipality)], ignore_conflicts=True)
        head = heads.values_list("sequence", "head_hash").get()
    return head


_HEAD = f"SELECT sequence, head_hash FROM {ChainHead._meta.db_table} WHERE municipality_id = %s"  # noqa: S608 - a table name from the model


def append_unlocked(
    municipality: Any, record_after: Callable[[int, str], ArchiveRecord]
) -> ArchiveRecord | None:
    """PostgreSQL outside a transaction: read the head, insert `record_after(head)`
    as one committed statement and return it; None — nothing written — when that is
    not possible here (another backend, a caller's transaction, no head yet) or the
    database refused the record (the head moved, or the idempotency key is taken):
    the caller then appends under the lock, which decides."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return None
    with connection.cursor() as cursor:  # plain SQL: the ORM would build it each time
        cursor.execute(_HEAD, [municipality.pk])
        head = cursor.fetchone()
    if head is None:
        return None
    record = record_after(*head)
    try:
        record.save(force_insert=True)
    except IntegrityError:
        return None
    return record
