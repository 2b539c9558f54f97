"""What the console's reports share: the period asked for, CSV cells that a
spreadsheet cannot take for formulas, and the geometry of their bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

# The days a report may count in: a report's end is the day after `until` at midnight
# in Norwegian time, which does not exist for 9999-12-31 (OverflowError), nor, in UTC,
# for 0001-01-01; the same years as the archive's export periods.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def report_period(request: HttpRequest, *, default_days: int, max_days: int) -> tuple[date, date]:
    """`?fra=YYYY-MM-DD&til=YYYY-MM-DD`, in order, at most `max_days` long; the last
    `default_days` days when missing, unreadable or outside `FIRST_DAY`…`LAST_DAY`
    (never a 500 on an odd date; the period form shows the period used)."""
    today = timezone.localdate()
    default = today - timedelta(days=default_days - 1), today
    try:
        until = date.fromisoformat(request.GET.get("til") or today.isoformat())
        since = date.fromisoformat(
            request.GET.get("fra") or (until - timedelta(days=default_days - 1)).isoformat()
        )
    except (ValueError, OverflowError):
        return default
    if not (FIRST_DAY <= since <= LAST_DAY and FIRST_DAY <= until <= LAST_DAY):
        return default
    if since > until:
        since, until = until, since
    return max(since, until - timedelta(days=max_days)), until


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must not start with a formula character.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def bar_chart(
    bars: Sequence[tuple[str, float, str]],
    *,
    label_width: int,
    margin: int,
    width: int = 480,
    bar: int = 22,
    gap: int = 8,
) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (inline SVG) of `(label, share of the plot 0–1,
    value text)` rows; `margin` is the room right of the longest bar for its value. The
    templates print the numbers unlocalised: Bokmål's decimal comma is no SVG number."""
    plot = width - label_width - margin
    drawn = []
    for index, (label, share, value) in enumerate(bars):
        y = index * (bar + gap)
        length = round(plot * share, 1)
        drawn.append(
            {
                "label": label,
                "y": y,
                "text_y": round(y + bar * 0.7, 1),
                "width": length,
                "value": value,
                "value_x": round(label_width + length + 6, 1),
            }
        )
    height = max(len(bars) * (bar + gap), bar)
    return {"bars": drawn, "height": height, "width": width, "bar": bar, "x": label_width}
