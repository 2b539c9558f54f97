"""Deadlines of an inbox item from the municipality's policy (DI-1, DI-2). Pure Python.

The policy engine owns the targets (`Policy.response_targets()`: first response and
answer, in working hours); the working-time clock turns them into instants. Deadlines
are computed once, when the item arrives (or is reopened), and stored in UTC; they are
recomputed only when the municipality's policy changes (`inbox.sweeps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ordstyrer.inbox import workflow
from ordstyrer.worktime import DEFAULT, WorkCalendar, deadline, working_time_between


@dataclass(frozen=True, slots=True)
class Targets:
    first_response_hours: float
    answer_hours: float

    @classmethod
    def of(cls, policy: object) -> Targets:
        targets = policy.response_targets()  # type: ignore[attr-defined]
        return cls(float(targets.first_response_hours), float(targets.answer_hours))


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Everything stored on an item about its clocks (all UTC)."""

    first_response_due: datetime
    resolution_due: datetime
    due_at: datetime | None  # the next pending deadline (None once resolved)
    warn_at: datetime | None  # when the assignee is reminded of `due_at`


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def compute(
    *,
    status: str,
    started_at: datetime,
    resolution_started_at: datetime | None = None,
    first_responded: bool = False,
    targets: Targets,
    calendar: WorkCalendar = DEFAULT,
) -> Deadlines:
    """The deadlines of an item whose first clock started at `started_at` (when the
    citizen wrote) and whose resolution clock started at `resolution_started_at` (the
    same, or the follow-up that reopened it)."""
    resolution_start = resolution_started_at or started_at
    first_due = _utc(deadline(started_at, targets.first_response_hours, calendar))
    resolution_due = _utc(deadline(resolution_start, targets.answer_hours, calendar))
    due = workflow.pending_deadline(
        status,
        first_responded=first_responded,
        first_response_due=first_due,
        resolution_due=resolution_due,
    )
    warn = None
    if due is not None:
        if due == first_due and not first_responded:
            start, hours = started_at, targets.first_response_hours
        else:
            start, hours = resolution_start, targets.answer_hours
        lead = workflow.warn_lead_hours(hours)
        warn = _utc(deadline(start, max(hours - lead, 0.0), calendar)) if lead else due
    return Deadlines(first_due, resolution_due, due, warn)


def working_seconds(start: datetime, end: datetime, calendar: WorkCalendar = DEFAULT) -> int:
    """Working time from `start` to `end` in whole seconds (0 if `end` is earlier)."""
    spent = working_time_between(start, end, calendar)
    return max(int(spent / timedelta(seconds=1)), 0)
