"""Archive exports in the Norwegian formats (AR-2): KS Fiks Arkiv and eFormidling
*arkivmelding* messages, and the Noark 5 v5.0 arkivuttrekk package.

    from ordstyrer.archive.exporters import run_export
    result = run_export(municipality=m, fmt="noark5-uttrekk", since=date(2025, 1, 1),
                        until=date(2025, 12, 31), out_dir=Path("uttrekk"))

Every XML file is validated against the official XSD (shipped in `archive/schemas/`)
before it is written into place; a failing export leaves nothing behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

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

__all__ = ["FORMATS", "ExportError", "ExportResult", "Period", "count_records", "run_export"]


def count_records(*, municipality: Any, since: date, until: date) -> int:
    return records_for(municipality, Period(since, until)).count()


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
    """Write the export into `out_dir` (which must not exist or be empty)."""
    if fmt not in FORMATS:
        raise ExportError(f"Ukjent format «{fmt}». Velg {', '.join(FORMATS)}.")
    if until < since:
        raise ExportError("Til-datoen kan ikke være før fra-datoen.")
    if not (year_in_range(since) and year_in_range(until)):
        raise ExportError("Perioden må ligge mellom årene 1900 og 2100.")
    period = Period(since, until)
    if not records_for(municipality, period).exists():
        raise ExportError("Ingen arkivposter i perioden – ingenting å eksportere.")
    created = not out_dir.exists()
    if not created and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"Mappen {out_dir} finnes og er ikke tom; velg en ny mappe.")
    out_dir.mkdir(parents=True, exist_ok=True)
    options = ExportOptions(
        municipality=municipality,
        period=period,
        out_dir=out_dir,
        requested_by=requested_by,
        now=now or timezone.now(),
        progress=progress,
    )
    try:
        return FORMATS[fmt](options)
    except BaseException:
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        else:
            for child in out_dir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
