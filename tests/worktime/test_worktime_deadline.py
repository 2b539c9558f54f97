"""deadline(): response targets counted in Norwegian office hours (DI-1)."""

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ordstyrer.worktime import (
    DEFAULT,
    OSLO,
    WorkCalendar,
    deadline,
    next_opening,
    working_time_between,
)
from ordstyrer.worktime.targets import response_deadline


def oslo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


ROMJUL = WorkCalendar.from_mapping(
    {"name": "romjul stengt", "closed_days": ["12-27", "12-28", "12-29", "12-30"]}
)
CLOSED_WEDNESDAY_BEFORE_EASTER = WorkCalendar.from_mapping(
    {"closed_days": ["easter-4", "2026-03-13"]}
)
SUMMER = WorkCalendar.from_mapping(
    {"summer_hours": {"from": "06-15", "to": "08-15", "open": "09:00", "close": "15:00"}}
)
SHORT_FRIDAY = WorkCalendar.from_mapping({"office_hours": {"friday": "08:00-14:00"}})

CASES = [
    # id, calendar, received, working hours, expected
    # ordinary Tuesday 2026-03-10 around closing time (15:30)
    ("15:29 +2h", DEFAULT, oslo(2026, 3, 10, 15, 29), 2.0, oslo(2026, 3, 11, 9, 59)),
    ("15:31 +2h", DEFAULT, oslo(2026, 3, 10, 15, 31), 2.0, oslo(2026, 3, 11, 10, 0)),
    ("15:29 +7.5h", DEFAULT, oslo(2026, 3, 10, 15, 29), 7.5, oslo(2026, 3, 11, 15, 29)),
    ("15:31 +7.5h", DEFAULT, oslo(2026, 3, 10, 15, 31), 7.5, oslo(2026, 3, 11, 15, 30)),
    ("15:30 is closed", DEFAULT, oslo(2026, 3, 10, 15, 30), 2.0, oslo(2026, 3, 11, 10, 0)),
    ("07:00 early", DEFAULT, oslo(2026, 3, 10, 7, 0), 2.0, oslo(2026, 3, 10, 10, 0)),
    ("exactly a day", DEFAULT, oslo(2026, 3, 10, 8, 0), 7.5, oslo(2026, 3, 10, 15, 30)),
    # Gausdal: "senest innen ett døgn" = next working day at the same clock time
    ("same clock time", DEFAULT, oslo(2026, 3, 10, 10, 0), 7.5, oslo(2026, 3, 11, 10, 0)),
    ("Friday -> Monday", DEFAULT, oslo(2026, 3, 13, 11, 15), 7.5, oslo(2026, 3, 16, 11, 15)),
    ("several days", DEFAULT, oslo(2026, 3, 10, 10, 0), 37.5, oslo(2026, 3, 17, 10, 0)),
    ("fractional", DEFAULT, oslo(2026, 3, 10, 10, 0), 0.25, oslo(2026, 3, 10, 10, 15)),
    # weekends
    ("Saturday", DEFAULT, oslo(2026, 3, 14, 12, 0), 2.0, oslo(2026, 3, 16, 10, 0)),
    ("Sunday night", DEFAULT, oslo(2026, 3, 15, 23, 59), 7.5, oslo(2026, 3, 16, 15, 30)),
    # Maundy Thursday 2026-04-02: next working day is Tuesday 2026-04-07
    ("skjærtorsdag +2h", DEFAULT, oslo(2026, 4, 2, 10, 0), 2.0, oslo(2026, 4, 7, 10, 0)),
    ("skjærtorsdag +7.5h", DEFAULT, oslo(2026, 4, 2, 10, 0), 7.5, oslo(2026, 4, 7, 15, 30)),
    # half days close at 12:00
    ("onsdag før skjærtorsdag", DEFAULT, oslo(2026, 4, 1, 10, 0), 7.5, oslo(2026, 4, 7, 13, 30)),
    ("onsdag 11:00 +1h", DEFAULT, oslo(2026, 4, 1, 11, 0), 1.0, oslo(2026, 4, 1, 12, 0)),
    ("onsdag 12:00", DEFAULT, oslo(2026, 4, 1, 12, 0), 2.0, oslo(2026, 4, 7, 10, 0)),
    ("julaften 10:00 +2h", DEFAULT, oslo(2026, 12, 24, 10, 0), 2.0, oslo(2026, 12, 24, 12, 0)),
    ("julaften 11:00 +2h", DEFAULT, oslo(2026, 12, 24, 11, 0), 2.0, oslo(2026, 12, 28, 9, 0)),
    ("julaften +7.5h", DEFAULT, oslo(2026, 12, 24, 10, 0), 7.5, oslo(2026, 12, 28, 13, 30)),
    ("julaften 13:00", DEFAULT, oslo(2026, 12, 24, 13, 0), 2.0, oslo(2026, 12, 28, 10, 0)),
    ("nyttårsaften", DEFAULT, oslo(2026, 12, 31, 11, 0), 2.0, oslo(2027, 1, 4, 9, 0)),
    # DST starts Sunday 2026-03-29 (02:00 -> 03:00): Friday +01:00, Monday +02:00
    ("DST spring", DEFAULT, oslo(2026, 3, 27, 14, 0), 7.5, oslo(2026, 3, 30, 14, 0)),
    (
        "DST spring, in the gap (UTC)",
        DEFAULT,
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        1.0,
        oslo(2026, 3, 30, 9, 0),
    ),
    # DST ends Sunday 2026-10-25 (03:00 -> 02:00): Friday +02:00, Monday +01:00
    ("DST autumn", DEFAULT, oslo(2026, 10, 23, 14, 0), 7.5, oslo(2026, 10, 26, 14, 0)),
    (
        "DST autumn, first 02:30",
        DEFAULT,
        datetime(2026, 10, 25, 2, 30, tzinfo=OSLO),
        1.0,
        oslo(2026, 10, 26, 9, 0),
    ),
    (
        "DST autumn, second 02:30",
        DEFAULT,
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO),
        1.0,
        oslo(2026, 10, 26, 9, 0),
    ),
    # other offsets in, Europe/Oslo out
    ("UTC input", DEFAULT, datetime(2026, 6, 1, 6, 0, tzinfo=UTC), 1.0, oslo(2026, 6, 1, 9, 0)),
    (
        "fixed offset input",
        DEFAULT,
        datetime(2026, 1, 5, 14, 0, tzinfo=timezone(timedelta(hours=-5))),  # 20:00 in Oslo
        1.0,
        oslo(2026, 1, 6, 9, 0),
    ),
    # local closed days
    ("romjul closed", ROMJUL, oslo(2026, 12, 24, 11, 0), 2.0, oslo(2026, 12, 31, 9, 0)),
    ("romjul, day before", ROMJUL, oslo(2026, 12, 23, 15, 0), 2.0, oslo(2026, 12, 24, 9, 30)),
    (
        "closed Wednesday before Easter",
        CLOSED_WEDNESDAY_BEFORE_EASTER,
        oslo(2026, 3, 31, 15, 0),
        2.0,
        oslo(2026, 4, 7, 9, 30),
    ),
    (
        "one closed date",
        CLOSED_WEDNESDAY_BEFORE_EASTER,
        oslo(2026, 3, 12, 15, 0),
        2.0,
        oslo(2026, 3, 16, 9, 30),
    ),
    # summer hours 15 Jun – 15 Aug, 09:00–15:00
    ("summer first day", SUMMER, oslo(2026, 6, 15, 14, 30), 2.0, oslo(2026, 6, 16, 10, 30)),
    ("summer opens 09:00", SUMMER, oslo(2026, 7, 1, 8, 0), 1.0, oslo(2026, 7, 1, 10, 0)),
    ("into summer", SUMMER, oslo(2026, 6, 12, 15, 0), 2.0, oslo(2026, 6, 15, 10, 30)),
    ("out of summer", SUMMER, oslo(2026, 8, 14, 14, 30), 2.0, oslo(2026, 8, 17, 9, 30)),
    ("summer 7.5h", SUMMER, oslo(2026, 7, 1, 9, 0), 7.5, oslo(2026, 7, 2, 10, 30)),
    ("default has no summer", DEFAULT, oslo(2026, 7, 1, 8, 0), 1.0, oslo(2026, 7, 1, 9, 0)),
    # per-weekday office hours
    ("short Friday", SHORT_FRIDAY, oslo(2026, 3, 13, 13, 0), 2.0, oslo(2026, 3, 16, 9, 0)),
    # across the turn of the year
    ("year end", DEFAULT, oslo(2026, 12, 23, 8, 0), 45.5, oslo(2027, 1, 4, 15, 30)),
    # 2026: 253 working days, three of them half days: 250 * 7.5 h + 3 * 4 h = 1887 h
    ("whole year", DEFAULT, oslo(2026, 1, 1, 0, 0), 1887.0, oslo(2026, 12, 31, 12, 0)),
    ("250 days", DEFAULT, oslo(2026, 1, 2, 8, 0), 7.5 * 250, oslo(2026, 12, 29, 15, 0)),
]


