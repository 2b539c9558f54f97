"""The channel registry's periodic sweeps, registered with the worker (core.worker)."""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep

CLOSURE_SWEEP_SECONDS = 30.0
# A platform step a transient failure left undone is tried again every five minutes: a
# rate limit is not hammered, and no post stays switched off for long.
CLOSURE_PLATFORM_SWEEP_SECONDS = 300.0
REVIEW_SWEEP_SECONDS = 3600.0


def sweep_closures(*, now: datetime) -> int:
    from ordstyrer.channels.closures import closures_sweep

    return closures_sweep(now=now)


def sweep_closure_platform(*, now: datetime) -> int:
    from ordstyrer.channels.closures import closures_platform_sweep

    return closures_platform_sweep(now=now)


def sweep_reviews(*, now: datetime) -> int:
    from ordstyrer.channels.reviews import reviews_sweep

    return reviews_sweep(now=now)


SWEEPS = (
    # CH-9: a closure opens and ends within half a minute of its time.
    Sweep("channels.closures", sweep_closures, every=CLOSURE_SWEEP_SECONDS),
    # CH-9: comments switched off or on again after a transient platform failure.
    Sweep(
        "channels.closure_platform", sweep_closure_platform, every=CLOSURE_PLATFORM_SWEEP_SECONDS
    ),
    # CH-6: reviews are due by the day; hourly is plenty.
    Sweep("channels.reviews", sweep_reviews, every=REVIEW_SWEEP_SECONDS),
)
