"""The append's idempotency check reads one index entry (#17; found by the one-path
attempt, kept when that attempt was reverted for speed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and partial indexes")
def test_the_key_check_looks_the_key_up_in_its_index(personas):
    """An append with a key reads one index entry, not every record of the
    municipality (SQLite uses the partial unique index only when the query repeats
    its condition)."""
    archive_append(actor=None, entry=deleted_comment(personas, idempotency_key="a"))
    with CaptureQueriesContext(connection) as queries:
        archive_append(actor=None, entry=deleted_comment(personas, idempotency_key="b"))
    checks = [q["sql"] for q in queries if '"idempotency_key" = ' in q["sql"]]
    assert checks, [q["sql"] for q in queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {checks[0]}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "archive_record_unique_idempotency_key" in plan, plan
