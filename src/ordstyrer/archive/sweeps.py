"""Periodic work of the archive, run beside every worker (core.worker)."""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep

BATCH = 20


def render_missing(*, now: datetime) -> int:
    """Make the PDF/A document of records that have none yet (a few at a time)."""
    from ordstyrer.archive.pdf import render_missing_renderings

    return render_missing_renderings(limit=BATCH, now=now)


def fail_stale_exports(*, now: datetime) -> int:
    """End export jobs whose worker died while running them (never "running" forever)."""
    from ordstyrer.archive.exports import archive_exports_fail_stale

    return archive_exports_fail_stale(now=now)


SWEEPS = (
    Sweep("archive_export_stale", fail_stale_exports, every=300.0),
    Sweep("archive_render", render_missing, every=30.0),
)
