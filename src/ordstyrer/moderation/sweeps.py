"""The moderation sweeps, run by every worker (`core.worker`); each claims its rows
compare-and-set, so several workers on several machines may run them at once:

- `moderation.outbox`: platform calls whose task was lost, retries whose backoff is
  over, and calls whose worker died (an expired lease);
- `moderation.auto`: the automatic rules on newly triaged comments (hide or flag,
  never delete).
"""

from __future__ import annotations

from datetime import datetime

from ordstyrer.core.worker import Sweep

OUTBOX_EVERY = 15.0
AUTO_EVERY = 30.0


def sweep_outbox(*, now: datetime) -> int:
    from ordstyrer.moderation.outbox import outbox_sweep

    return outbox_sweep(now=now)


def sweep_auto(*, now: datetime) -> int:
    from ordstyrer.moderation.auto import auto_sweep

    return auto_sweep(now=now)


SWEEPS = (
    Sweep("moderation.outbox", sweep_outbox, every=OUTBOX_EVERY),
    Sweep("moderation.auto", sweep_auto, every=AUTO_EVERY),
)
