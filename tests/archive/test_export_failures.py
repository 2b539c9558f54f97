"""An export job never stalls: dates the exporters cannot handle are refused where an
export is ordered, a job that dies of anything unexpected is marked failed and leaves
nothing behind, and a job whose worker died is ended by the sweep (AR-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from ordstyrer.archive.exports import archive_export_request, exports_dir
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from ordstyrer.archive.services import archive_append
from ordstyrer.archive.tasks import archive_export_run
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.worker import registered_sweeps
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
OUT_OF_RANGE = [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-03")]


@pytest.mark.parametrize(("since", "until"), OUT_OF_RANGE)
def test_the_console_refuses_dates_outside_1900_2100(
    client, personas, django_capture_on_commit_callbacks, since, until
):
    client.force_login(personas.archivist)
    url = reverse("archive:exports", args=[personas.municipality.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "fiks-arkiv", "since": since, "until": until})
    assert response.status_code == 200
    assert "Velg en dato mellom årene 1900 og 2100." in response.content.decode()
    assert not ArchiveExport.objects.exists()


@pytest.mark.parametrize(("since", "until"), OUT_OF_RANGE)
def test_the_service_refuses_dates_outside_1900_2100(personas, since, until):
    with pytest.raises(ServiceError, match="mellom årene 1900 og 2100"):
        archive_export_request(
            actor=personas.archivist,
            municipality=personas.municipality,
            fmt="fiks-arkiv",
            since=date.fromisoformat(since),
            until=date.fromisoformat(until),
        )
    assert not ArchiveExport.objects.exists()


def _queued(p, since: date, until: date, fmt: str = "fiks-arkiv") -> ArchiveExport:
    # Rows as a job queued before the refusal existed (or by another path) is stored.
    return ArchiveExport.objects.create(
        municipality=p.municipality,
        format=fmt,
        since=since,
        until=until,
        requested_by=p.archivist,
        requested_at=DAY,
    )


@pytest.mark.parametrize(
    ("since", "until"), [(date(9999, 12, 30), date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 3))]
)
def test_a_poisoned_job_fails_alone_and_leaves_nothing(personas, since, until):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p), backdated_to=DAY)
    poisoned = _queued(p, since, until)
    good = _queued(p, DAY.date(), DAY.date(), fmt="noark5-uttrekk")

    assert archive_export_run.call(poisoned.pk) == ExportStatus.FAILED
    assert archive_export_run.call(good.pk) == ExportStatus.DONE

    poisoned.refresh_from_db()
    assert poisoned.status == ExportStatus.FAILED and poisoned.finished_at is not None
    assert poisoned.error  # a Norwegian reason for the page, never an empty "failed"
    assert not poisoned.file_name
    good.refresh_from_db()
    assert (good.status, good.record_count) == (ExportStatus.DONE, 1), good.error
    # Only the good job's zip is left in the exports folder.
    assert sorted(path.name for path in exports_dir().iterdir()) == [good.file_name]


def test_the_page_stops_saying_an_export_is_running_after_a_poisoned_job(client, personas):
    p = personas
    poisoned = _queued(p, date(9999, 12, 30), date(9999, 12, 31))
    archive_export_run.call(poisoned.pk)
    client.force_login(p.archivist)
    page = client.get(reverse("archive:exports", args=[p.municipality.slug])).content.decode()
    assert "En eksport pågår" not in page


def test_the_sweep_fails_a_job_whose_worker_died(personas):
    p = personas
    now = DAY + timedelta(days=1)
    dead = _queued(p, DAY.date(), DAY.date())
    busy = _queued(p, DAY.date(), DAY.date())
    ArchiveExport.objects.filter(pk=dead.pk).update(
        status=ExportStatus.RUNNING, started_at=now - timedelta(hours=7)
    )
    ArchiveExport.objects.filter(pk=busy.pk).update(
        status=ExportStatus.RUNNING, started_at=now - timedelta(minutes=30)
    )
    sweep = next(s for s in registered_sweeps() if s.name == "archive_export_stale")

    assert sweep.func(now=now) == 1
    assert sweep.func(now=now) == 0

    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.status == ExportStatus.FAILED and "ble ikke ferdig" in dead.error
    assert busy.status == ExportStatus.RUNNING
