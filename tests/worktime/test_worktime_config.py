"""WorkCalendar: the configuration of office hours per municipality (DI-1)."""

import tomllib
from datetime import date, time

import pytest

from ordstyrer.worktime import DEFAULT, DaySpec, HalfDay, Hours, SummerHours, WorkCalendar


def test_default_calendar():
    assert WorkCalendar.from_mapping({}) == DEFAULT
    assert DEFAULT.weekly == (Hours(time(8), time(15, 30)),) * 5
    assert DEFAULT.hours_on(date(2026, 3, 10)) == Hours(time(8), time(15, 30))
    assert DEFAULT.hours_on(date(2026, 4, 1)) == Hours(time(8), time(12))  # onsdag før skjærtorsdag
    assert DEFAULT.hours_on(date(2026, 12, 24)) == Hours(time(8), time(12))
    assert DEFAULT.hours_on(date(2026, 12, 31)) == Hours(time(8), time(12))
    assert DEFAULT.hours_on(date(2026, 3, 14)) is None  # Saturday
    assert DEFAULT.hours_on(date(2026, 5, 1)) is None


def test_calendar_is_frozen_and_hashable():
    a = WorkCalendar.from_mapping({"closed_days": ["12-27"], "name": "x"})
    b = WorkCalendar.from_mapping({"closed_days": ["12-27"], "name": "x"})
    assert a == b and hash(a) == hash(b)
    assert len({a, b, DEFAULT}) == 2
    with pytest.raises(AttributeError):
        a.name = "y"  # type: ignore[misc]


FULL = {
    "name": "Gausdal kommune",
    "office_hours": {
        "monday": "08:00-15:30",
        "tuesday": {"open": "08:00", "close": "15:30"},
        "wednesday": "08:00-15:30",
        "thursday": "08:00-18:00",
        "friday": "closed",
    },
    "half_days": [{"day": "easter-4", "close": "12:00"}, {"day": "12-23", "close": "13:00"}],
    "closed_days": ["12-27", "2026-12-28", "easter-1", "easter"],
    "summer_hours": {"from": "06-22", "to": "08-07", "open": "09:00", "close": "14:30"},
}


def test_full_mapping():
    cal = WorkCalendar.from_mapping(FULL)
    assert cal.name == "Gausdal kommune"
    assert cal.weekly[3] == Hours(time(8), time(18))
    assert cal.weekly[4] is None
    assert cal.half_days == (
        HalfDay(DaySpec("easter", offset=-4), time(12)),
        HalfDay(DaySpec("annual", 12, 23), time(13)),
    )
    assert cal.summer == SummerHours((6, 22), (8, 7), Hours(time(9), time(14, 30)))
    assert cal.hours_on(date(2026, 3, 13)) is None  # Friday closed
    assert cal.hours_on(date(2026, 3, 12)) == Hours(time(8), time(18))
    assert cal.hours_on(date(2026, 7, 9)) == Hours(time(9), time(14, 30))  # summer Thursday
    assert cal.hours_on(date(2026, 7, 10)) is None  # summer does not open a closed Friday
    assert cal.hours_on(date(2026, 12, 23)) == Hours(time(8), time(13))
    assert cal.hours_on(date(2026, 12, 28)) is None
    assert cal.hours_on(date(2027, 12, 28)) == Hours(time(8), time(15, 30))  # one date only
    assert cal.hours_on(date(2027, 12, 27)) is None  # every year


def test_round_trip():
    cal = WorkCalendar.from_mapping(FULL)
    assert WorkCalendar.from_mapping(cal.to_mapping()) == cal
    assert WorkCalendar.from_mapping(DEFAULT.to_mapping()) == DEFAULT


def test_partial_weekdays_keep_the_standard_hours():
    cal = WorkCalendar.from_mapping({"office_hours": {"friday": "08:00-14:00"}})
    assert cal.weekly[:4] == DEFAULT.weekly[:4]
    assert cal.weekly[4] == Hours(time(8), time(14))


def test_same_hours_every_weekday():
    cal = WorkCalendar.from_mapping({"office_hours": "07:30-15:00"})
    assert cal.weekly == (Hours(time(7, 30), time(15)),) * 5
    assert WorkCalendar.from_mapping({"office_hours": {"open": "07:30", "close": "15:00"}}) == cal


def test_half_days_can_be_switched_off():
    cal = WorkCalendar.from_mapping({"half_days": []})
    assert cal.hours_on(date(2026, 12, 24)) == Hours(time(8), time(15, 30))


def test_half_day_closing_before_opening_closes_the_day():
    cal = WorkCalendar.from_mapping({"half_days": [{"day": "12-24", "close": "08:00"}]})
    assert cal.hours_on(date(2026, 12, 24)) is None


def test_national_holiday_wins_over_everything():
    cal = WorkCalendar.from_mapping({"half_days": [{"day": "05-17", "close": "12:00"}]})
    assert cal.hours_on(date(2027, 5, 17)) is None


