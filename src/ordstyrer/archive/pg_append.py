"""The one fast path of `archive_append`: PostgreSQL, an append without files.

Why it exists — measured 6 Dec 2026 (one chain on PostgreSQL 15, the appends as the
moderation services make them, with idempotency keys; the 2-core machine shared with
other sessions, load 8–14, so CPU per append — this process's plus its PostgreSQL
backend's — not the rate; medians of 6–10 blocks of 300, the variants interleaved in
one process; four runs, 00:14–00:42 UTC; docs/archive.md, "Measured"):

    CPU per append                          this path    locked path only   before #17
    committed on its own                  1.01–1.27 ms    1.28–1.93 ms    1.13–1.40 ms
    inside a caller's transaction         1.15–1.69 ms    1.28–1.97 ms    1.34–1.63 ms
    committed on its own, not prepared*      1.34 ms         1.89 ms         1.24 ms
    inside a caller's transaction, idem      1.66 ms         1.74 ms         1.32 ms

    * ORDSTYRER_DB_PREPARED=false (config/settings.py: for a pooling proxy that
      keeps no prepared statements); the other rows with the default, prepared.

The locked path alone is BEGIN, the head lock, the key check, the INSERT, the head's
UPDATE and COMMIT — six round trips where this path has two. In each run this path
cost 15–34 % less CPU than the locked path for an append committed on its own (5–18 %
less inside a caller's transaction), and about what the code it replaced cost ("before
#17": four paths, a head remembered per connection, one statement).

How: read the chain head without a lock, compute the record after it (the caller's
`row_after`), and write it with one statement. The statement locks the head only if it
is still where it was read, inserts the record only then, and moves the head only if
the record was inserted (outside a caller's transaction it commits itself; inside one
the head stays locked until the caller's commit, as on the locked path):

    WITH head  AS (SELECT … FROM chain head WHERE it is (sequence, hash) FOR UPDATE),
         added AS (INSERT INTO records … SELECT … FROM head
                   ON CONFLICT (municipality, idempotency key) DO NOTHING RETURNING id),
         moved AS (UPDATE chain head … WHERE EXISTS (SELECT FROM added))
    SELECT id FROM added

Under READ COMMITTED a statement whose lock waited for a concurrent append re-checks
the head that append committed, finds it moved and writes nothing; a key that is
taken writes nothing. Then `append` returns None and the caller appends on its locked
path, which decides. The database decides every link: nothing is remembered between
appends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from ordstyrer.archive.models import ArchiveRecord, ChainHead

_RECORDS, _HEADS = ArchiveRecord._meta.db_table, ChainHead._meta.db_table
_COLUMNS = [f.attname for f in ArchiveRecord._meta.concrete_fields if not f.primary_key]
_NAMES = ", ".join(f'"{name}"' for name in _COLUMNS)
_HEAD = f'SELECT "sequence", "head_hash" FROM "{_HEADS}" WHERE "municipality_id" = %s'  # noqa: S608
_INSERT_IF_HEAD = (
    f'WITH head AS (SELECT 1 FROM "{_HEADS}" WHERE "municipality_id" = %s '  # noqa: S608
    'AND "sequence" = %s AND "head_hash" = %s FOR UPDATE), '
    f'added AS (INSERT INTO "{_RECORDS}" ({_NAMES}) '
    f"SELECT {', '.join(['%s'] * len(_COLUMNS))} FROM head "
    "ON CONFLICT (municipality_id, idempotency_key) WHERE idempotency_key <> '' "
    'DO NOTHING RETURNING "id"), '
    f'moved AS (UPDATE "{_HEADS}" SET "sequence" = %s, "head_hash" = %s '
    'WHERE "municipality_id" = %s AND EXISTS (SELECT FROM added)) '
    'SELECT "id" FROM added'
)


def append(
    municipality_id: int, row_after: Callable[[int, str], dict[str, Any]]
) -> tuple[int, dict[str, Any]] | None:
    """Append the record `row_after(head sequence, head hash)` gives (its column values
    by attribute name) as one committed statement; its id and the values, or None when
    nothing was written: not PostgreSQL, no head yet, the head moved, or the
    idempotency key is taken."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_HEAD, [municipality_id])
        head = cursor.fetchone()
        if head is None:
            return None
        sequence, head_hash = head
        values = row_after(sequence, head_hash)
        cursor.execute(
            _INSERT_IF_HEAD,
            [municipality_id, sequence, head_hash]
            + [values[name] for name in _COLUMNS]
            + [sequence + 1, values["hash"], municipality_id],
        )
        added = cursor.fetchone()
    return None if added is None else (added[0], values)
