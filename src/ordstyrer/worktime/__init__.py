"""The Norwegian working-time clock (DI-1): deadlines and durations in office hours.

Pure Python, no Django. All instants are timezone-aware; results are in
Europe/Oslo. See docs/worktime.md for the rules and their sources.
"""

from ordstyrer.worktime.clock import (
    MAX_WORKING_HOURS,
    deadline,
    is_working_time,
    next_opening,
    working_time_between,
)
from ordstyrer.worktime.config import (
    DEFAULT,
    OSLO,
    DaySpec,
    HalfDay,
    Hours,
    SummerHours,
    WorkCalendar,
    easter_sunday,
    national_holidays,
)

__all__ = [
    "DEFAULT",
    "MAX_WORKING_HOURS",
    "OSLO",
    "DaySpec",
    "HalfDay",
    "Hours",
    "SummerHours",
    "WorkCalendar",
    "deadline",
    "easter_sunday",
    "is_working_time",
    "national_holidays",
    "next_opening",
    "working_time_between",
]
