"""The publishing sweep (every worker): held posts when due, retries after backoff,
lost tasks, posts the platform's own scheduler should have published by now, and
take-downs waiting for the notices to the comments' authors (MO-4). Each
row is claimed compare-and-set in `delivery`, so several workers never publish twice."""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep


def publishing_sweep(*, now: datetime) -> int:
    from ordstyrer.publishing import delivery

    return (
        delivery.stop_not_in_use(now=now)
        + delivery.release_due(now=now)
        + delivery.retry_due(now=now)
        + delivery.confirm_native(now=now)
        + delivery.cancel_due(now=now)
        + delivery.take_down_due(now=now)
    )


SWEEPS = (Sweep("publishing", publishing_sweep, every=20.0),)
