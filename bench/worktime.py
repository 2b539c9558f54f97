"""Benchmark the working-time clock: the inbox report calls working_time_between
for many items, the inbox sweep calls deadline for every open item.

Run: .venv/bin/python bench/worktime.py [N]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta

from ordstyrer.worktime import DEFAULT, OSLO, WorkCalendar, deadline, working_time_between
from ordstyrer.worktime.clock import _year


def _instants(n: int, rng: random.Random) -> list[datetime]:
    base = datetime(2026, 1, 1, tzinfo=OSLO)
    return [base + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(n)]


def _timed(label: str, n: int, fn) -> None:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {n:>8} calls  {elapsed:7.3f} s  {elapsed / n * 1e6:7.2f} µs/call")


def main(n: int = 100_000) -> None:
    rng = random.Random(20260402)
    starts = _instants(n, rng)
    spans = [timedelta(minutes=rng.randrange(90 * 24 * 60)) for _ in range(n)]
    long_spans = [timedelta(days=rng.randrange(3 * 365)) for _ in range(n)]

    _year.cache_clear()
    t0 = time.perf_counter()
    for year in range(2026, 2036):
        _year(DEFAULT, year)
    print(
        f"{'build one year table (cold, average of 10)':<52} {(time.perf_counter() - t0) / 10 * 1e3:7.2f} ms"
    )

    _timed(
        "working_time_between, spans up to 90 days",
        n,
        lambda: [working_time_between(a, a + s) for a, s in zip(starts, spans, strict=True)],
    )
    _timed(
        "working_time_between, spans up to 3 years",
        n,
        lambda: [working_time_between(a, a + s) for a, s in zip(starts, long_spans, strict=True)],
    )
    _timed("deadline, 2.0 h (first response)", n, lambda: [deadline(a, 2.0) for a in starts])
    _timed("deadline, 7.5 h (answer)", n, lambda: [deadline(a, 7.5) for a in starts])
    _timed("deadline, 1000 h", n, lambda: [deadline(a, 1000.0) for a in starts])
    custom = WorkCalendar.from_mapping(
        {
            "closed_days": ["12-27", "12-28", "12-29", "12-30"],
            "summer_hours": {"from": "06-15", "to": "08-15", "open": "09:00", "close": "15:00"},
        }
    )
    _timed(
        "deadline, 7.5 h, custom calendar (cold tables)",
        n,
        lambda: [deadline(a, 7.5, custom) for a in starts],
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
