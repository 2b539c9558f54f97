"""The working calendar: which days are open and when (DI-1).

A `WorkCalendar` is a frozen, hashable value so the clock can cache per-year
tables keyed on it. Everything a municipality may configure lives here; the
arithmetic lives in `clock.py`. Sources for the defaults are in
`docs/worktime.md` (norwegian-standards.md §5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
WEEKDAY_NO = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag")

_CLOSED = {"closed", "stengt"}
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_ANNUAL_RE = re.compile(r"^(\d{2})-(\d{2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EASTER_RE = re.compile(r"^(?:easter|påske)\s*([+-]\s*\d{1,2})?$", re.IGNORECASE)


def easter_sunday(year: int) -> date:
    """Gregorian (Western) Easter Sunday, the anonymous algorithm (Meeus/Jones/Butcher).

    Lov om helligdager § 2 ties skjærtorsdag … 2. pinsedag to this date.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """The 12 Norwegian red days of `year` (helligdager and 1/17 May), Sundays not included."""
    return frozenset(holidays.Norway(years=year))


def _fmt_time(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_time(value: Any, what: str) -> time:
    """Parse "HH:MM" (24-hour clock) or accept a `datetime.time`."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"{what}: klokkeslettet skal være uten tidssone (lokal tid i Norge).")
        if value.second or value.microsecond:
            raise ValueError(f"{what}: oppgi klokkeslett i hele minutter, ikke {value}.")
        return value
    if isinstance(value, str):
        match = _TIME_RE.match(value.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return time(hour, minute)
    raise ValueError(f"{what}: ugyldig klokkeslett {value!r}; bruk TT:MM, f.eks. 08:00.")


@dataclass(frozen=True)
class Hours:
    """Opening hours of one day, local Norwegian time, half-open [open, close)."""

    open: time
    close: time

    def __post_init__(self) -> None:
        if not isinstance(self.open, time) or not isinstance(self.close, time):
            raise ValueError("Åpningstid må ha klokkeslett for åpning og stenging.")
        if self.open >= self.close:
            raise ValueError(
                f"Åpningstid {_fmt_time(self.open)}–{_fmt_time(self.close)}: "
                "stengetid må være etter åpningstid."
            )

    @classmethod
    def parse(cls, value: Any, what: str) -> Hours:
        if isinstance(value, Hours):
            return value
        if isinstance(value, str) and value.count("-") == 1:
            start, end = value.split("-")
            return cls(parse_time(start, what), parse_time(end, what))
        if isinstance(value, Mapping):
            _reject_unknown(value, {"open", "close"}, what)
            if "open" not in value or "close" not in value:
                raise ValueError(f"{what}: oppgi både «open» og «close».")
            return cls(parse_time(value["open"], what), parse_time(value["close"], what))
        raise ValueError(f"{what}: ugyldig åpningstid {value!r}; bruk f.eks. «08:00-15:30».")

    def to_text(self) -> str:
        return f"{_fmt_time(self.open)}-{_fmt_time(self.close)}"


@dataclass(frozen=True)
class DaySpec:
    """One day rule: every year on a date ("12-24"), one date ("2026-12-28"),
    or relative to Easter Sunday ("easter-4" is the Wednesday before Maundy Thursday)."""

    kind: str  # "annual" | "date" | "easter"
    month: int = 0
    day: int = 0
    year: int = 0
    offset: int = 0

    def __post_init__(self) -> None:
        if self.kind == "annual":
            _check_month_day(self.month, self.day)
        elif self.kind == "date":
            try:
                date(self.year, self.month, self.day)
            except ValueError:
                raise ValueError(
                    f"Datoen {self.year:04d}-{self.month:02d}-{self.day:02d} finnes ikke."
                ) from None
        elif self.kind == "easter":
            if not -60 <= self.offset <= 60:
                raise ValueError(
                    f"Påskedag {self.offset:+d}: avstanden må være innenfor ±60 dager."
                )
        else:
            raise ValueError(f"Ukjent dagtype {self.kind!r}.")

    @classmethod
    def parse(cls, value: Any, what: str) -> DaySpec:
        if isinstance(value, DaySpec):
            return value
        if isinstance(value, date):
            return cls("date", value.month, value.day, value.year)
        text = value.strip() if isinstance(value, str) else ""
        try:
            if m := _ANNUAL_RE.match(text):
                return cls("annual", int(m.group(1)), int(m.group(2)))
            if m := _DATE_RE.match(text):
                return cls("date", int(m.group(2)), int(m.group(3)), int(m.group(1)))
            if m := _EASTER_RE.match(text):
                offset = int(m.group(1).replace(" ", "")) if m.group(1) else 0
                return cls("easter", offset=offset)
        except ValueError as exc:
            raise ValueError(f"{what}: ugyldig dag {value!r} ({exc})") from None
        raise ValueError(
            f"{what}: ugyldig dag {value!r}; bruk MM-DD (hvert år), ÅÅÅÅ-MM-DD (én dato) "
            "eller easter±N (dager fra 1. påskedag, f.eks. easter-4)."
        )

    def matches(self, d: date) -> bool:
        if self.kind == "annual":
            return (d.month, d.day) == (self.month, self.day)
        if self.kind == "date":
            return (d.year, d.month, d.day) == (self.year, self.month, self.day)
        return d == easter_sunday(d.year) + timedelta(days=self.offset)

    def to_text(self) -> str:
        if self.kind == "annual":
            return f"{self.month:02d}-{self.day:02d}"
        if self.kind == "date":
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"easter{self.offset:+d}" if self.offset else "easter"


@dataclass(frozen=True)
class HalfDay:
    """A working day that closes early (or opens late: only `close` is configurable)."""

    day: DaySpec
    close: time


@dataclass(frozen=True)
class SummerHours:
    """Other opening hours Monday–Friday between two dates, both inclusive, every year."""

    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]
    hours: Hours

    def __post_init__(self) -> None:
        _check_month_day(*self.start)
        _check_month_day(*self.end)
        if self.start > self.end:
            raise ValueError("Sommertid: «from» må være før «to» i samme år (ikke over nyttår).")

    def covers(self, d: date) -> bool:
        return self.start <= (d.month, d.day) <= self.end


def _check_month_day(month: int, day: int) -> None:
    try:
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        raise ValueError(f"Dagen {month:02d}-{day:02d} (MM-DD) finnes ikke.") from None


def _reject_unknown(mapping: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ValueError(
            f"{what}: ukjent innstilling {', '.join(map(repr, unknown))}; "
            f"tillatt er {', '.join(sorted(allowed))}."
        )


STANDARD_HOURS = Hours(time(8, 0), time(15, 30))
# Collective-agreement convention, not law: norwegian-standards.md §5 ("half-day table").
DEFAULT_HALF_DAYS = (
    HalfDay(DaySpec("easter", offset=-4), time(12, 0)),  # onsdag før skjærtorsdag
    HalfDay(DaySpec("annual", 12, 24), time(12, 0)),  # julaften
    HalfDay(DaySpec("annual", 12, 31), time(12, 0)),  # nyttårsaften
)


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours of one municipality. Saturdays, Sundays and national holidays are
    always closed (DI-1: "ikke overvåkning i helger og helligdager")."""

    name: str = "standard"
    # Monday … Friday; None closes that weekday.
    weekly: tuple[Hours | None, ...] = (STANDARD_HOURS,) * 5
    half_days: tuple[HalfDay, ...] = DEFAULT_HALF_DAYS
    closed_days: tuple[DaySpec, ...] = ()
    summer: SummerHours | None = None

    def __post_init__(self) -> None:
        if len(self.weekly) != 5 or not all(h is None or isinstance(h, Hours) for h in self.weekly):
            raise ValueError("Åpningstider må gis for mandag til fredag (fem dager).")
        if all(h is None for h in self.weekly):
            raise ValueError("Kalenderen må ha minst én ukedag med åpningstid.")
        # The clock's caches hash the calendar on every call; hash the nested tuples once.
        fields = (self.name, self.weekly, self.half_days, self.closed_days, self.summer)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def hours_on(self, d: date) -> Hours | None:
        """The office hours on local date `d`, or None when the office is closed all day."""
        if d.weekday() >= 5 or d in national_holidays(d.year):
            return None
        if any(spec.matches(d) for spec in self.closed_days):
            return None
        base = self.weekly[d.weekday()]
        if base is None:
            return None
        if self.summer is not None and self.summer.covers(d):
            base = self.summer.hours
        close = min([base.close, *(h.close for h in self.half_days if h.day.matches(d))])
        if close <= base.open:
            return None
        return base if close == base.close else Hours(base.open, close)

    def is_working_day(self, d: date) -> bool:
        return self.hours_on(d) is not None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WorkCalendar:
        """Build and validate a calendar from plain data (a preset's TOML table, JSON).

        Keys (all optional): name; office_hours ("08:00-15:30", {open, close}, or a table
        monday…friday of those, "closed" closes a day); half_days ([{day, close}]);
        closed_days (["12-27", "2026-12-28", "easter-4"]); summer_hours
        ({from: "MM-DD", to: "MM-DD", open, close}). Missing keys keep the defaults;
        a bad value raises ValueError with a Norwegian message.
        """
        if not isinstance(data, Mapping):
            raise ValueError("Arbeidstidskalenderen må være en tabell (nøkkel = verdi).")
        _reject_unknown(
            data, {"name", "office_hours", "half_days", "closed_days", "summer_hours"}, "Arbeidstid"
        )
        kwargs: dict[str, Any] = {}
        if "name" in data:
            if not isinstance(data["name"], str) or not data["name"].strip():
                raise ValueError("Arbeidstid: «name» må være en ikke-tom tekst.")
            kwargs["name"] = data["name"].strip()
        if "office_hours" in data:
            kwargs["weekly"] = _parse_weekly(data["office_hours"])
        if "half_days" in data:
            kwargs["half_days"] = tuple(
                _parse_half_day(item, n) for n, item in enumerate(_as_list(data, "half_days"), 1)
            )
        if "closed_days" in data:
            kwargs["closed_days"] = tuple(
                DaySpec.parse(item, "Stengte dager") for item in _as_list(data, "closed_days")
            )
        if data.get("summer_hours") is not None:
            kwargs["summer"] = _parse_summer(data["summer_hours"])
        return cls(**kwargs)

    def to_mapping(self) -> dict[str, Any]:
        """Plain data that `from_mapping` turns back into an equal calendar."""
        weekly = {
            name: (h.to_text() if h else "closed")
            for name, h in zip(WEEKDAYS, self.weekly, strict=True)
        }
        data: dict[str, Any] = {
            "name": self.name,
            "office_hours": weekly,
            "half_days": [
                {"day": h.day.to_text(), "close": _fmt_time(h.close)} for h in self.half_days
            ],
            "closed_days": [spec.to_text() for spec in self.closed_days],
        }
        if self.summer is not None:  # left out rather than null, so the result fits TOML too
            data["summer_hours"] = {
                "from": "{:02d}-{:02d}".format(*self.summer.start),
                "to": "{:02d}-{:02d}".format(*self.summer.end),
                "open": _fmt_time(self.summer.hours.open),
                "close": _fmt_time(self.summer.hours.close),
            }
        return data


def _as_list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data[key]
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"Arbeidstid: «{key}» må være en liste.")
    return list(value)


