"""Background tasks of the archive: each takes ids and calls one function."""

from __future__ import annotations

from django_tasks import task


@task()
def archive_export_run(export_id: int) -> str:
    """Run a queued archive export (AR-2)."""
    from ordstyrer.archive.exports import archive_export_execute

    return archive_export_execute(export_id=export_id)
