"""The archive browser's filter by ground reads an index (migration 0007), not the whole
archive (AR-1: what is archived is found again).

The filter (`selectors.archive_page(ground=…)`) asks for one municipality's records of
one ground, newest first, paged by record number, and counts them up to COUNT_CAP + 1.
Without an index on the ground a rare ground walked every record of the municipality,
twice (0.66 and 0.95 s at 500,000 records on PostgreSQL, docs/archive.md). The index
(municipality, ground, sequence) makes both a range read in the list's own order, on
PostgreSQL and SQLite alike. The plans are read with EXPLAIN for the statements the
selector itself sends (caught with `execute_wrapper`), on an archive where the rare
ground's records are the oldest: the worst case for a walk newest first.

The 20,000 records beside them are copied in SQL from one record `archive_append` made
(appending them one by one would take minutes); the chain is not what is tested here.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection

from ordstyrer.archive import selectors
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
from ordstyrer.core.queries import COUNT_CAP
from tests.archive.conftest import deleted_comment, inquiry, make_channel

pytestmark = pytest.mark.django_db

INDEX = "archive_record_ground_seq"
TABLE = ArchiveRecord._meta.db_table
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
COPIES = 20_000


def make_archive(p) -> tuple[list[int], int]:
    """Three hate-speech deletions (the oldest records), an inquiry without a ground,
    then one spam deletion and COPIES copies of it: (the hate-speech records' numbers,
    the newest record's number)."""
    channel = make_channel(p)
    hateful = [
        archive_append(
            actor=None,
            entry=deleted_comment(p, channel, media=(), item_id=f"1_{n}"),
            backdated_to=DAY + timedelta(minutes=n),
        ).sequence
        for n in range(3)
    ]
    archive_append(actor=None, entry=inquiry(p, channel), backdated_to=DAY + timedelta(minutes=5))
    spam = archive_append(
        actor=None,
        entry=deleted_comment(p, channel, media=(), ground="spam", item_id="1_9"),
        backdated_to=DAY + timedelta(minutes=9),
    )
    columns = [f.column for f in ArchiveRecord._meta.concrete_fields if f.column != "id"]
    values = {"sequence": '"sequence" + g.n', "idempotency_key": "''"}
    names = ", ".join(f'"{column}"' for column in columns)
    copied = ", ".join(values.get(column, f'"{column}"') for column in columns)
    with connection.cursor() as cursor:
        numbers = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s)"
        # Column names from the model, no input.
        insert = f"INSERT INTO {TABLE} ({names}) SELECT {copied} FROM {TABLE} CROSS JOIN g"  # noqa: S608
        cursor.execute(f"{numbers} {insert} WHERE id = %s", [COPIES, spam.pk])
    return hateful, spam.sequence + COPIES


@contextmanager
def statements():
    """The archive's statements run inside, each as (sql, params)."""
    seen: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        if TABLE in sql:
            seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def page_and_count(**kw) -> tuple[selectors.ArchivePage, list[tuple[str, tuple]]]:
    with statements() as seen:
        page = selectors.archive_page(**kw)
    # The page and its capped count, nothing else.
    assert len(seen) == 2, seen
    assert sum("COUNT(" in sql for sql, _params in seen) == 1, seen
    return page, seen


