"""Working-time arithmetic in Europe/Oslo (DI-1: deadlines count working hours only).

Each calendar year gets a table of the day's opening interval and the working
time accumulated before each day, so `working_time_between` costs a few
look-ups however long the span, and `deadline` a binary search. Durations are
measured on the real (UTC) time line, so a working day across a DST change is
exactly as long as its office hours; the changes fall on Sundays, when the
office is closed anyway. Internally every instant is UTC: Python compares and
subtracts two datetimes that share a tzinfo by wall time, which is wrong across
a DST change.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from ordstyrer.worktime.config import DEFAULT, OSLO, WorkCalendar

_US = 1_000_000  # microseconds per second: all arithmetic is in integer microseconds
# A deadline further out than this is a configuration error, not a response target.
MAX_WORKING_HOURS = 50_000.0


@dataclass(frozen=True)
class _Year:
    year: int
    first: int  # ordinal of 1 January
    spans: tuple[tuple[datetime, datetime] | None, ...]  # per day: UTC open/close, or None
    cum: tuple[int, ...]  # cum[i] = working microseconds in the year before day i; len = days + 1

    @property
    def total(self) -> int:
        return self.cum[-1]


@lru_cache(maxsize=512)
def _year(calendar: WorkCalendar, year: int) -> _Year:
    first = date(year, 1, 1).toordinal()
    days = date(year + 1, 1, 1).toordinal() - first
    spans: list[tuple[datetime, datetime] | None] = []
    cum = [0]
    for i in range(days):
        d = date.fromordinal(first + i)
        hours = calendar.hours_on(d)
        if hours is None:
            spans.append(None)
            cum.append(cum[-1])
            continue
        start = _local(d, hours.open)
        end = _local(d, hours.close)
        spans.append((start, end))
        cum.append(cum[-1] + _micros(end - start))
    return _Year(year, first, tuple(spans), tuple(cum))


def _local(d: date, t: time) -> datetime:
    """Local Norwegian wall time on `d` as a UTC instant."""
    return datetime.combine(d, t, tzinfo=OSLO).astimezone(UTC)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def _aware(t: datetime, what: str = "Tidspunktet") -> datetime:
    if not isinstance(t, datetime):
        raise TypeError(f"{what} må være et datetime-objekt, ikke {type(t).__name__}.")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(
            f"{what} mangler tidssone (naiv datetime); oppgi f.eks. 2026-04-02T10:00+02:00."
        )
    return t.astimezone(UTC)


def _local_date(t: datetime) -> date:
    return t.astimezone(OSLO).date()


def _position(calendar: WorkCalendar, t: datetime) -> tuple[int, int]:
    """(year, working microseconds from 1 January of that year up to t), local year."""
    d = _local_date(t)
    table = _year(calendar, d.year)
    i = d.toordinal() - table.first
    span = table.spans[i]
    if span is None or t <= span[0]:
        return d.year, table.cum[i]
    if t >= span[1]:
        return d.year, table.cum[i + 1]
    return d.year, table.cum[i] + _micros(t - span[0])


def is_working_time(t: datetime, calendar: WorkCalendar = DEFAULT) -> bool:
    """True when the office is open at instant `t` (opening inclusive, closing exclusive)."""
    now = _aware(t)
    span = _span(calendar, _local_date(now))
    return span is not None and span[0] <= now < span[1]


def _span(calendar: WorkCalendar, d: date) -> tuple[datetime, datetime] | None:
    table = _year(calendar, d.year)
    return table.spans[d.toordinal() - table.first]


def next_opening(t: datetime, calendar: WorkCalendar = DEFAULT) -> datetime:
    """The first instant at or after `t` when the office is open: `t` itself during
    office hours, else the next opening. In Europe/Oslo."""
    now = _aware(t)
    d = _local_date(now)
    for _ in range(3 * 366):
        span = _span(calendar, d)
        if span is not None and now < span[1]:
            return max(now, span[0]).astimezone(OSLO)
        d += timedelta(days=1)
    raise ValueError("Kalenderen har ingen åpningstid de neste tre årene.")


def working_time_between(a: datetime, b: datetime, calendar: WorkCalendar = DEFAULT) -> timedelta:
    """Working time from `a` to `b` (office hours only); negative when `b` is before `a`."""
    ya, ca = _position(calendar, _aware(a, "Starttidspunktet"))
    yb, cb = _position(calendar, _aware(b, "Sluttidspunktet"))
    if (yb, cb) < (ya, ca):
        return -working_time_between(b, a, calendar)
    total = cb - ca + sum(_year(calendar, y).total for y in range(ya, yb))
    return timedelta(microseconds=total)


def deadline(
    received: datetime, working_hours: float, calendar: WorkCalendar = DEFAULT
) -> datetime:
    """The instant `working_hours` of office time after `received`, in Europe/Oslo.

    Something received outside office hours starts counting at the next opening.
    A deadline that uses up a day's hours exactly ends at that day's closing time
    (08:00 + 7.5 h is 15:30 the same day, not 08:00 the next).
    """
    start_at = _aware(received, "Mottakstidspunktet")
    if isinstance(working_hours, bool) or not isinstance(working_hours, int | float):
        raise TypeError("Antall arbeidstimer må være et tall.")
    if not math.isfinite(working_hours) or working_hours < 0:
        raise ValueError(f"Antall arbeidstimer må være et tall ≥ 0, ikke {working_hours!r}.")
    if working_hours > MAX_WORKING_HOURS:
        raise ValueError(
            f"Antall arbeidstimer ({working_hours:g}) er urimelig stort; grensen er "
            f"{MAX_WORKING_HOURS:g}."
        )
    if working_hours == 0:
        return next_opening(start_at, calendar)
    year, start = _position(calendar, start_at)
    target = start + round(working_hours * 3600 * _US)
    empty_years = 0
    while target > (table := _year(calendar, year)).total:
        empty_years = empty_years + 1 if table.total == 0 else 0
        if empty_years > 2:
            raise ValueError("Kalenderen har ingen åpningstid på flere år.")
        target -= table.total
        year += 1
    # First day whose accumulated end reaches the target; cum[k] < target <= cum[k + 1].
    k = bisect_left(table.cum, target) - 1
    span = table.spans[k]
    if span is None:  # unreachable: cum is flat over closed days, so bisect skips them
        raise AssertionError(f"deadline landed on a closed day {year}/{k}")
    return (span[0] + timedelta(microseconds=target - table.cum[k])).astimezone(OSLO)
