"""PostgreSQL only: the database refuses UPDATE and DELETE on the archive (AR-3), and
concurrent appends take turns on the chain head. `.ci/run` runs the suite on
PostgreSQL too; on SQLite these tests are skipped."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from ordstyrer.archive import pg_append
from ordstyrer.archive.canonical import chain_hash
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import ArchiveFile, ArchiveRecord
from ordstyrer.archive.police import police_package_prepare
from ordstyrer.archive.services import archive_append
from ordstyrer.tenants.models import Municipality
from tests.archive.conftest import deleted_comment
from tests.conftest import make_personas

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the AR-3 trigger and SELECT … FOR UPDATE exist on PostgreSQL only "
    "(run with DATABASE_URL=postgres://…; .ci/run does)",
)

STATEMENTS = [
    "UPDATE archive_archiverecord SET title = 'x'",
    "DELETE FROM archive_archiverecord",
    "UPDATE archive_archivefile SET name = 'x'",
    "DELETE FROM archive_archivefile",
    "UPDATE archive_policereportstatus SET police_reference = 'x'",
    "DELETE FROM archive_policereportstatus",
]


@pytest.mark.django_db
@pytest.mark.parametrize("sql", STATEMENTS)
def test_the_database_refuses_changes(personas, sql):
    record = archive_append(actor=None, entry=deleted_comment(personas))
    if "policereportstatus" in sql:
        police_package_prepare(
            actor=personas.communications, record=record, protected_grounds=["a"]
        )
    with (
        pytest.raises(IntegrityError, match="AR-3"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute(sql)
    assert ArchiveRecord.objects.filter(title=record.title).count() == 1
    assert ArchiveFile.objects.count() == 1


@pytest.mark.django_db
def test_orm_delete_is_refused_too(personas):
    archive_append(actor=None, entry=deleted_comment(personas))
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchiveFile.objects.all().delete()
        ArchiveRecord.objects.all().delete()
    assert ArchiveRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain():
    p = make_personas("samtidig")
    errors: list[BaseException] = []
    per_thread = 15

    def work() -> None:
        try:
            for _ in range(per_thread):
                archive_append(actor=None, entry=deleted_comment(p, media=()))
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    sequences = list(
        ArchiveRecord.objects.filter(municipality=p.municipality)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 4 * per_thread + 1))
    assert verify_chain(p.municipality.pk).ok


def _in_thread(work):
    """Run `work` on a connection of its own (a thread has its own); return its result."""
    result: list = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # noqa: BLE001 — re-raised below
            result.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_two_connections_append_to_one_chain_concurrently():
    """Both connections append at once, in step, so most appends find the head moved
    by the other since they last saw it; each record still follows the one before."""
    p = make_personas("kappl0p")
    rounds = 25
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    made: dict[str, list[int]] = {"a": [], "b": []}

    def work(name: str) -> None:
        try:
            for index in range(rounds):
                start.wait(timeout=30)
                key = f"{name}:{index}"
                record = archive_append(
                    actor=None, entry=deleted_comment(p, media=(), idempotency_key=key)
                )
                made[name].append(record.sequence)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(name,)) for name in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(made["a"] + made["b"]) == list(range(1, 2 * rounds + 1))
    records = ArchiveRecord.objects.filter(municipality=p.municipality)
    assert records.count() == 2 * rounds
    assert sorted(records.values_list("idempotency_key", flat=True)) == sorted(
        f"{name}:{index}" for name in made for index in range(rounds)
    )
    report = verify_chain(p.municipality.pk)
    assert report.ok and report.records == 2 * rounds


@pytest.mark.django_db(transaction=True)
def test_a_connection_whose_head_is_stale_appends_after_the_newest_record():
    p = make_personas("utdatert")

    def append(text: str):
        return archive_append(actor=None, entry=deleted_comment(p, media=(), text=text))

    first = append("A1")  # this connection now knows the head: nr. 1
    second = _in_thread(lambda: append("B1"))  # another connection moves it to nr. 2
    third = append("A2")
    assert (third.sequence, third.prev_hash) == (3, second.hash)
    assert second.prev_hash == first.hash
    assert verify_chain(p.municipality.pk).ok


@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_the_first_append_returns_the_first_record():
    """The first append holds the head while its transaction is open; the retry with
    the same key, on another connection that saw the same head, waits for it and then
    finds the record instead of writing a second one."""
    p = make_personas("gjentak")
    archive_append(actor=None, entry=deleted_comment(p, media=(), idempotency_key="start"))
    # The other connection learns the same head (a repeated key only reads).
    _in_thread(
        lambda: archive_append(
            actor=None, entry=deleted_comment(p, media=(), idempotency_key="start")
        )
    )
    entry = deleted_comment(p, media=(), idempotency_key="outbox:7")
    appended = threading.Event()
    retried: list = []

    def retry() -> None:
        appended.wait(timeout=30)
        retried.append(archive_append(actor=None, entry=entry))

    other = threading.Thread(target=lambda: _in_thread(retry))
    other.start()
    with transaction.atomic():
        first = archive_append(actor=None, entry=entry)
        appended.set()
        other.join(timeout=0.5)
        assert other.is_alive()  # waiting for this transaction's head lock
    other.join(timeout=30)
    assert retried and retried[0].pk == first.pk
    assert ArchiveRecord.objects.filter(idempotency_key="outbox:7").count() == 1
    assert verify_chain(p.municipality.pk).ok


@pytest.mark.django_db(transaction=True)
def test_an_append_without_a_callers_transaction_is_committed_when_it_returns():
    """MO-2: the platform deletion may start as soon as the append returns."""
    p = make_personas("committed")
    for text in ("en", "to"):  # the second one appends at the head this connection knows
        record = archive_append(actor=None, entry=deleted_comment(p, media=(), text=text))
        seen = _in_thread(lambda pk=record.pk: ArchiveRecord.objects.filter(pk=pk).exists())
        assert seen
    assert verify_chain(p.municipality.pk).ok


@pytest.mark.django_db(transaction=True)
def test_an_append_waits_for_the_head_a_callers_transaction_holds_and_follows_it():
    """The fast path (archive/pg_append.py) links the record in one statement under
    the head's lock: an append on another connection waits for the caller's
    transaction and then takes the number and hash after the record it committed."""
    p = make_personas("venter")
    first = archive_append(actor=None, entry=deleted_comment(p, media=(), text="A1"))
    appended = threading.Event()
    others: list = []

    def other() -> None:
        appended.wait(timeout=30)
        others.append(archive_append(actor=None, entry=deleted_comment(p, media=(), text="B")))

    thread = threading.Thread(target=lambda: _in_thread(other))
    thread.start()
    with transaction.atomic():
        mine = archive_append(actor=None, entry=deleted_comment(p, media=(), text="A2"))
        appended.set()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # waiting for this transaction's head lock
    thread.join(timeout=30)
    assert (mine.sequence, mine.prev_hash) == (2, first.hash)
    assert (others[0].sequence, others[0].prev_hash) == (3, mine.hash)
    assert verify_chain(p.municipality.pk).ok


@pytest.mark.django_db
def test_the_record_an_append_returns_is_the_one_the_database_sealed(personas):
    record = archive_append(actor=None, entry=deleted_comment(personas, media=()))
    stored = ArchiveRecord.objects.get(pk=record.pk)
    names = [f.attname for f in ArchiveRecord._meta.concrete_fields]
    assert [getattr(record, n) for n in names] == [getattr(stored, n) for n in names]
    assert record.hash == chain_hash(record.prev_hash, record.canonical)
    assert verify_chain(personas.municipality.pk).ok


@pytest.mark.django_db
def test_an_entry_that_repeats_a_placeholder_is_appended_on_the_locked_path(personas):
    """The fast path fills in the sequence and the column fingerprint where its
    placeholders stand; data that carries a placeholder itself goes the locked way."""
    entry = deleted_comment(
        personas, media=(), extra={"columns": pg_append.FINGERPRINT, "n": pg_append.NUMBER}
    )
    with CaptureQueriesContext(connection) as queries:
        record = archive_append(actor=None, entry=entry)
    assert any(q["sql"].endswith("FOR UPDATE") for q in queries)  # the locked path
    assert record.sequence == 1
    assert pg_append.FINGERPRINT in ArchiveRecord.objects.get(pk=record.pk).canonical
    assert verify_chain(personas.municipality.pk).ok


@pytest.mark.django_db
def test_a_municipality_with_records_cannot_be_deleted_in_the_database(personas):
    """The records carry no foreign-key constraint of their own (it cost appends
    12–15 %); the chain head's keeps their municipality (models.ArchiveRecord)."""
    bare = Municipality.objects.create(slug="uten-noe", name="Uten noe", preset="indre-fosen")
    entry = dataclasses.replace(
        deleted_comment(personas, media=()), municipality=bare, channel=None
    )
    archive_append(actor=None, entry=entry)
    with (
        pytest.raises(IntegrityError, match="archive_chainhead"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's are deferred
        cursor.execute("DELETE FROM tenants_municipality WHERE id = %s", [bare.pk])
    assert ArchiveRecord.objects.filter(municipality=bare).count() == 1
