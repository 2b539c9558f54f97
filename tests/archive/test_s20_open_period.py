"""`run_export` itself refuses a Noark 5 deposit of a period that is not over (AR-3).

The rule used to be checked only by the CLI, the console form and the API before they
called; a job that reached the worker another way, or a script calling `run_export`,
deposited a day that was not over and left out for good the records archived later
that day. Now `run_export` refuses it (`OpenPeriod`, nothing written) whoever calls, and
the entry points keep their own words for it.

The clock stands at 2026-06-30 10:00 in Oslo.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
import time_machine

from ordstyrer.archive.exporters import ExportError, run_export
from ordstyrer.archive.exports import archive_export_execute
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=OSLO)
TODAY, YESTERDAY = date(2026, 6, 30), date(2026, 6, 29)
SINCE = date(2026, 6, 1)
CLOSED_ONLY = (
    "En avleveringspakke (Noark 5-arkivuttrekk) kan bare dekke dager som er over. Velg en "
    "til-dato før i dag."
)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def archived(personas, clock):
    """One record archived yesterday evening, one this morning."""
    archive_append(
        actor=None,
        entry=deleted_comment(personas, media=()),
        backdated_to=datetime(2026, 6, 29, 21, 0, tzinfo=OSLO),
    )
    archive_append(actor=None, entry=deleted_comment(personas, media=()))
    return personas


def _export(p, out, *, until: date, fmt: str = "noark5-uttrekk", **kw: Any):
    return run_export(
        municipality=p.municipality, fmt=fmt, since=SINCE, until=until, out_dir=out, **kw
    )


@pytest.mark.parametrize("until", [TODAY, date(2026, 7, 1)], ids=["today", "tomorrow"])
def test_ar3_run_export_refuses_a_deposit_of_a_day_not_over(archived, tmp_path, until):
    """AR-3: called directly, the deposit of today (or later) is refused with the
    console's Norwegian sentence, and nothing is written, not even the `.partial`."""
    out = tmp_path / "uttrekk"
    with pytest.raises(ExportError) as refused:
        _export(archived, out, until=until)
    assert str(refused.value) == CLOSED_ONLY
    assert refused.value.last == YESTERDAY  # type: ignore[attr-defined]  # OpenPeriod
    assert list(tmp_path.iterdir()) == []


def test_ar3_run_export_judges_the_day_by_its_own_now(archived, tmp_path):
    """AR-3: with an explicit `now` (29 June, evening) 29 June is not over yet either."""
    with pytest.raises(ExportError, match="bare dekke dager som er over"):
        _export(
            archived,
            tmp_path / "uttrekk",
            until=YESTERDAY,
            now=datetime(2026, 6, 29, 22, 0, tzinfo=OSLO),
        )
    assert list(tmp_path.iterdir()) == []


def test_ar3_run_export_takes_yesterday_and_the_messages_take_today(archived, tmp_path):
    """AR-3, AR-2: up to yesterday the deposit runs (the record of this morning is not in
    it); the arkivmelding formats close no period and still take today."""
    assert _export(archived, tmp_path / "uttrekk", until=YESTERDAY).records == 1
    assert _export(archived, tmp_path / "fiks", until=TODAY, fmt="fiks-arkiv").records == 2


def test_ar3_a_queued_deposit_of_today_fails_in_the_worker(archived):
    """AR-3: a job that reached the worker without the console's or the API's check (an
    old job, a script) fails there with the reason; no package is made."""
    job = ArchiveExport.objects.create(
        municipality=archived.municipality,
        format="noark5-uttrekk",
        since=SINCE,
        until=TODAY,
        requested_by=archived.archivist,
        requested_at=NOW,
    )
    assert archive_export_execute(export_id=job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.error, job.file_name) == (ExportStatus.FAILED, CLOSED_ONLY, "")
