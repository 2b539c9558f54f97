"""What the console's reports share: the period asked for, and CSV cells that a
spreadsheet cannot take for formulas."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from django.utils import timezone


def report_period(request: HttpRequest, *, default_days: int, max_days: int) -> tuple[date, date]:
    """`?fra=YYYY-MM-DD&til=YYYY-MM-DD`, in order, at most `max_days` long; the last
    `default_days` days when missing or unreadable."""
    today = timezone.localdate()
    try:
        until = date.fromisoformat(request.GET.get("til") or today.isoformat())
        since = date.fromisoformat(
            request.GET.get("fra") or (until - timedelta(days=default_days - 1)).isoformat()
        )
    except ValueError:
        return today - timedelta(days=default_days - 1), today
    if since > until:
        since, until = until, since
    return max(since, until - timedelta(days=max_days)), until


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must not start with a formula character.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
