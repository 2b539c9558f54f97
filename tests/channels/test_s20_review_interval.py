"""Review s20, CH-6 (Midt-Telemark's monthly review): a new interval in the policy did not
move the reviews already scheduled. A review due a month after activation stayed due a
month out after the policy said weekly (the sweep looked only at channels without an
open review). The sweep now moves an open review to its channel's last completed review
(or activation) plus the interval in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelReview
from ordstyrer.tenants.services import policy_update
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

ACTIVATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; CH-6 30 days → 1 April


def _interval(p, days: int, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        policy_update(
            actor=p.communications,
            municipality=p.municipality,
            overrides={"CH-6": {"review_interval_days": days}},
            reason="Ny rytme for gjennomgang",
        )


def _sweep(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return services.reviews_sweep(now=when)


def _open(channel) -> ChannelReview:
    return ChannelReview.objects.get(channel=channel, completed_at__isnull=True)


@pytest.fixture
def mt(db):
    return make_personas("s20gjennomgang", "midt-telemark")


def test_ch6_a_shorter_interval_brings_the_open_review_forward_and_it_is_reminded(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    assert _open(channel).due_on == date(2026, 4, 1)

    changed = ACTIVATED + timedelta(days=3)
    _interval(mt, 7, changed)
    assert _sweep(changed) == 0  # moved, not yet due
    assert _open(channel).due_on == date(2026, 3, 9)  # activation + 7
    assert _sweep(changed) == 0 and _open(channel).due_on == date(2026, 3, 9)  # once

    assert _sweep(datetime(2026, 3, 9, 7, 0, tzinfo=UTC)) == 1  # reminded when due


def test_ch6_a_longer_interval_counts_from_the_last_completed_review(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    done = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(done, tick=False):
        services.review_record(actor=mt.employee, channel=channel, answers={})
    due = datetime(2026, 5, 2, 7, 0, tzinfo=UTC)
    assert _open(channel).due_on == date(2026, 5, 2)
    assert _sweep(due) == 1  # reminded on its day

    changed = due + timedelta(days=1)
    _interval(mt, 60, changed)
    _sweep(changed)
    review = _open(channel)
    assert review.due_on == date(2026, 6, 1)  # 2 April + 60 days
    assert review.reminded_at is None  # its reminder is for the new date
    assert _sweep(datetime(2026, 6, 1, 7, 0, tzinfo=UTC)) == 1


def test_ch6_the_interval_set_back_moves_the_review_back(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    _interval(mt, 14, ACTIVATED + timedelta(days=1))
    _sweep(ACTIVATED + timedelta(days=1))
    assert _open(channel).due_on == date(2026, 3, 16)
    _interval(mt, 30, ACTIVATED + timedelta(days=2))
    _sweep(ACTIVATED + timedelta(days=2))
    assert _open(channel).due_on == date(2026, 4, 1)
