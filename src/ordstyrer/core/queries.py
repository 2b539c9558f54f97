"""Database helpers the apps' selectors share: counts that stop at a cap, and statements
that PostgreSQL plans for their own parameters.

Plain SQL and connection settings, no app's models: the inbox's header, the start page
and the archive's list count with them (`docs/architecture.md`, "Layers": `core` sits
below the feature apps, so none of them imports another's selectors for these).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

# A count is O(rows); past this many, "over 1000" says enough. Lists show more than
# COUNT_CAP as "over COUNT_CAP".
COUNT_CAP = 1000


def capped_values(rows: QuerySet[Any], outer: str, params: Sequence[Any]) -> tuple[int, ...] | None:
    """`SELECT <outer> FROM (<rows limited to COUNT_CAP + 1>) capped`: counts that read
    at most COUNT_CAP + 1 rows. The ORM's aggregate over a sliced query builds the same
    SQL for three times the CPU of a page's whole count (#14), so the outer query is
    written here around the ORM's inner one; `outer` may name the inner columns as
    `capped.<column>`, and `params` are its own parameters. None when the rows cannot
    match (e.g. no channel to read, a refused search)."""
    try:
        inner, inner_params = rows[: COUNT_CAP + 1].query.sql_with_params()
    except EmptyResultSet:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {outer} FROM ({inner}) capped", [*params, *inner_params])  # noqa: S608
        return tuple(cursor.fetchone())


def capped_count(rows: QuerySet[Any]) -> int:
    """How many rows `rows` has, up to COUNT_CAP + 1: more than COUNT_CAP is shown as
    "over COUNT_CAP" (the inbox's header, the start page, the archive's list)."""
    counted = capped_values(rows.order_by().values("pk"), "COUNT(*)", ())
    return counted[0] if counted else 0


@contextmanager
def unprepared() -> Iterator[None]:
    """On PostgreSQL, the statements inside are not prepared: they are planned for the
    values they are run with. A prepared search is soon run on a generic plan
    (PostgreSQL's plan cache, after five runs of the statement on a connection) made for
    no word in particular: the archive's search then walks the records newest first,
    which for a rare word or none reads the whole archive (3–5 s at 500,000 records,
    against 20–50 ms planned for the word). psycopg prepares nothing while
    `prepare_threshold` is None; elsewhere this does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = saved
