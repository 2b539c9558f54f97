"""Exports requested in the console and run by the worker (AR-2).

`archive_export_request` checks the need, stores the request and queues
`tasks.archive_export_run` when the transaction commits; the task calls
`archive_export_execute`, which claims the job with a compare-and-set update (so
two workers never run it twice), writes the package under the data directory and
zips it for download. In a deployment with several machines, ORDSTYRER_DATA_DIR
must be storage the web and worker machines share.

A job never stays "running": any failure marks it failed and removes what it wrote,
and the `archive_export_stale` sweep fails a job whose worker died while running it
(`STALE_AFTER` after it started).
"""

from __future__ import annotations

import logging
import shutil
import traceback
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.archive.exporters import (
    CLOSED_PERIOD_ONLY,
    DEPOSIT_FORMAT,
    FORMATS,
    ExportError,
    OpenPeriod,
    last_closed_day,
    partial_dir,
    refuse_open_period,
    run_export,
)
from ordstyrer.archive.exporters.common import FIRST_YEAR, LAST_YEAR, file_sha256, year_in_range
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from ordstyrer.archive.services import actor_name
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.core.services import after_commit, person
from ordstyrer.core.stale import jobs_fail_stale

logger = logging.getLogger("ordstyrer.archive")
MAX_DAYS = 366 * 10
# Longer than any export takes (100,000 records took 4–11 minutes in bench/archive.py;
# ten years of a large municipality stays well inside this), far shorter than "forever".
STALE_AFTER = timedelta(hours=6)


# `CLOSED_PERIOD_ONLY` (the console's and the API's words) lives with the rule itself,
# `exporters.refuse_open_period`, which `run_export` applies whoever calls it.
CLOSED_PERIOD_ONLY_EN = (
    "A noark5-uttrekk deposit covers only days that are over (Europe/Oslo): until must be "
    "before today."
)


class PeriodRefused(ServiceError):
    """The export period refused because of one of its dates: `field` is the one at
    fault ("since" or "until"), `reason_en` says why in English, for the API's 422 that
    lists the field (api.md "Errors")."""

    def __init__(self, message: Any, *, field: str, reason_en: str) -> None:
        super().__init__(message, rule="AR-2")
        self.field = field
        self.reason_en = reason_en


def export_period(*, since: date, until: date | None, today: date, closed: bool = False) -> date:
    """The end of the period from `since` (`until`, or `today` when none is given), or a
    `PeriodRefused` naming the date the exporters cannot use (AR-2). A refusal speaks of
    the date that was sent: a future `since` without `until` is about `since`.

    A `closed` period (the Noark 5 deposit, which declares its period closed) must have
    ended: it ends yesterday at the latest, and that is its end when `until` is not
    given — a deposit that took today would leave out for good the records archived
    later today (AR-3)."""
    if until is None:
        if since > today:
            raise PeriodRefused(
                gettext_lazy("Fra-datoen kan ikke være etter i dag når ingen til-dato er oppgitt."),
                field="since",
                reason_en="since is after today, the end of the period when until is not given.",
            )
        end = last_closed_day(today) if closed else today
        if end < since:  # closed, and since is today
            raise PeriodRefused(
                gettext_lazy(
                    "En avleveringspakke (Noark 5-arkivuttrekk) kan bare dekke dager som er "
                    "over. Velg en fra-dato før i dag."
                ),
                field="since",
                reason_en="A noark5-uttrekk deposit covers only days that are over (Europe/"
                "Oslo): without until it ends yesterday, so since must be before today.",
            )
    elif until < since:
        raise PeriodRefused(
            gettext_lazy("Til-datoen kan ikke være før fra-datoen."),
            field="until",
            reason_en="until is before since.",
        )
    else:
        end = until
    for field, day in (("since", since), ("until", end)):
        if not year_in_range(day):
            raise PeriodRefused(
                gettext_lazy("Perioden må ligge mellom årene 1900 og 2100."),
                field=field,
                reason_en=f"{field} must lie in the years {FIRST_YEAR} to {LAST_YEAR}.",
            )
    if closed:
        # The rule `run_export` applies (AR-3), asked here first so that nothing is queued
        # and the console and the API can name the date at fault.
        try:
            refuse_open_period(fmt=DEPOSIT_FORMAT, until=end, today=today)
        except OpenPeriod:
            raise PeriodRefused(
                CLOSED_PERIOD_ONLY, field="until", reason_en=CLOSED_PERIOD_ONLY_EN
            ) from None
    if (end - since).days > MAX_DAYS:
        raise PeriodRefused(
            gettext_lazy("Velg en periode på høyst ti år."),
            field="since" if until is None else "until",
            reason_en="The period from since to until (today if not given) may span at most "
            "ten years.",
        )
    return end


def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / "archive-exports"


def export_path(export: ArchiveExport) -> Path | None:
    if not export.file_name:
        return None
    return exports_dir() / export.file_name