@pytest.mark.parametrize(
    ("calendar", "received", "hours", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_deadline(calendar, received, hours, expected):
    result = deadline(received, hours, calendar)
    assert result == expected
    assert result.tzinfo is OSLO
    assert result.utcoffset() == expected.utcoffset()  # the right side of a DST change
    # the clock and the stopwatch agree: exactly `hours` of working time in between
    assert working_time_between(received, result, calendar) == timedelta(hours=hours)


def test_dst_deadlines_span_different_real_durations():
    spring = deadline(oslo(2026, 3, 27, 14, 0), 7.5)
    autumn = deadline(oslo(2026, 10, 23, 14, 0), 7.5)
    # subtract in UTC: Python subtracts two Europe/Oslo datetimes by wall time
    assert spring.astimezone(UTC) - oslo(2026, 3, 27, 14, 0) == timedelta(hours=71)
    assert autumn.astimezone(UTC) - oslo(2026, 10, 23, 14, 0) == timedelta(hours=73)
    assert spring.isoformat() == "2026-03-30T14:00:00+02:00"
    assert autumn.isoformat() == "2026-10-26T14:00:00+01:00"


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (oslo(2026, 3, 10, 10, 0), oslo(2026, 3, 10, 10, 0)),  # open: the clock starts now
        (oslo(2026, 3, 10, 15, 30), oslo(2026, 3, 11, 8, 0)),
        (oslo(2026, 4, 2, 10, 0), oslo(2026, 4, 7, 8, 0)),
    ],
)
def test_zero_hours_is_the_clock_start(received, expected):
    assert deadline(received, 0, DEFAULT) == expected == next_opening(received)


