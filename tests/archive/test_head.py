"""The chain head (AR-3): the database moves it with each record it accepts and
refuses a record that does not follow it — on SQLite and PostgreSQL — and an append
that saw a head another connection then moved still lands after the newest record."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import ArchiveRecord, ChainHead
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment
from tests.conftest import make_personas


def _copy(record: ArchiveRecord, **changes) -> ArchiveRecord:
    values = {
        f.attname: getattr(record, f.attname)
        for f in ArchiveRecord._meta.concrete_fields
        if not f.primary_key
    }
    values["idempotency_key"] = ""
    return ArchiveRecord(**{**values, **changes})


def _head(municipality) -> tuple[int, str]:
    return ChainHead.objects.values_list("sequence", "head_hash").get(pk=municipality.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("what", "changes"),
    [
        ("a stale head (a fork)", {"sequence": 1}),
        ("a skipped number", {"sequence": 3}),
        ("another predecessor", {"prev_hash": "f" * 64}),
    ],
)
def test_the_database_refuses_a_record_that_does_not_follow_the_head(personas, what, changes):
    """Whoever inserts — not only archive_append — cannot fork or break the chain."""
    first = archive_append(actor=None, entry=deleted_comment(personas, media=()))
    record = _copy(first, sequence=2, prev_hash=first.hash, hash="e" * 64)
    for name, value in changes.items():
        setattr(record, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save(force_insert=True)
    assert _head(personas.municipality) == (1, first.hash)
    assert ArchiveRecord.objects.filter(municipality=personas.municipality).count() == 1


@pytest.mark.django_db
def test_the_head_moves_with_the_record_the_database_accepts(personas):
    first = archive_append(actor=None, entry=deleted_comment(personas, media=()))
    following = _copy(first, sequence=2, prev_hash=first.hash, hash="e" * 64)
    following.save(force_insert=True)
    assert _head(personas.municipality) == (2, "e" * 64)
    # Its body does not match that hash: verify, not the trigger, is where that shows.
    report = verify_chain(personas.municipality.pk)
    assert not report.ok and report.broken_sequence == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
)
def test_an_append_whose_head_moves_before_its_insert_lands_after_the_newest_record():
    """B reads the head while A's append holds it uncommitted; B's insert waits for A,
    is refused on the head A committed, and B appends under the lock after A's record."""
    p = make_personas("forbikjoring")
    archive_append(actor=None, entry=deleted_comment(p, media=(), text="0"))
    holding, release = threading.Event(), threading.Event()
    made: dict[str, ArchiveRecord | BaseException] = {}

    def run(name: str, work) -> None:
        try:
            made[name] = work()
        except BaseException as exc:  # noqa: BLE001 — re-raised by the assertions below
            made[name] = exc
            holding.set()
        finally:
            connections.close_all()

    def a() -> ArchiveRecord:
        with transaction.atomic():
            record = archive_append(actor=None, entry=deleted_comment(p, media=(), text="A"))
            holding.set()
            release.wait(timeout=30)
        return record

    def b() -> ArchiveRecord:
        holding.wait(timeout=30)
        return archive_append(actor=None, entry=deleted_comment(p, media=(), text="B"))

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in (("a", a), ("b", b))]
    for thread in threads:
        thread.start()
    threads[1].join(timeout=0.5)
    assert threads[1].is_alive()  # B waits for A's head
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    first, second = made["a"], made["b"]
    assert isinstance(first, ArchiveRecord), first
    assert isinstance(second, ArchiveRecord), second
    assert (first.sequence, second.sequence) == (2, 3)
    assert second.prev_hash == first.hash
    assert _head(p.municipality) == (3, second.hash)
    assert verify_chain(p.municipality.pk).ok


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and partial indexes")
def test_the_key_check_looks_the_key_up_in_its_index(personas):
    """An append with a key reads one index entry, not every record of the
    municipality (SQLite uses the partial unique index only when the query repeats
    its condition)."""
    from django.test.utils import CaptureQueriesContext

    archive_append(actor=None, entry=deleted_comment(personas, idempotency_key="a"))
    with CaptureQueriesContext(connection) as queries:
        archive_append(actor=None, entry=deleted_comment(personas, idempotency_key="b"))
    checks = [q["sql"] for q in queries if '"idempotency_key" = ' in q["sql"]]
    assert checks, [q["sql"] for q in queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {checks[0]}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "archive_record_unique_idempotency_key" in plan, plan
