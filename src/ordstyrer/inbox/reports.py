"""Response times against the deadline (DI-1, product.md §9): figures and charts.

Working time is measured once, when a clock stops (`InboxItem.first_response_seconds`,
`resolution_seconds`, stamped with `working_time_between`), so a report sums stored
numbers. An item counts towards "in time" when its clock stopped, or when its deadline
passed while it was still waiting; items still within their deadline are not judged.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ordstyrer.inbox.access import visible_channel_ids
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.triage import category_label
from ordstyrer.tenants.models import Municipality

MONTHS_NB = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip


@dataclass
class Row:
    """What the report reads of one item."""

    channel: str
    unit: str
    category: str
    month: str
    open: bool
    due_at: datetime | None
    first_due: datetime | None
    resolution_due: datetime | None
    first_seconds: int | None
    first_in_time: bool | None
    resolution_seconds: int | None
    resolution_in_time: bool | None
    first_responded: bool


@dataclass
class Figures:
    label: str
    items: int = 0
    resolved: int = 0
    overdue_now: int = 0
    first_judged: int = 0
    first_in_time: int = 0
    resolution_judged: int = 0
    resolution_in_time: int = 0
    first_hours: list[float] = field(default_factory=list)
    resolution_hours: list[float] = field(default_factory=list)

    def add(self, row: Row, now: datetime) -> None:
        self.items += 1
        if row.open and row.due_at is not None and row.due_at < now:
            self.overdue_now += 1
        if row.first_in_time is not None:
            self.first_judged += 1
            self.first_in_time += int(row.first_in_time)
        elif not row.first_responded and row.first_due is not None and row.first_due < now:
            self.first_judged += 1  # still unanswered, and late
        if row.resolution_in_time is not None:
            self.resolved += 1
            self.resolution_judged += 1
            self.resolution_in_time += int(row.resolution_in_time)
        elif row.open and row.resolution_due is not None and row.resolution_due < now:
            self.resolution_judged += 1
        if row.first_seconds is not None:
            self.first_hours.append(row.first_seconds / 3600)
        if row.resolution_seconds is not None:
            self.resolution_hours.append(row.resolution_seconds / 3600)

    @property
    def first_share(self) -> float | None:
        return self.first_in_time / self.first_judged if self.first_judged else None

    @property
    def resolution_share(self) -> float | None:
        return self.resolution_in_time / self.resolution_judged if self.resolution_judged else None

    @property
    def first_median(self) -> float | None:
        return statistics.median(self.first_hours) if self.first_hours else None

    @property
    def first_p90(self) -> float | None:
        return percentile(self.first_hours, 90)

    @property
    def resolution_median(self) -> float | None:
        return statistics.median(self.resolution_hours) if self.resolution_hours else None

    @property
    def resolution_p90(self) -> float | None:
        return percentile(self.resolution_hours, 90)


def percentile(values: Iterable[float], p: float) -> float | None:
    """The nearest-rank `p`th percentile (the value at or below which p % lie)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class Report:
    since: date
    until: date
    total: Figures
    dimensions: list[tuple[str, str, list[Figures]]]  # (code, heading, rows)


DIMENSIONS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("channel", "Kanal", lambda r: r.channel),
    ("unit", "Enhet", lambda r: r.unit),
    ("category", "Kategori", lambda r: r.category),
    ("month", "Måned", lambda r: r.month),
)


def _month(at: datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.year}-{local.month:02d}"


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS_NB[int(month) - 1]} {year}"


def _rows(municipality: Municipality, visible: list[int] | None, since: datetime,
          until: datetime) -> list[Row]:  # fmt: skip
    queryset = InboxItem.objects.filter(
        municipality=municipality,
        listed=True,
        received_at__gte=since,
        received_at__lt=until,
    ).exclude(close_reason=CloseReason.AUTHOR_REMOVED)
    if visible is not None:
        queryset = queryset.filter(channel_id__in=visible)
    fields = (
        "channel__name", "channel__unit__name", "category", "received_at", "open", "due_at",
        "first_response_due", "resolution_due", "first_response_seconds",
        "first_response_in_time", "resolution_seconds", "resolution_in_time",
        "first_responded_at",
    )  # fmt: skip
    out = []
    for values in queryset.values_list(*fields).iterator(chunk_size=2000):
        (channel, unit, category, received, is_open, due, first_due, res_due, first_s,
         first_ok, res_s, res_ok, first_at) = values  # fmt: skip
        out.append(
            Row(
                channel=channel,
                unit=unit or municipality.name,
                category=category_label(category) if category else "Ikke vurdert",
                month=_month(received),
                open=is_open,
                due_at=due,
                first_due=first_due,
                resolution_due=res_due,
                first_seconds=first_s,
                first_in_time=first_ok,
                resolution_seconds=res_s,
                resolution_in_time=res_ok,
                first_responded=first_at is not None,
            )
        )
    return out


def response_report(
    *, user: Any, municipality: Municipality, since: date, until: date, now: datetime
) -> Report:
    """Response times of items received from `since` to `until` (inclusive, Oslo dates),
    for the channels the person reads, in total and by channel, unit, category, month."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    rows = _rows(municipality, visible_channel_ids(user, municipality), start, end)
    total = Figures(label="Totalt")
    groups: dict[str, dict[str, Figures]] = {code: {} for code, _h, _k in DIMENSIONS}
    for row in rows:
        total.add(row, now)
        for code, _heading, key in DIMENSIONS:
            value = key(row)
            figures = groups[code].get(value)
            if figures is None:
                label = month_label(value) if code == "month" else value
                figures = groups[code][value] = Figures(label=label)
            figures.add(row, now)
    dimensions = []
    for code, heading, _key in DIMENSIONS:
        ordered = (
            [groups[code][k] for k in sorted(groups[code])]
            if code == "month"
            else sorted(groups[code].values(), key=lambda f: (-f.items, f.label))
        )
        dimensions.append((code, heading, ordered))
    return Report(since=since, until=until, total=total, dimensions=dimensions)


def chart_bars(rows: list[Figures], *, width: int = 480, bar: int = 22, gap: int = 8,
               label_width: int = 170) -> dict[str, Any]:  # fmt: skip
    """Geometry of a horizontal bar chart of the share resolved in time (inline SVG)."""
    plot = width - label_width - 60
    bars = []
    for index, figures in enumerate(rows):
        share = figures.resolution_share
        y = index * (bar + gap)
        bars.append(
            {
                "label": figures.label,
                "y": y,
                "text_y": y + bar * 0.7,
                "width": round(plot * share, 1) if share is not None else 0,
                "value": f"{share * 100:.0f} %" if share is not None else "–",
                "value_x": label_width + (round(plot * share, 1) if share else 0) + 6,
            }
        )
    height = max(len(rows) * (bar + gap), bar)
    return {"bars": bars, "height": height, "width": width, "bar": bar, "x": label_width}
