"""Archive exports in the Norwegian formats (AR-2): KS Fiks Arkiv and eFormidling
*arkivmelding* messages, and the Noark 5 v5.0 arkivuttrekk package.

    from ordstyrer.archive.exporters import run_export
    result = run_export(municipality=m, fmt="noark5-uttrekk", since=date(2025, 1, 1),
                        until=date(2025, 12, 31), out_dir=Path("uttrekk"))

Every XML file is validated against the official XSD (shipped in `archive/schemas/`)
before it is written into place; a failing export leaves nothing behind.

An export is built in a sibling folder `<out_dir>.partial` and renamed to `out_dir` only
when everything has been written and, for the deposit, checked: a run killed midway
(a cron timeout, systemd stopping it, the OOM killer) never leaves a folder that looks
like a finished export. The next run into the same folder replaces such a leftover.

The deposit (`noark5-uttrekk`) closes its period ("Avsluttet periode", sharp period
separation), so it takes only days that are over in Norwegian time (`DEPOSIT_FORMAT`,
`last_closed_day`): a record archived later the same day would otherwise never be
deposited (AR-3). `run_export` refuses any other period itself (`refuse_open_period`,
`OpenPeriod`), whoever calls it; the CLI, the console and the API apply the same rule
first only to say so in their own words.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.archive.exporters import eformidling, fiks, noark5
from ordstyrer.archive.exporters.common import (
    SYSTEM,
    ExportError,
    ExportOptions,
    ExportResult,
    Period,
    records_for,
    year_in_range,
)

FORMATS: dict[str, Callable[[ExportOptions], ExportResult]] = {
    "fiks-arkiv": fiks.export,
    "eformidling": eformidling.export,
    "noark5-uttrekk": noark5.export,
}
# The format that closes its period (AR-3): see `last_closed_day`.
DEPOSIT_FORMAT = "noark5-uttrekk"

__all__ = [
    "CLOSED_PERIOD_ONLY",
    "DEPOSIT_FORMAT",
    "FORMATS",
    "ExportError",
    "ExportResult",
    "OpenPeriod",
    "Period",
    "count_records",
    "last_closed_day",
    "partial_dir",
    "period_is_open",
    "refuse_open_period",
    "run_export",
]

# The Noark 5 deposit closes its period, so it takes only days that are over (AR-3); the
# console's export form, the API and a refused `run_export` say the same.
CLOSED_PERIOD_ONLY = gettext_lazy(
    "En avleveringspakke (Noark 5-arkivuttrekk) kan bare dekke dager som er over. Velg en "
    "til-dato før i dag."
)

logger = logging.getLogger("ordstyrer.archive")


def count_records(*, municipality: Any, since: date, until: date) -> int:
    return records_for(municipality, Period(since, until)).count()


def last_closed_day(today: date) -> date:
    """The last day a deposit may cover: yesterday. A Noark 5 package declares its period
    closed, so the next deposit starts the day after it; a period that has not ended
    would leave the records archived later that day out of both (AR-3). Yesterday from
    00:00, with no grace: each record is stamped when it is appended
    (`services.archive_append`), and a grace would silently move a defaulted end back a
    day (docs/archive.md, "Exports")."""
    return today - timedelta(days=1)


class OpenPeriod(ExportError):
    """A deposit asked to cover a day that is not over (AR-3): `until` is after `last`,
    the last day it may cover."""

    def __init__(self, *, until: date, last: date) -> None:
        super().__init__(str(CLOSED_PERIOD_ONLY))
        self.until = until
        self.last = last


def period_is_open(*, fmt: str, until: date, today: date) -> bool:
    """Whether an export in `fmt` up to and including `until` would take a day that is
    not over: only the deposit closes its period (AR-3); the arkivmelding formats are
    one message per record, which the archive recognises when it is sent again."""
    return fmt == DEPOSIT_FORMAT and until > last_closed_day(today)


def refuse_open_period(*, fmt: str, until: date, today: date) -> None:
    """Raise `OpenPeriod` when `period_is_open` (AR-3)."""
    if period_is_open(fmt=fmt, until=until, today=today):
        raise OpenPeriod(until=until, last=last_closed_day(today))


def partial_dir(out_dir: Path) -> Path:
    """Where an export into `out_dir` is built until it is finished: `<out_dir>.partial`."""
    target = Path(os.path.abspath(out_dir))
    return target.with_name(f"{target.name}.partial")


def run_export(
    *,
    municipality: Any,
    fmt: str,
    since: date,
    until: date,
    out_dir: Path,
    requested_by: str = SYSTEM,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the export into `out_dir` (which must not exist or be empty): built in
    `partial_dir(out_dir)` and renamed to `out_dir` when it is finished (a leftover of a
    run that was killed is replaced; one another run is writing is refused).

    The deposit is refused (`OpenPeriod`, nothing written) for a period that is not over
    at `now` in Norwegian time, whoever calls: the CLI, the console's worker, a script."""
    now = now or timezone.now()
    if fmt not in FORMATS:
        raise ExportError(f"Ukjent format «{fmt}». Velg {', '.join(FORMATS)}.")
    if until < since:
        raise ExportError("Til-datoen kan ikke være før fra-datoen.")
    if not (year_in_range(since) and year_in_range(until)):
        raise ExportError("Perioden må ligge mellom årene 1900 og 2100.")
    refuse_open_period(fmt=fmt, until=until, today=timezone.localdate(now))
    period = Period(since, until)
    if not records_for(municipality, period).exists():
        raise ExportError("Ingen arkivposter i perioden – ingenting å eksportere.")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"Mappen {out_dir} finnes og er ikke tom; velg en ny mappe.")
    work = partial_dir(out_dir)
    lock = _claim(work)
    try:
        options = ExportOptions(
            municipality=municipality,
            period=period,
            out_dir=work,
            requested_by=requested_by,
            now=now,
            progress=progress,
        )
        result = FORMATS[fmt](options)
        # Only now, with everything written (and the deposit checked), is it there.
        os.replace(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    result.out_dir = out_dir
    return result


def _claim(work: Path) -> int | None:
    """Make `work` afresh and lock it for this run: a second run into the same folder is
    refused while the first one writes, and a leftover of a run that was killed (the
    kernel dropped its lock) is replaced. Returns the lock's file descriptor, or None
    where the file system has no locks for folders (some network file systems)."""
    if work.is_symlink() or work.is_file():
        work.unlink()
    elif work.exists():
        held = _lock(work)
        if held is not None:
            os.close(held)
        logger.warning(
            "archive export: replacing an unfinished export left by a stopped run",
            extra={"folder": str(work)},
        )
        shutil.rmtree(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    work.mkdir()
    return _lock(work)


def _lock(folder: Path) -> int | None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ExportError(
            f"En annen eksport skriver allerede til {folder}; vent til den er ferdig, "
            "eller velg en annen mappe."
        ) from None
    except OSError:  # no flock on this file system: go on without the lock
        os.close(fd)
        return None
    return fd
