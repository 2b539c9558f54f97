"""Deadlines per preset on real cases (DI-1, DI-2), the item state machine, the reminder time.

Pure: no database. Targets come from the presets through the policy engine: Indre Fosen
2 h first response / 7.5 h answer; Gausdal 7.5 / 7.5 ("innen ett døgn"); presets without
DI-1 (Birkenes) use the defaults 2 / 7.5.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ordstyrer.inbox import deadlines, workflow
from ordstyrer.policy import load_policy

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


CASES = [
    # preset, received (Oslo), first response due, resolution due, why
    (
        "indre-fosen",
        oslo(2026, 4, 2, 10, 0),
        oslo(2026, 4, 7, 10, 0),
        oslo(2026, 4, 7, 15, 30),
        "skjærtorsdag: Easter closes Thu–Mon, the clock starts Tuesday 08:00",
    ),
    (
        "gausdal",
        oslo(2026, 4, 2, 10, 0),
        oslo(2026, 4, 7, 15, 30),
        oslo(2026, 4, 7, 15, 30),
        "Gausdal's ett døgn from skjærtorsdag",
    ),
    (
        "indre-fosen",
        oslo(2026, 5, 9, 12, 0),
        oslo(2026, 5, 11, 10, 0),
        oslo(2026, 5, 11, 15, 30),
        "Saturday: counted from Monday's opening",
    ),
    (
        "indre-fosen",
        oslo(2026, 5, 8, 15, 29),
        oslo(2026, 5, 11, 9, 59),
        oslo(2026, 5, 11, 15, 29),
        "Friday 15:29: one working minute on Friday",
    ),
    (
        "indre-fosen",
        oslo(2026, 5, 8, 15, 31),
        oslo(2026, 5, 11, 10, 0),
        oslo(2026, 5, 11, 15, 30),
        "Friday 15:31: after closing, nothing counts until Monday",
    ),
    (
        "gausdal",
        oslo(2026, 5, 8, 15, 29),
        oslo(2026, 5, 11, 15, 29),
        oslo(2026, 5, 11, 15, 29),
        "Gausdal: Friday 15:29 + ett døgn",
    ),
    (
        "indre-fosen",
        oslo(2026, 12, 24, 10, 0),
        oslo(2026, 12, 24, 12, 0),
        oslo(2026, 12, 28, 13, 30),
        "julaften closes 12:00; 25 and 26 Dec and Sunday closed",
    ),
    (
        "gausdal",
        oslo(2026, 5, 5, 10, 0),
        oslo(2026, 5, 6, 10, 0),
        oslo(2026, 5, 6, 10, 0),
        "an ordinary Tuesday: the next working day at the same time",
    ),
    (
        "birkenes",
        oslo(2026, 5, 13, 14, 0),
        oslo(2026, 5, 15, 8, 30),
        oslo(2026, 5, 15, 14, 0),
        "defaults (no DI-1 in Birkenes); Kristi himmelfartsdag 14 May is closed",
    ),
]


@pytest.mark.parametrize(("preset", "received", "first", "resolution", "why"), CASES)
def test_deadlines_per_preset(preset, received, first, resolution, why):
    targets = deadlines.Targets.of(load_policy(preset))
    got = deadlines.compute(status=workflow.NEW, started_at=received, targets=targets)
    assert got.first_response_due == first, why
    assert got.resolution_due == resolution, why
    assert got.first_response_due.tzinfo is not None
    assert got.due_at == min(first, resolution)


def test_deadlines_are_stored_in_utc():
    got = deadlines.compute(
        status=workflow.NEW,
        started_at=oslo(2026, 4, 2, 10, 0),
        targets=deadlines.Targets(2.0, 7.5),
    )
    assert got.first_response_due.utcoffset().total_seconds() == 0
    assert got.first_response_due.isoformat() == "2026-04-07T08:00:00+00:00"


@pytest.mark.parametrize(
    ("status", "responded", "pending"),
    [
        (workflow.NEW, False, "first"),
        (workflow.ACKNOWLEDGED, True, "resolution"),
        (workflow.REOPENED, True, "resolution"),
        (workflow.ANSWERED, True, None),
        (workflow.CLOSED, False, None),
    ],
)
def test_the_pending_deadline_follows_the_status(status, responded, pending):
    got = deadlines.compute(
        status=status,
        started_at=oslo(2026, 5, 5, 10, 0),
        first_responded=responded,
        targets=deadlines.Targets(2.0, 7.5),
    )
    expected = {"first": got.first_response_due, "resolution": got.resolution_due, None: None}
    assert got.due_at == expected[pending]


@pytest.mark.parametrize(
    ("hours", "warn"),
    [
        (2.0, oslo(2026, 5, 5, 11, 0)),
        (7.5, oslo(2026, 5, 6, 9, 0)),
        (1.0, oslo(2026, 5, 5, 10, 30)),
    ],
)
def test_reminder_comes_a_working_hour_before_or_halfway(hours, warn):
    got = deadlines.compute(
        status=workflow.ACKNOWLEDGED,
        started_at=oslo(2026, 5, 5, 10, 0),
        first_responded=True,
        targets=deadlines.Targets(hours, hours),
    )
    assert got.warn_at == warn


def test_reopening_starts_a_new_resolution_clock():
    got = deadlines.compute(
        status=workflow.REOPENED,
        started_at=oslo(2026, 5, 4, 10, 0),
        resolution_started_at=oslo(2026, 5, 8, 15, 0),
        first_responded=True,
        targets=deadlines.Targets(2.0, 7.5),
    )
    assert got.first_response_due == oslo(2026, 5, 4, 12, 0)
    assert got.due_at == got.resolution_due == oslo(2026, 5, 11, 15, 0)


TRANSITIONS = [
    (workflow.NEW, "acknowledge", workflow.ACKNOWLEDGED),
    (workflow.NEW, "answer", workflow.ANSWERED),
    (workflow.NEW, "refer", workflow.REFERRED),
    (workflow.NEW, "close", workflow.CLOSED),
    (workflow.ACKNOWLEDGED, "answer", workflow.ANSWERED),
    (workflow.ANSWERED, "reopen", workflow.REOPENED),
    (workflow.CLOSED, "reopen", workflow.REOPENED),
    (workflow.REOPENED, "acknowledge", workflow.ACKNOWLEDGED),
]


@pytest.mark.parametrize(("source", "action", "target"), TRANSITIONS)
def test_state_machine(source, action, target):
    assert workflow.next_status(source, action) == target


@pytest.mark.parametrize(
    ("source", "action"),
    [
        (workflow.ACKNOWLEDGED, "acknowledge"),
        (workflow.NEW, "reopen"),
        (workflow.CLOSED, "answer"),
        (workflow.CLOSED, "close"),
    ],
)
def test_state_machine_refuses(source, action):
    with pytest.raises(workflow.TransitionError):
        workflow.next_status(source, action)


def test_working_seconds():
    assert deadlines.working_seconds(oslo(2026, 5, 8, 15, 0), oslo(2026, 5, 11, 9, 0)) == 3600 * 1.5
    assert deadlines.working_seconds(oslo(2026, 5, 11, 9, 0), oslo(2026, 5, 8, 15, 0)) == 0
