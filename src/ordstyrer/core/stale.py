"""Jobs left "running" by a worker that died: the one sweep the apps' job tables share.

A worker marks a job running (`status`, `started_at`) and ends it (`status`,
`finished_at`, `error`); a worker killed, restarted or out of memory in between ends
nothing. The history jobs of `platforms` and the exports of `archive` are failed here
once they have run longer than their app's `STALE_AFTER`, so none stays "running"
forever. No app's models: each app passes its own table, statuses and message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet


def jobs_fail_stale(
    jobs: QuerySet[Any],
    *,
    now: datetime,
    stale_after: timedelta,
    running: str,
    failed: str,
    error: str,
    on_failed: Callable[[int], None],
    also: Mapping[str, Any] | None = None,
) -> int:
    """Mark `failed` the `jobs` that have been `running` since before `now - stale_after`:
    finished at `now`, with `error` and the columns in `also`. Each is claimed with a
    compare-and-set update (a worker ending it meanwhile wins, and so does another
    worker's sweep); `on_failed(pk)` follows for each job found stale, to clean up after
    it and log it. Returns how many jobs this call failed."""
    stale = {"status": running, "started_at__lt": now - stale_after}
    count = 0
    for pk in jobs.filter(**stale).values_list("pk", flat=True):
        count += jobs.filter(pk=pk, **stale).update(
            status=failed, finished_at=now, error=error, **(also or {})
        )
        on_failed(pk)
    return count
