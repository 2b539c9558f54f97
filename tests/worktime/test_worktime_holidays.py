"""Every Norwegian public holiday of 2026 and 2027 is skipped by the clock (DI-1).

The table is worked out by hand from norwegian-standards.md §5: a comment
received at 15:00 the day before each red day, with a 2-hour first-response
target, on the default calendar (08:00–15:30, half days on the Wednesday before
Maundy Thursday, 24 Dec and 31 Dec closing at 12:00).
"""

from datetime import date, datetime, timedelta

import holidays
import pytest

from ordstyrer.worktime import (
    DEFAULT,
    OSLO,
    deadline,
    easter_sunday,
    is_working_time,
    national_holidays,
    next_opening,
)


def oslo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


# holiday, expected deadline for "received the day before at 15:00, 2 working hours"
HOLIDAY_CASES = [
    # 2026 — eve of 1 Jan is 31 Dec 2025, a half day already closed at 15:00.
    (date(2026, 1, 1), oslo(2026, 1, 2, 10, 0)),  # 1. nyttårsdag (Thu)
    (date(2026, 4, 2), oslo(2026, 4, 7, 10, 0)),  # skjærtorsdag; eve = Wednesday half day
    (date(2026, 4, 3), oslo(2026, 4, 7, 10, 0)),  # langfredag
    (date(2026, 4, 5), oslo(2026, 4, 7, 10, 0)),  # 1. påskedag (Sun)
    (date(2026, 4, 6), oslo(2026, 4, 7, 10, 0)),  # 2. påskedag
    (date(2026, 5, 1), oslo(2026, 5, 4, 9, 30)),  # 1. mai (Fri): 30 min Thu, 1.5 h Mon
    (date(2026, 5, 14), oslo(2026, 5, 15, 9, 30)),  # Kristi himmelfartsdag (Thu)
    (date(2026, 5, 17), oslo(2026, 5, 18, 10, 0)),  # 17. mai (Sun)
    (date(2026, 5, 24), oslo(2026, 5, 26, 10, 0)),  # 1. pinsedag (Sun)
    (date(2026, 5, 25), oslo(2026, 5, 26, 10, 0)),  # 2. pinsedag
    (date(2026, 12, 25), oslo(2026, 12, 28, 10, 0)),  # 1. juledag; eve = julaften half day
    (date(2026, 12, 26), oslo(2026, 12, 28, 10, 0)),  # 2. juledag (Sat)
    # 2027 — Easter Sunday is 28 March, the same day as the DST change.
    (date(2027, 1, 1), oslo(2027, 1, 4, 10, 0)),  # 1. nyttårsdag (Fri)
    (date(2027, 3, 25), oslo(2027, 3, 30, 10, 0)),  # skjærtorsdag
    (date(2027, 3, 26), oslo(2027, 3, 30, 10, 0)),  # langfredag
    (date(2027, 3, 28), oslo(2027, 3, 30, 10, 0)),  # 1. påskedag (Sun)
    (date(2027, 3, 29), oslo(2027, 3, 30, 10, 0)),  # 2. påskedag
    (date(2027, 5, 1), oslo(2027, 5, 3, 9, 30)),  # 1. mai (Sat): eve is a Friday
    (date(2027, 5, 6), oslo(2027, 5, 7, 9, 30)),  # Kristi himmelfartsdag
    (date(2027, 5, 16), oslo(2027, 5, 18, 10, 0)),  # 1. pinsedag (Sun)
    (date(2027, 5, 17), oslo(2027, 5, 18, 10, 0)),  # 17. mai = 2. pinsedag
    (date(2027, 12, 25), oslo(2027, 12, 27, 10, 0)),  # 1. juledag (Sat); eve = Fri half day
    (date(2027, 12, 26), oslo(2027, 12, 27, 10, 0)),  # 2. juledag (Sun)
]


def test_table_covers_every_holiday_of_2026_and_2027():
    assert {h for h, _ in HOLIDAY_CASES} == national_holidays(2026) | national_holidays(2027)


@pytest.mark.parametrize(("holiday", "expected"), HOLIDAY_CASES, ids=str)
def test_deadline_skips_the_holiday(holiday, expected):
    eve = holiday - timedelta(days=1)
    received = oslo(eve.year, eve.month, eve.day, 15, 0)
    result = deadline(received, 2.0, DEFAULT)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()
    assert result.date() != holiday


@pytest.mark.parametrize("holiday", [h for h, _ in HOLIDAY_CASES], ids=str)
def test_nobody_is_at_work_on_a_holiday(holiday):
    noon = oslo(holiday.year, holiday.month, holiday.day, 12, 0)
    assert not is_working_time(noon)
    assert not DEFAULT.is_working_day(holiday)
    assert next_opening(noon).date() > holiday


def test_eight_weekday_closures_in_2026():
    # norwegian-standards.md §5: 12 red days in 2026, 8 of them on Monday–Friday.
    assert len(national_holidays(2026)) == 12
    assert sum(1 for d in national_holidays(2026) if d.weekday() < 5) == 8


@pytest.mark.parametrize("year", range(1950, 2101))
def test_own_easter_agrees_with_the_holidays_package(year):
    no = holidays.Norway(years=year)
    sunday = easter_sunday(year)
    assert sunday.weekday() == 6
    # skjærtorsdag, langfredag, 2. påskedag, Kristi himmelfart, 2. pinsedag
    for offset in (-3, -2, 1, 39, 50):
        assert sunday + timedelta(days=offset) in no


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_reference_dates(year, sunday):
    assert easter_sunday(year) == sunday
