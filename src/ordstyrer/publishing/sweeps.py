"""The publishing sweep (every worker): held posts when due, retries after backoff,
lost tasks, posts the platform's own scheduler should have published by now, and
take-downs waiting for the notices to the comments' authors (MO-4). Each
row is claimed compare-and-set in `delivery`, so several workers never publish twice."""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep, SweepClock


def publishing_sweep(*, now: datetime) -> int:
    """Each step starts at the time it is reached (`SweepClock`): one that follows a
    long step (many posts released) claims its rows with their real time, never the
    sweep's start, which another worker's `retry_due` takes as stale."""
    from ordstyrer.publishing import delivery

    clock = SweepClock(now)
    steps = (
        delivery.stop_not_in_use,
        delivery.release_due,
        delivery.retry_due,
        delivery.confirm_native,
        delivery.cancel_due,
        delivery.take_down_due,
    )
    return sum(step(now=clock.now()) for step in steps)


SWEEPS = (Sweep("publishing", publishing_sweep, every=20.0),)
