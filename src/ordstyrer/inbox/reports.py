"""Response times against the deadline (DI-1, product.md §9): figures and charts.

Working time is measured once, when a clock stops (`InboxItem.first_response_seconds`,
`resolution_seconds`, stamped with `working_time_between`), so a report sums stored
numbers. An item counts towards "in time" when its clock stopped, or when its deadline
passed while it was still waiting; items still within their deadline are not judged.
The system's closes are no answer: an item removed by its author is left out, as is a
reply that arrived under a comment already gone (`CloseReason.PARENT_REMOVED`), and one
closed because its channel was retired (`CloseReason.CHANNEL_RETIRED`, CH-1, CH-3) is
late where it had waited past a deadline when the channel was retired, and otherwise
not judged (`transitions._stop_clocks` stamps only that "late", with no working
seconds); it is not counted as resolved («Ferdigbehandlet»).
"Waiting" and "overdue now" are the work list's own: open items that wait for an answer
(`selectors.NOT_WAITING`: spam, hateful speech and hidden items are moderated, not
answered, #15); «Over fristen nå» counts them whenever they arrived, not only those
received in the period, so it is the inbox header's count. Their close, and any close
«Moderert», is no answer either: counted as items, never judged.
Rows are per channel (id), not per name: a name is unique per platform only, so two
channels sharing one are labelled with their platform.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.months import MONTHS
from ordstyrer.core.reports import bar_chart
from ordstyrer.inbox.access import visible_channel_ids
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.selectors import IS_OPEN, NOT_WAITING
from ordstyrer.inbox.triage import category_label
from ordstyrer.tenants.models import Municipality


def percentile(values: Iterable[float], p: float) -> float | None:
    """The nearest-rank `p`th percentile: the smallest value with at least p % of the
    values at or below it (PostgreSQL's percentile_disc)."""
    return _ranked(sorted(values), p)


def _ranked(ordered: list[Any], p: float) -> Any:
    if not ordered:
        return None
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


@dataclass
class Figures:
    """One row of the report (one channel, unit, category, month, or the total)."""

    label: str
    items: int = 0
    resolved: int = 0
    overdue_now: int = 0
    first_judged: int = 0
    first_in_time: int = 0
    resolution_judged: int = 0
    resolution_in_time: int = 0
    # Working seconds, nearest-rank percentiles.
    first_p50_s: int | None = None
    first_p90_s: int | None = None
    resolution_p50_s: int | None = None
    resolution_p90_s: int | None = None

    @property
    def first_share(self) -> float | None:
        return self.first_in_time / self.first_judged if self.first_judged else None

    @property
    def resolution_share(self) -> float | None:
        return self.resolution_in_time / self.resolution_judged if self.resolution_judged else None

    @property
    def first_median(self) -> float | None:
        return _hours(self.first_p50_s)

    @property
    def first_p90(self) -> float | None:
        return _hours(self.first_p90_s)

    @property
    def resolution_median(self) -> float | None:
        return _hours(self.resolution_p50_s)

    @property
    def resolution_p90(self) -> float | None:
        return _hours(self.resolution_p90_s)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 3600


@dataclass
class Report:
    since: date
    until: date
    total: Figures
    dimensions: list[tuple[str, Any, list[Figures]]]  # (code, heading, rows)


def month_label(year_month: tuple[int, int]) -> str:
    year, month = year_month
    return f"{MONTHS[month - 1]} {year}"


# Headings in the request's language when shown (lazy: this is read at import).
TOTAL = _("Totalt")
DIMENSIONS: tuple[tuple[str, Any], ...] = (
    ("channel", _("Kanal")),
    ("unit", _("Enhet")),
    ("category", _("Kategori")),
    ("month", _("Måned")),
)
# Per finest group (channel, unit, category, month): the counts, then the working
# seconds of stopped clocks.
COUNTS = (
    "items",
    "resolved",
    "overdue_now",
    "first_judged",
    "first_in_time",
    "resolution_judged",
    "resolution_in_time",
)


class _Group:
    __slots__ = ("counts", "first", "resolution")

    def __init__(self) -> None:
        self.counts = [0] * len(COUNTS)
        self.first: list[int] = []
        self.resolution: list[int] = []

    def merge(self, other: _Group) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.first += other.first
        self.resolution += other.resolution

    def figures(self, label: str) -> Figures:
        out = Figures(label, **dict(zip(COUNTS, self.counts, strict=True)))
        first, resolution = sorted(self.first), sorted(self.resolution)
        out.first_p50_s, out.first_p90_s = _ranked(first, 50), _ranked(first, 90)
        out.resolution_p50_s = _ranked(resolution, 50)
        out.resolution_p90_s = _ranked(resolution, 90)
        return out


def _finest(queryset: QuerySet[InboxItem], now: datetime) -> dict[tuple[Any, ...], _Group]:
    """One pass over the period: the judgements are made in SQL, the rest is addition."""
    tz = timezone.get_default_timezone()
    # Year and month as numbers: no datetime to build per row.
    rows = queryset.annotate(
        year=ExtractYear("received_at", tzinfo=tz),
        month=ExtractMonth("received_at", tzinfo=tz),
        first_late=ExpressionWrapper(
            Q(first_responded_at__isnull=True, first_response_due__lt=now) & ~NOT_WAITING,
            output_field=BooleanField(),
        ),
        resolution_late=ExpressionWrapper(
            Q(open=True, resolution_due__lt=now) & ~NOT_WAITING, output_field=BooleanField()
        ),
    ).values_list(
        "channel_id",
        "channel__unit__name",
        "category",
        "year",
        "month",
        "first_response_seconds",
        "first_response_in_time",
        "resolution_seconds",
        "resolution_in_time",
        "first_late",
        "resolution_late",
        "close_reason",
    )
    groups: dict[tuple[Any, ...], _Group] = defaultdict(_Group)
    for (
        channel,
        unit,
        category,
        year,
        month,
        first_s,
        first_ok,
        res_s,
        res_ok,
        first_late,
        res_late,
        close_reason,
    ) in rows.iterator(chunk_size=5000):
        group = groups[(channel, unit, category, (year, month))]
        c = group.counts
        c[0] += 1
        if res_ok is not None:
            # A retired channel's item judged late at the retirement was never resolved;
            # one resolved before a reopening keeps its working seconds (DI-1).
            if res_s is not None or close_reason != CloseReason.CHANNEL_RETIRED:
                c[1] += 1
            c[5] += 1
            c[6] += res_ok
        elif res_late:
            c[5] += 1
        if first_ok is not None:
            c[3] += 1
            c[4] += first_ok
        elif first_late:
            c[3] += 1
        if first_s is not None:
            group.first.append(first_s)
        if res_s is not None:
            group.resolution.append(res_s)
    return groups


def _add_overdue_now(
    groups: dict[tuple[Any, ...], _Group], items: QuerySet[InboxItem], now: datetime
) -> None:
    """Count into `groups` the open items past their deadline now, whenever they arrived:
    the inbox header's count (`selectors.inbox_page`: open, waiting for an answer, due
    before now; DI-1, CH-5), keyed as the period's rows. An item received before the
    period is still overdue in it; it adds a row for its month of arrival."""
    tz = timezone.get_default_timezone()
    overdue = (
        items.filter(IS_OPEN, due_at__lt=now)
        .exclude(NOT_WAITING)
        .annotate(
            year=ExtractYear("received_at", tzinfo=tz),
            month=ExtractMonth("received_at", tzinfo=tz),
        )
        .values_list("channel_id", "channel__unit__name", "category", "year", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for channel, unit, category, year, month, n in overdue:
        groups[(channel, unit, category, (year, month))].counts[2] += n  # overdue_now


def _channel_labels(channel_ids: Iterable[int]) -> dict[int, str]:
    """Each channel's name, with its platform where another channel in the report has
    the same name: names are unique per platform only (a Facebook page and an Instagram
    account may both be «Gausdal kommune»), and the report counts each channel once."""
    rows = list(Channel.objects.filter(pk__in=set(channel_ids)).values_list("pk", "name", "kind"))
    seen = Counter(name for _pk, name, _kind in rows)
    return {
        pk: f"{name} ({_platform(kind)})" if seen[name] > 1 else name for pk, name, kind in rows
    }


def _platform(kind: str) -> str:
    try:
        return str(ChannelKind(kind).label)
    except ValueError:
        return kind


def _label(code: str, key: Any, municipality: Municipality, channels: dict[int, str]) -> str:
    if code == "channel":
        return channels.get(key, str(key))
    if code == "unit":
        return key or municipality.name
    if code == "category":
        return category_label(key) if key else gettext("Ikke vurdert")
    if code == "month":
        return month_label(key)
    return str(key)


def response_report(
    *, user: ActorLike, municipality: Municipality, since: date, until: date, now: datetime
) -> Report:
    """Response times of items received from `since` to `until` (inclusive, Oslo dates),
    for the channels the person reads, in total and by channel, unit, category, month.

    One query reads the period (the in-time judgements made in SQL), one counts what is
    overdue now, whenever it arrived; the figures are sums of the finest groups, the
    percentiles nearest-rank."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    items = InboxItem.objects.filter(municipality=municipality, listed=True)
    visible = visible_channel_ids(user, municipality)
    if visible is not None:
        items = items.filter(channel_id__in=visible)
    period = items.filter(received_at__gte=start, received_at__lt=end).exclude(
        close_reason__in=(CloseReason.AUTHOR_REMOVED, CloseReason.PARENT_REMOVED)
    )
    finest = _finest(period, now)
    _add_overdue_now(finest, items, now)
    total = _Group()
    rolled: dict[str, dict[Any, _Group]] = {code: defaultdict(_Group) for code, _h in DIMENSIONS}
    for (channel, unit, category, month), group in finest.items():
        total.merge(group)
        for code, key in (
            ("channel", channel),
            ("unit", unit),
            ("category", category),
            ("month", month),
        ):
            rolled[code][key].merge(group)
    channels = _channel_labels(rolled["channel"])
    dimensions = []
    for code, heading in DIMENSIONS:
        figures = [
            (key, g.figures(_label(code, key, municipality, channels)))
            for key, g in rolled[code].items()
        ]
        if code == "month":
            ordered = [f for key, f in sorted(figures, key=lambda kv: kv[0])]
        else:
            ordered = sorted((f for _key, f in figures), key=lambda f: (-f.items, f.label))
        dimensions.append((code, heading, ordered))
    return Report(since=since, until=until, total=total.figures(str(TOTAL)), dimensions=dimensions)


def chart_bars(rows: list[Figures]) -> dict[str, Any]:
    """A horizontal bar chart of the share resolved in time (`core.reports.bar_chart`)."""
    return bar_chart(
        [
            (
                f.label,
                f.resolution_share or 0,
                f"{f.resolution_share * 100:.0f} %" if f.resolution_share is not None else "–",
            )
            for f in rows
        ],
        label_width=170,
        margin=60,
    )