def _parse_weekly(value: Any) -> tuple[Hours | None, ...]:
    if isinstance(value, Mapping) and not {"open", "close"} & set(value):
        allowed = set(WEEKDAYS)
        weekend = {"saturday", "sunday", "lørdag", "søndag"} & set(value)
        if weekend:
            raise ValueError("Åpningstider: lørdag og søndag er alltid stengt (DI-1).")
        _reject_unknown(value, allowed, "Åpningstider")
        # Days left out keep the standard hours; "closed" (TOML has no null) closes one.
        return tuple(
            _parse_day_hours(value[name], no) if name in value else STANDARD_HOURS
            for name, no in zip(WEEKDAYS, WEEKDAY_NO, strict=True)
        )
    return (Hours.parse(value, "Åpningstid"),) * 5


def _parse_day_hours(value: Any, weekday_no: str) -> Hours | None:
    if value is None or value is False or (isinstance(value, str) and value.strip() in _CLOSED):
        return None
    return Hours.parse(value, f"Åpningstid {weekday_no}")


def _parse_half_day(item: Any, n: int) -> HalfDay:
    what = f"Halv dag nr. {n}"
    if not isinstance(item, Mapping):
        raise ValueError(f"{what}: må være en tabell med «day» og «close».")
    _reject_unknown(item, {"day", "close"}, what)
    if "day" not in item or "close" not in item:
        raise ValueError(f"{what}: oppgi både «day» og «close».")
    return HalfDay(DaySpec.parse(item["day"], what), parse_time(item["close"], what))


def _parse_summer(value: Any) -> SummerHours:
    what = "Sommertid"
    if not isinstance(value, Mapping):
        raise ValueError(f"{what}: må være en tabell med from, to, open og close.")
    _reject_unknown(value, {"from", "to", "open", "close"}, what)
    missing = sorted({"from", "to", "open", "close"} - set(value))
    if missing:
        raise ValueError(f"{what}: mangler {', '.join(missing)}.")
    ends = []
    for key in ("from", "to"):
        spec = DaySpec.parse(value[key], what)
        if spec.kind != "annual":
            raise ValueError(f"{what}: «{key}» må være MM-DD (gjelder hvert år).")
        ends.append((spec.month, spec.day))
    hours = Hours(parse_time(value["open"], what), parse_time(value["close"], what))
    return SummerHours(ends[0], ends[1], hours)


DEFAULT = WorkCalendar()
