"""An inbox item's life as an explicit state machine (DI-1 … DI-8), and its two clocks.

Pure Python, no Django: the services guard every change through `next_status`, and the
tests walk the table without a database.

    new ──acknowledge──▶ acknowledged ──answer──▶ answered
     │  └──────────────────answer / refer / close──────────▶ answered | referred | closed
     └──────────────────────────────────────────────────────┘
    answered | referred | closed ──reopen (the citizen answers)──▶ reopened
    reopened behaves like new (acknowledge, answer, refer, close)

Two clocks run per item (DI-1, DI-2): the *first response* (acknowledged, answered,
referred or closed — whichever comes first) and the *resolution* (answered, referred or
closed). Both deadlines are counted in Norwegian working time from when the citizen
wrote; a reopening starts a new resolution clock from the citizen's follow-up.
"""

from __future__ import annotations

from datetime import datetime

from ordstyrer.statemachine import StateMachine
from ordstyrer.statemachine import TransitionError as TransitionError

NEW = "new"
ACKNOWLEDGED = "acknowledged"
ANSWERED = "answered"
REFERRED = "referred"
CLOSED = "closed"
REOPENED = "reopened"

STATUSES: tuple[str, ...] = (NEW, ACKNOWLEDGED, ANSWERED, REFERRED, CLOSED, REOPENED)
# Waiting for the municipality: these have a running clock and count as overdue.
OPEN = frozenset({NEW, ACKNOWLEDGED, REOPENED})
RESOLVED = frozenset({ANSWERED, REFERRED, CLOSED})

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({NEW, REOPENED}), ACKNOWLEDGED),
    "answer": (frozenset({NEW, ACKNOWLEDGED, REOPENED, ANSWERED}), ANSWERED),
    "refer": (frozenset({NEW, ACKNOWLEDGED, REOPENED, ANSWERED, REFERRED}), REFERRED),
    "close": (frozenset({NEW, ACKNOWLEDGED, REOPENED, ANSWERED, REFERRED}), CLOSED),
    "reopen": (frozenset({ANSWERED, REFERRED, CLOSED}), REOPENED),
}


_MACHINE = StateMachine(TRANSITIONS)
next_status = _MACHINE.next_status
allowed_actions = _MACHINE.allowed_actions


def pending_deadline(
    status: str,
    *,
    first_responded: bool,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
) -> datetime | None:
    """The next deadline the municipality must meet for an item in `status`: the first
    response while nobody has said anything, then the resolution; None once resolved.
    A reopened item has had its first response; only its new resolution clock runs."""
    if status not in OPEN:
        return None
    if not first_responded and first_response_due is not None:
        candidates = [d for d in (first_response_due, resolution_due) if d is not None]
        return min(candidates)
    return resolution_due


def warn_lead_hours(target_hours: float) -> float:
    """How many working hours before a deadline the assignee is reminded: one hour, or
    half the target when the target is two hours or less (2 h → reminded after 1 h)."""
    if target_hours <= 0:
        return 0.0
    return min(1.0, target_hours / 2)