BAD = [
    ("not a mapping", ["08:00"], "tabell"),
    ("unknown key", {"opening": "08:00"}, "ukjent innstilling 'opening'"),
    ("bad time", {"office_hours": "8-16"}, "ugyldig klokkeslett"),
    ("hour 25", {"office_hours": "08:00-25:00"}, "ugyldig klokkeslett"),
    ("minute 60", {"office_hours": {"open": "08:60", "close": "15:00"}}, "ugyldig klokkeslett"),
    ("close before open", {"office_hours": "15:30-08:00"}, "stengetid må være etter"),
    ("open == close", {"office_hours": "08:00-08:00"}, "stengetid må være etter"),
    ("weekday typo", {"office_hours": {"fredag": "08:00-14:00"}}, "ukjent innstilling 'fredag'"),
    ("Saturday", {"office_hours": {"saturday": "10:00-14:00"}}, "lørdag og søndag"),
    (
        "all closed",
        {"office_hours": dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"))},
        "minst én ukedag",
    ),
    ("hours only open", {"office_hours": {"open": "08:00"}}, "både «open» og «close»"),
    ("hours a number", {"office_hours": 8}, "ugyldig åpningstid"),
    ("closed_days not a list", {"closed_days": "12-24"}, "må være en liste"),
    ("closed day 13-01", {"closed_days": ["13-01"]}, "ugyldig dag '13-01'"),
    ("closed day 02-30", {"closed_days": ["02-30"]}, "ugyldig dag '02-30'"),
    ("closed date impossible", {"closed_days": ["2026-02-29"]}, "ugyldig dag"),
    ("closed day words", {"closed_days": ["julaften"]}, "ugyldig dag 'julaften'"),
    ("easter too far", {"closed_days": ["easter+90"]}, "±60"),
    ("half day no close", {"half_days": [{"day": "12-24"}]}, "oppgi både «day» og «close»"),
    ("half day string", {"half_days": ["12-24"]}, "Halv dag nr. 1"),
    (
        "half day bad time",
        {"half_days": [{"day": "12-24", "close": "noon"}]},
        "ugyldig klokkeslett",
    ),
    ("summer missing", {"summer_hours": {"from": "06-15", "to": "08-15"}}, "mangler close, open"),
    (
        "summer over new year",
        {"summer_hours": {"from": "12-01", "to": "01-31", "open": "08:00", "close": "15:00"}},
        "ikke over nyttår",
    ),
    (
        "summer a date",
        {"summer_hours": {"from": "2026-06-15", "to": "08-15", "open": "08:00", "close": "15:00"}},
        "MM-DD",
    ),
    (
        "summer unknown key",
        {
            "summer_hours": {
                "from": "06-15",
                "to": "08-15",
                "open": "08:00",
                "close": "15:00",
                "days": 5,
            }
        },
        "'days'",
    ),
    ("empty name", {"name": " "}, "ikke-tom tekst"),
]


@pytest.mark.parametrize(("data", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_configuration_is_rejected_in_norwegian(data, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar.from_mapping(data)


def test_direct_construction_is_validated_too():
    with pytest.raises(ValueError, match="fem dager"):
        WorkCalendar(weekly=(Hours(time(8), time(15)),) * 7)
    with pytest.raises(ValueError, match="stengetid"):
        Hours(time(16), time(8))
    with pytest.raises(ValueError, match="finnes ikke"):
        DaySpec("date", 2, 29, 2026)
    with pytest.raises(ValueError, match="04-31"):
        DaySpec("annual", 4, 31)
    with pytest.raises(ValueError, match="ikke over nyttår"):
        SummerHours((9, 1), (6, 1), Hours(time(8), time(15)))
    with pytest.raises(ValueError, match="hele minutter"):
        WorkCalendar.from_mapping({"office_hours": {"open": time(8, 0, 30), "close": "15:00"}})


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("12-24", date(2031, 12, 24), True),
        ("12-24", date(2031, 12, 23), False),
        ("2026-12-28", date(2026, 12, 28), True),
        ("2026-12-28", date(2027, 12, 28), False),
        ("easter-4", date(2026, 4, 1), True),
        ("påske-4", date(2027, 3, 24), True),
        ("easter + 39", date(2026, 5, 14), True),
        ("easter", date(2026, 4, 5), True),
        ("02-29", date(2028, 2, 29), True),
    ],
)
def test_day_spec(text, day, expected):
    assert DaySpec.parse(text, "test").matches(day) is expected


@pytest.mark.parametrize("closed", ["closed", "stengt", None, False])
def test_ways_to_close_a_weekday(closed):
    cal = WorkCalendar.from_mapping({"office_hours": {"friday": closed}})
    assert cal.weekly[4] is None
    assert cal.hours_on(date(2026, 3, 13)) is None


def test_calendar_from_toml():
    text = """
name = "Indre Fosen kommune"
closed_days = ["12-27", "12-28", "12-29", "12-30"]
half_days = [{ day = "easter-4", close = "12:00" }, { day = "12-24", close = "12:00" }]

[office_hours]
friday = "closed"

[summer_hours]
from = "06-20"
to = "08-10"
open = "08:00"
close = "15:00"
"""
    cal = WorkCalendar.from_mapping(tomllib.loads(text))
    assert cal.name == "Indre Fosen kommune"
    assert cal.weekly[4] is None and cal.weekly[0] == Hours(time(8), time(15, 30))
    assert len(cal.half_days) == 2 and len(cal.closed_days) == 4
    assert cal.hours_on(date(2026, 7, 1)) == Hours(time(8), time(15))
    assert cal.hours_on(date(2026, 12, 31)) == Hours(time(8), time(15, 30))  # no 31 Dec half day
    assert WorkCalendar.from_mapping(cal.to_mapping()) == cal