def explain(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
        cursor.execute(f"{prefix} {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def prepared_plan(sql: str, params: tuple, *, runs: list[tuple], generic: bool = False) -> str:
    """The plan PostgreSQL gives the statement prepared, as the web tier runs it (psycopg
    prepares a statement run five times on a connection): executed first with each of
    `runs`' parameters, then explained with `params` — after five runs PostgreSQL may
    keep one generic plan, made for no ground in particular, for every ground. With
    `generic`, that plan is forced. Through a client-side cursor: PREPARE's own $n must
    reach the server as text, not as the parameters of a bound statement."""
    numbered = sql
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    values = ", ".join(["%s"] * len(params))
    with psycopg.ClientCursor(connection.connection) as cursor:
        mode = "force_generic_plan" if generic else "auto"
        cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
        cursor.execute(f"PREPARE s15_ground AS {numbered}")
        try:
            for run in runs:
                cursor.execute(f"EXECUTE s15_ground ({values})", run)
            cursor.execute(f"EXPLAIN EXECUTE s15_ground ({values})", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE s15_ground")
            cursor.execute("RESET plan_cache_mode")


def test_the_index_is_on_municipality_ground_and_sequence(db):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    assert found[INDEX]["index"] and not found[INDEX]["unique"]
    assert found[INDEX]["columns"] == ["municipality_id", "ground", "sequence"]


def test_the_ground_filter_pages_its_records_newest_first(personas, monkeypatch):
    p = personas
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    hateful, newest = make_archive(p)
    municipality = p.municipality

    first, _ = page_and_count(municipality=municipality, ground="hate_speech")
    assert [r.sequence for r in first.records] == [3, 2] == hateful[:0:-1]
    assert (first.count, first.newer, first.older) == (3, None, 2)
    older, _ = page_and_count(municipality=municipality, ground="hate_speech", older_than=2)
    assert [r.sequence for r in older.records] == [1]
    assert (older.newer, older.older) == (1, None)
    back, _ = page_and_count(municipality=municipality, ground="hate_speech", newer_than=1)
    assert [r.sequence for r in back.records] == [3, 2]
    assert {r.ground for r in first.records + older.records} == {"hate_speech"}

    spam, _ = page_and_count(municipality=municipality, ground="spam")
    assert [r.sequence for r in spam.records] == [newest, newest - 1]
    assert spam.count == COUNT_CAP + 1  # "over 1000"
    none, _ = page_and_count(municipality=municipality, ground="threats")
    assert (none.records, none.count, none.older) == ([], 0, None)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's planner (run with DATABASE_URL=postgres://…; .ci/run does)",
)
def test_postgresql_reads_a_rare_ground_through_the_index(personas):
    p = personas
    make_archive(p)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")  # the statistics a live archive has
    for ground, keyset in [
        ("hate_speech", {}),  # rare: the three oldest records
        ("hate_speech", {"older_than": 3}),
        ("hate_speech", {"newer_than": 1}),
        ("threats", {}),  # none
    ]:
        _page, seen = page_and_count(municipality=p.municipality, ground=ground, **keyset)
        for sql, params in seen:
            # The same statement for the common ground and the rare one, a dozen times
            # over, as a web worker's connection runs it.
            common = tuple("spam" if value == ground else value for value in params)
            for plan in (
                explain(sql, params),
                prepared_plan(sql, params, runs=[common, params] * 6),
            ):
                assert INDEX in plan, (ground, keyset, sql, plan)
                assert f"Seq Scan on {TABLE}" not in plan, plan
                assert "Sort" not in plan, plan  # read in the list's order
            if "COUNT(" not in sql:
                # The page even on a plan made for no ground in particular. (The count's
                # such plan is a sequential read up to COUNT_CAP + 1 rows, which
                # PostgreSQL does not choose: see the prepared plan above.)
                assert INDEX in prepared_plan(sql, params, runs=[], generic=True)
    # A ground nearly every record has is read in the list's order too (the index, or
    # the record number's own), never sorted.
    _page, seen = page_and_count(municipality=p.municipality, ground="spam")
    for sql, params in seen:
        plan = explain(sql, params)
        assert "Sort" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_sqlite_reads_a_rare_ground_through_the_index(personas):
    p = personas
    make_archive(p)
    for keyset in [{}, {"older_than": 3}, {"newer_than": 1}]:
        _page, seen = page_and_count(municipality=p.municipality, ground="hate_speech", **keyset)
        for sql, params in seen:
            plan = explain(sql, params)
            assert f"INDEX {INDEX} (municipality_id=? AND ground=?" in plan, (keyset, plan)
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
