"""working_time_between(), is_working_time(), next_opening() (DI-1)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ordstyrer.worktime import (
    DEFAULT,
    OSLO,
    WorkCalendar,
    deadline,
    is_working_time,
    next_opening,
    working_time_between,
)


def oslo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


ROMJUL = WorkCalendar.from_mapping({"closed_days": ["12-28", "12-29", "12-30"]})

BETWEEN = [
    ("same instant", oslo(2026, 3, 10, 10), oslo(2026, 3, 10, 10), h(0)),
    ("inside a day", oslo(2026, 3, 10, 9), oslo(2026, 3, 10, 11, 30), h(2.5)),
    ("night", oslo(2026, 3, 10, 16), oslo(2026, 3, 11, 7), h(0)),
    ("weekend only", oslo(2026, 3, 13, 15, 30), oslo(2026, 3, 16, 8), h(0)),
    ("over a weekend", oslo(2026, 3, 13, 12), oslo(2026, 3, 16, 12), h(7.5)),
    ("Saturday to Monday", oslo(2026, 3, 14, 10), oslo(2026, 3, 16, 9), h(1)),
    ("a full week", oslo(2026, 3, 9), oslo(2026, 3, 16), h(37.5)),
    # Easter 2026: Wed 1 Apr half day (4 h), closed Thu–Mon, Tue 7 Apr
    ("over Easter", oslo(2026, 4, 1, 8), oslo(2026, 4, 7, 15, 30), h(11.5)),
    ("Easter days only", oslo(2026, 4, 2), oslo(2026, 4, 7), h(0)),
    # 17 May 2027 = 2. pinsedag (Mon); Ascension Thu 6 May 2027
    ("May 2027", oslo(2027, 5, 3), oslo(2027, 5, 24), h(7.5 * 13)),
    # Dec 23 7.5, Dec 24 4, Dec 28–30 22.5, Dec 31 4, Jan 1 closed, Jan 4 7.5
    ("turn of the year", oslo(2026, 12, 23, 8), oslo(2027, 1, 4, 15, 30), h(45.5)),
    ("DST spring week", oslo(2026, 3, 23), oslo(2026, 4, 1), h(37.5 + 7.5 * 2)),
    ("DST autumn weekend", oslo(2026, 10, 23, 15), oslo(2026, 10, 26, 9), h(1.5)),
    ("year 2026", oslo(2026, 1, 1), oslo(2027, 1, 1), h(1887)),
    ("two years", oslo(2026, 1, 1), oslo(2028, 1, 1), h(1887 + 252 * 7.5 + 3 * 4)),
]


@pytest.mark.parametrize(
    ("a", "b", "expected"), [c[1:] for c in BETWEEN], ids=[c[0] for c in BETWEEN]
)
def test_working_time_between(a, b, expected):
    assert working_time_between(a, b) == expected
    assert working_time_between(b, a) == -expected


def test_year_2027_total_by_counting_days():
    # 261 weekdays; red weekdays: 1 Jan, 25/26/29 Mar, 6 May, 17 May → 255 open days,
    # of which 24 Mar (onsdag før skjærtorsdag), 24 Dec and 31 Dec (Fridays) are half days.
    assert working_time_between(oslo(2027, 1, 1), oslo(2028, 1, 1)) == h(252 * 7.5 + 3 * 4)


def test_local_closed_days_count_nothing():
    a, b = oslo(2026, 12, 23, 8), oslo(2027, 1, 4, 15, 30)
    assert working_time_between(a, b, ROMJUL) == h(45.5 - 22.5)


def test_between_is_additive_over_many_cut_points():
    cuts = [oslo(2026, 1, 1) + timedelta(hours=37 * i, minutes=11 * i) for i in range(300)]
    parts = sum(
        (working_time_between(x, y) for x, y in zip(cuts, cuts[1:], strict=False)), timedelta()
    )
    assert parts == working_time_between(cuts[0], cuts[-1])


def test_between_matches_deadline_for_a_grid_of_start_points():
    start = oslo(2026, 3, 20, 7, 45)
    for step in range(0, 24 * 20, 5):  # every 5 hours over 20 days, DST and Easter included
        received = start + timedelta(hours=step)
        for hours in (0.5, 2.0, 7.5, 30.0):
            due = deadline(received, hours)
            assert working_time_between(received, due) == h(hours)
            assert due == next_opening(received) or working_time_between(received, due) > h(0)


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 3, 10, 10)  # noqa: DTZ001 — the point of the test
    aware = oslo(2026, 3, 10, 10)
    for call in (
        lambda: working_time_between(naive, aware),
        lambda: working_time_between(aware, naive),
        lambda: is_working_time(naive),
        lambda: next_opening(naive),
    ):
        with pytest.raises(ValueError, match="mangler tidssone"):
            call()


def test_non_datetime_is_rejected():
    with pytest.raises(TypeError, match="datetime"):
        is_working_time(date(2026, 3, 10))


WORKING = [
    ("08:00 opens", oslo(2026, 3, 10, 8, 0), True),
    ("07:59", oslo(2026, 3, 10, 7, 59), False),
    ("15:29", oslo(2026, 3, 10, 15, 29), True),
    ("15:30 closed", oslo(2026, 3, 10, 15, 30), False),
    ("Saturday", oslo(2026, 3, 14, 10), False),
    ("Sunday", oslo(2026, 3, 15, 10), False),
    ("julaften 11:59", oslo(2026, 12, 24, 11, 59), True),
    ("julaften 12:00", oslo(2026, 12, 24, 12, 0), False),
    ("onsdag før skjærtorsdag 12:30", oslo(2026, 4, 1, 12, 30), False),
    ("2. påskedag", oslo(2026, 4, 6, 10), False),
    ("UTC 07:00 in summer = 09:00", datetime(2026, 6, 2, 7, 0, tzinfo=UTC), True),
    ("UTC 06:30 in winter = 07:30", datetime(2026, 1, 6, 6, 30, tzinfo=UTC), False),
]


@pytest.mark.parametrize(("t", "expected"), [c[1:] for c in WORKING], ids=[c[0] for c in WORKING])
def test_is_working_time(t, expected):
    assert is_working_time(t) is expected


OPENING = [
    ("open now", oslo(2026, 3, 10, 10), oslo(2026, 3, 10, 10)),
    ("before opening", oslo(2026, 3, 10, 6), oslo(2026, 3, 10, 8)),
    ("after closing", oslo(2026, 3, 10, 15, 30), oslo(2026, 3, 11, 8)),
    ("Friday evening", oslo(2026, 3, 13, 18), oslo(2026, 3, 16, 8)),
    ("Maundy Thursday", oslo(2026, 4, 2, 10), oslo(2026, 4, 7, 8)),
    ("julaften afternoon", oslo(2026, 12, 24, 13), oslo(2026, 12, 28, 8)),
    ("DST spring Sunday", oslo(2026, 3, 29, 12), oslo(2026, 3, 30, 8)),
    ("DST autumn Sunday", oslo(2026, 10, 25, 12), oslo(2026, 10, 26, 8)),
]


@pytest.mark.parametrize(("t", "expected"), [c[1:] for c in OPENING], ids=[c[0] for c in OPENING])
def test_next_opening(t, expected):
    result = next_opening(t)
    assert result == expected
    assert result.tzinfo is OSLO
    assert result.utcoffset() == expected.utcoffset()


def test_next_opening_accepts_other_timezones():
    assert next_opening(datetime(2026, 3, 13, 17, 0, tzinfo=UTC)) == oslo(2026, 3, 16, 8)
    assert DEFAULT.is_working_day(date(2026, 3, 16))
