"""A worker killed in the middle of an export left a copy of the archive on disk that no
one could see (AR-3; PU-1).

The stale sweep failed the job with an empty file name but removed only the work
folders: a zip half written (`<name>.zip.partial`) or written in full but never recorded
(the worker died between renaming it into place and updating the row) stayed in the
exports folder, confidential records and all, listed nowhere and so never removed by
anyone. The sweep now rebuilds the job's file name from its row and removes the zip,
its partial and the work folders, as a job that fails in its own worker does. A job
still within its time, and a finished export, keep their files."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.archive import exports
from ordstyrer.archive.exports import archive_export_request, exports_dir
from ordstyrer.archive.models import ArchiveExport, ArchiveRecord, ExportStatus
from ordstyrer.archive.services import archive_append
from ordstyrer.archive.tasks import archive_export_run
from ordstyrer.core.worker import registered_sweeps
from tests.archive.conftest import T0, deleted_comment

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process ends here (SIGKILL, out of memory): nothing after it runs."""


def _request(p) -> ArchiveExport:
    """A queued export of the day the municipality's records were archived (its task is
    queued on commit, which a test never reaches: the test runs it itself)."""
    day = timezone.localdate(ArchiveRecord.objects.get(municipality=p.municipality).archived_at)
    return archive_export_request(
        actor=p.archivist,
        municipality=p.municipality,
        fmt="fiks-arkiv",
        since=day,
        until=day,
        now=timezone.now(),
    )


def _stale_sweep(now):
    return next(s for s in registered_sweeps() if s.name == "archive_export_stale").func(now=now)


def _killed_run(pk: int) -> None:
    with pytest.raises(Killed):
        archive_export_run.call(pk)
    assert ArchiveExport.objects.get(pk=pk).status == ExportStatus.RUNNING


def test_a_zip_half_written_by_a_killed_worker_is_removed_by_the_stale_sweep(personas, monkeypatch):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p), backdated_to=T0)
    export = _request(p)
    written = []

    def write_then_die(self, filename, arcname=None, *args, **kwargs):
        if written:
            raise Killed
        written.append(arcname)
        return original(self, filename, arcname, *args, **kwargs)

    original = zipfile.ZipFile.write
    monkeypatch.setattr(zipfile.ZipFile, "write", write_then_die)
    _killed_run(export.pk)
    left = sorted(path.name for path in exports_dir().iterdir())
    assert any(name.endswith(".zip.partial") for name in left), left  # the copy on disk

    assert _stale_sweep(timezone.now() + exports.STALE_AFTER + timedelta(minutes=1)) == 1

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and not export.file_name
    assert list(exports_dir().iterdir()) == []


def test_a_zip_in_place_whose_row_was_never_updated_is_removed_and_others_are_kept(
    personas, monkeypatch
):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p), backdated_to=T0)
    done = _request(p)
    assert archive_export_run.call(done.pk) == ExportStatus.DONE
    done.refresh_from_db()
    dead = _request(p)

    def die(path):
        raise Killed  # after the zip was renamed into place, before the row was updated

    monkeypatch.setattr(exports, "file_sha256", die)
    _killed_run(dead.pk)
    left = sorted(path.name for path in exports_dir().iterdir())
    zipped = done.file_name.replace(f"{done.pk}-", f"{dead.pk}-", 1)
    assert zipped in left, left  # the whole archive of the day, listed nowhere

    # Still within its time: the sweep leaves the job and its files alone.
    assert _stale_sweep(timezone.now()) == 0
    assert sorted(path.name for path in exports_dir().iterdir()) == left

    assert _stale_sweep(timezone.now() + exports.STALE_AFTER + timedelta(minutes=1)) == 1
    assert _stale_sweep(timezone.now() + exports.STALE_AFTER + timedelta(minutes=2)) == 0

    dead.refresh_from_db()
    assert dead.status == ExportStatus.FAILED and not dead.file_name
    assert [path.name for path in exports_dir().iterdir()] == [done.file_name]
