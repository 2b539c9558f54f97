"""PostgreSQL only: the database refuses UPDATE and DELETE on the archive (AR-3), and
concurrent appends take turns on the chain head. `.ci/run` runs the suite on
PostgreSQL too; on SQLite these tests are skipped."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import ArchiveFile, ArchiveRecord
from ordstyrer.archive.police import police_package_prepare
from ordstyrer.archive.services import archive_append
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