def archive_export_request(
    *,
    actor: ActorLike,
    municipality: Any,
    fmt: str,
    since: date,
    until: date | None,
    now: datetime | None = None,
) -> ArchiveExport:
    """Queue an export of the municipality's archive for a period; without `until`, up to
    and including today (the Noark 5 deposit: up to and including yesterday, and never
    later — see `export_period`)."""
    from ordstyrer.archive.tasks import archive_export_run

    require(actor, municipality, "export_archive")
    if fmt not in FORMATS:
        raise ServiceError(gettext_lazy("Ukjent eksportformat."), rule="AR-2")
    now = now or timezone.now()
    until = export_period(
        since=since, until=until, today=timezone.localdate(now), closed=fmt == DEPOSIT_FORMAT
    )
    with transaction.atomic():
        export = ArchiveExport.objects.create(
            municipality=municipality,
            format=fmt,
            since=since,
            until=until,
            requested_by=person(actor),
            requested_at=now,
        )
        audit_record(
            actor=actor,
            action="archive_export_request",
            municipality=municipality,
            obj=export,
            data={"format": fmt, "since": since.isoformat(), "until": until.isoformat()},
        )
        after_commit(archive_export_run, export_id=export.pk)
    return export


def archive_export_execute(*, export_id: int) -> str:
    """Run a queued export; returns its final status."""
    claimed = ArchiveExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    export = ArchiveExport.objects.select_related("municipality", "requested_by").get(pk=export_id)
    work, target = _paths(export)
    name = target.name
    try:
        shutil.rmtree(work, ignore_errors=True)  # run_export replaces a leftover .partial
        result = run_export(
            municipality=export.municipality,
            fmt=export.format,
            since=export.since,
            until=export.until,
            out_dir=work,
            requested_by=actor_name(export.requested_by),
        )
        _zip_directory(work, target, top=name.removesuffix(".zip"))
        size, sha256 = target.stat().st_size, file_sha256(target)
    except (ExportError, OSError) as exc:
        _discard(work, target)
        _fail(export.pk, str(exc))
        logger.warning("archive export failed", extra={"export_id": export.pk})
        return ExportStatus.FAILED
    except Exception as exc:  # noqa: BLE001 — one poisoned job fails alone, never "running"
        _discard(work, target)
        _fail(
            export.pk,
            _(
                "Eksporten stoppet på grunn av en uventet feil (%(kind)s), og ingenting ble "
                "lagret. Prøv igjen; meld fra til driften hvis det skjer igjen."
            )
            % {"kind": type(exc).__name__},
        )
        # The frames only: an exception's message may quote a record (personal data).
        logger.error(
            "archive export failed unexpectedly",
            extra={
                "export_id": export.pk,
                "format": export.format,
                "error_type": type(exc).__name__,
                "frames": "".join(traceback.format_tb(exc.__traceback__))[-4000:],
            },
        )
        return ExportStatus.FAILED
    shutil.rmtree(work, ignore_errors=True)
    finished = ArchiveExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
        record_count=result.records,
        file_name=name,
        size=size,
        sha256=sha256,
    )
    if not finished:  # the stale sweep gave up on it meanwhile: it stays failed
        _discard(work, target)
        return ExportStatus.FAILED
    return ExportStatus.DONE


def archive_exports_fail_stale(*, now: datetime) -> int:
    """Mark failed the jobs that have been running longer than `STALE_AFTER`: their
    worker died (killed, restarted, out of memory) and nothing else would end them."""

    def cleaned_up(pk: int) -> None:
        # Everything its dead worker may have left, the zip too (in full but never
        # recorded, or half written): a failed job lists no file, so a copy of the
        # archive left here would be seen and removed by no one (AR-3, PU-1). Only once
        # the row is failed: a job its worker finished meanwhile keeps its zip, and a
        # failed one never becomes done (the worker's last update needs "running").
        export = ArchiveExport.objects.filter(pk=pk, status=ExportStatus.FAILED).first()
        if export is None:
            return
        _discard(*_paths(export))
        logger.warning("archive export marked failed: stale", extra={"export_id": pk})

    return jobs_fail_stale(
        ArchiveExport.objects.all(),
        now=now,
        stale_after=STALE_AFTER,
        running=ExportStatus.RUNNING,
        failed=ExportStatus.FAILED,
        error=_(
            "Eksporten ble ikke ferdig (arbeidsprosessen stoppet underveis). Bestill den på nytt."
        ),
        on_failed=cleaned_up,
    )


def _paths(export: ArchiveExport) -> tuple[Path, Path]:
    """The export's work folder and its zip in the exports folder."""
    base = exports_dir()
    name = (
        f"{export.pk}-{export.format}-{export.municipality.slug}-"
        f"{export.since.isoformat()}-{export.until.isoformat()}.zip"
    )
    return base / f"{export.pk}-arbeid", base / name


def _fail(export_id: int, error: str) -> None:
    ArchiveExport.objects.filter(pk=export_id).update(
        status=ExportStatus.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


def _discard(work: Path, target: Path) -> None:
    """Leave nothing half-written: the work folder, the partial zip and the zip."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(partial_dir(work), ignore_errors=True)
    for path in (target.with_suffix(".zip.partial"), target):
        path.unlink(missing_ok=True)


def _zip_directory(source: Path, target: Path, *, top: str) -> None:
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(
        partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
    ) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(source).as_posix()}")
    partial.replace(target)
