"""The one fast path of `archive_append`: PostgreSQL, an append without files, in one
statement — the database links the record to the head it locks.

Why it exists — the locked path is BEGIN, the head lock, the key check, the INSERT,
the head's UPDATE and COMMIT: six round trips, and on our 2-core machines every
round trip costs this process and its PostgreSQL backend CPU of their own (a process
woken from a wait runs its next steps slower). Measured 6 Dec 2026 with the other
jobs on the machine paused (docs/archive.md, "Measured"), one chain, appends with
idempotency keys, interleaved blocks of 400, medians of 7: the locked path 1.31 ms
an append (0.90 ms of this process's CPU, 0.33 of the backend's), this statement
0.91 ms (0.52 + 0.30). In an earlier window the fast path before it (an unlocked
read of the head, then a statement that wrote only if the head had not moved) made
1,059 appends/s where this one made 1,168–1,300.

How: everything in a record except its sequence number depends only on the entry, so
Python makes the canonical form (canonical.py) with a placeholder where the number
goes, and with another where the fingerprint of the search columns goes (they
include the number). PostgreSQL fills both in under the head's lock:

    n         = head sequence + 1
    canonical = A ‖ sha256("[" ‖ n ‖ F) ‖ B ‖ n ‖ C
    hash      = sha256(head hash ‖ canonical)

A, B and C are the canonical text around the placeholders ("columns" sorts before
"sequence"), F the fingerprint text after the number (COLUMNS starts with the
sequence). All of it is ASCII (canonical_json escapes everything else), so
PostgreSQL hashes the bytes Python would; this module recomputes the hash from what
the statement returns and refuses a record whose hash differs, and `verify` reads
every record the same way as those the locked path writes:

    WITH head   AS (SELECT sequence + 1 AS n, head_hash AS prev … FOR UPDATE),
         sealed AS (SELECT n, prev, A ‖ … ‖ C AS canonical FROM head),
         added  AS (INSERT INTO records … SELECT … FROM sealed
                    ON CONFLICT (municipality, idempotency key) DO NOTHING
                    RETURNING id, sequence, prev_hash, hash),
         moved  AS (UPDATE chain head … FROM added)
    SELECT … FROM added

Concurrent appends take turns on the head's lock; under READ COMMITTED the one that
waited reads the head the other committed, so every link is made by the database,
and nothing is remembered between appends. Outside a caller's transaction the
statement commits itself; inside one the head stays locked until the caller's
commit, as on the locked path. Nothing is written when the municipality has no head
yet, when the idempotency key is taken, or (never in practice) when the entry's own
data repeats a placeholder: then `append` returns None and the caller appends on
its locked path, which decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from ordstyrer.archive.canonical import (
    COLUMNS,
    canonical_json,
    chain_hash,
    fingerprint_text,
    record_columns,
    sha256_hex,
)
from ordstyrer.archive.models import ArchiveRecord, ChainHead

# The placeholders: a number no chain reaches (not even a bigint) and a fingerprint
# no SHA-256 hex digest is. Each must occur exactly once in the canonical text.
NUMBER = 9_111_111_111_111_111_111
FINGERPRINT = "#" * 64
_AT_NUMBER = f'"sequence":{NUMBER}'
_AT_FINGERPRINT = f'"columns":"{FINGERPRINT}"'

_RECORDS, _HEADS = ArchiveRecord._meta.db_table, ChainHead._meta.db_table
# The search columns Python gives (the municipality first), then the four the
# database fills in.
_FILLED = ("sequence", "canonical", "prev_hash", "hash")
_GIVEN = [name for name in COLUMNS if name not in _FILLED]
_NAMES = ", ".join(f'"{name}"' for name in ("municipality_id", *_GIVEN, *_FILLED))
_APPEND = (
    f'WITH head AS (SELECT "sequence" + 1 AS n, "head_hash" AS prev FROM "{_HEADS}" '  # noqa: S608
    'WHERE "municipality_id" = %s FOR UPDATE), '
    "sealed AS (SELECT n, prev, %s::text "
    "|| encode(sha256(convert_to('[' || n || %s::text, 'UTF8')), 'hex') "
    "|| %s::text || n || %s::text AS canonical FROM head), "
    f'added AS (INSERT INTO "{_RECORDS}" '
    f"({_NAMES}) SELECT %s, {', '.join(['%s'] * len(_GIVEN))}, n, canonical, prev, "
    "encode(sha256(convert_to(prev || canonical, 'UTF8')), 'hex') FROM sealed "
    "ON CONFLICT (municipality_id, idempotency_key) WHERE idempotency_key <> '' "
    'DO NOTHING RETURNING "id", "sequence", "prev_hash", "hash"), '
    f'moved AS (UPDATE "{_HEADS}" SET "sequence" = added."sequence", '
    '"head_hash" = added."hash" FROM added '
    f'WHERE "{_HEADS}"."municipality_id" = %s) '
    'SELECT "id", "sequence", "prev_hash", "hash" FROM added'
)


def append(
    municipality_id: int, body_at: Callable[[int], dict[str, Any]]
) -> tuple[int, dict[str, Any]] | None:
    """Append the record whose body `body_at(sequence)` gives as one statement; its
    id and column values by attribute name, or None when nothing was written (not
    PostgreSQL, no head yet, the idempotency key taken, a placeholder repeated)."""
    if connection.vendor != "postgresql":
        return None
    body = body_at(NUMBER)
    columns = record_columns(body)
    fingerprint = fingerprint_text(columns[name] for name in COLUMNS)
    body["columns"] = FINGERPRINT
    template = canonical_json(body)
    number = f"[{NUMBER}"
    if (
        not fingerprint.startswith(number)
        or template.count(_AT_FINGERPRINT) != 1
        or template.count(_AT_NUMBER) != 1
    ):
        return None
    # canonical = start ‖ sha256("[" ‖ n ‖ rest_of_fingerprint) ‖ middle ‖ n ‖ tail
    before, after = template.split(_AT_FINGERPRINT)
    between, tail = after.split(_AT_NUMBER)
    start, middle = before + '"columns":"', '"' + between + '"sequence":'
    rest_of_fingerprint = fingerprint[len(number) :]
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND,
            [
                municipality_id,  # the head
                start,
                rest_of_fingerprint,
                middle,
                tail,
                municipality_id,  # the record
                *(columns[name] for name in _GIVEN),
                municipality_id,  # the head moved
            ],
        )
        added = cursor.fetchone()
    if added is None:
        return None
    pk, sequence, prev_hash, digest = added
    fingerprint_hash = sha256_hex(f"[{sequence}{rest_of_fingerprint}".encode())
    canonical = f"{start}{fingerprint_hash}{middle}{sequence}{tail}"
    if chain_hash(prev_hash, canonical) != digest:  # a defect here, never the data
        raise RuntimeError(f"archive record {pk}: the database sealed another canonical form")
    values = {
        "municipality_id": municipality_id,
        **columns,
        "sequence": sequence,
        "canonical": canonical,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    return pk, values