@pytest.mark.parametrize(
    ("hours", "error"),
    [
        (-1.0, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (60_000.0, ValueError),
        ("7.5", TypeError),
        (True, TypeError),
    ],
)
def test_bad_hours_are_rejected(hours, error):
    with pytest.raises(error, match="arbeidstimer"):
        deadline(oslo(2026, 3, 10, 10, 0), hours)


def test_naive_received_is_rejected_in_norwegian():
    with pytest.raises(ValueError, match="mangler tidssone"):
        deadline(datetime(2026, 3, 10, 10, 0), 2.0)  # noqa: DTZ001 — the point of the test


def test_integer_hours_are_accepted():
    assert deadline(oslo(2026, 3, 10, 10, 0), 2) == oslo(2026, 3, 10, 12, 0)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Full days between: the next working day at the same clock time.
        (oslo(2026, 3, 10, 10), oslo(2026, 3, 11, 10)),
        # A half day (open until 12:00) in between: later by the hours it lacks — the
        # reading docs/worktime.md states for Gausdal's «innen ett døgn» (DI-1).
        (oslo(2026, 4, 1, 9), oslo(2026, 4, 7, 12, 30)),
        (oslo(2025, 12, 31, 10), oslo(2026, 1, 2, 13, 30)),
    ],
)
def test_gausdal_one_day_is_counted_in_working_hours(received, expected):
    assert response_deadline(preset_id="gausdal", received=received) == expected
