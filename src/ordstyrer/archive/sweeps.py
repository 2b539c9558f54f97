"""Periodic work of the archive, run beside every worker (core.worker)."""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep

BATCH = 20


def render_missing(*, now: datetime) -> int:
    """Make the PDF/A document of records that have none yet (a few at a time)."""
    from ordstyrer.archive.pdf import render_missing_renderings

    return render_missing_renderings(limit=BATCH, now=now)


SWEEPS = (Sweep("archive_render", render_missing, every=30.0),)
