"""Monthly reviews by the main administrator, with reminders (CH-6, Midt-Telemark)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelReview
from ordstyrer.core.errors import NotPermitted, ServiceError
from tests.channels.conftest import active_channel, propose
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

ACTIVATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DUE = date(2026, 4, 1)  # 30 days later (review_interval_days = 30)


@pytest.fixture
def mt(db):
    return make_personas("mt", "midt-telemark")


def test_activation_schedules_the_first_review(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    (review,) = ChannelReview.objects.filter(channel=channel)
    assert review.due_on == DUE and review.completed_at is None


def test_no_reviews_where_the_policy_asks_for_none(personas):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(personas)  # indre-fosen has no CH-6
        assert services.reviews_sweep(now=ACTIVATED + timedelta(days=90)) == 0
    assert not ChannelReview.objects.filter(channel=channel).exists()


def test_reminders_when_due_then_weekly_claimed_once(mt, django_capture_on_commit_callbacks):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    before_due = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    with time_machine.travel(before_due, tick=False):
        assert services.reviews_sweep(now=before_due) == 0
    on_due = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    with time_machine.travel(on_due, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            # Two workers sweep at once: one reminder.
            assert services.reviews_sweep(now=on_due) + services.reviews_sweep(now=on_due) == 1
    assert [m.to for m in mail.outbox] == [[mt.employee.email]]
    assert "CH-6" in mail.outbox[0].body and channel.name in mail.outbox[0].subject
    assert re.search(r"https?://[^/\s]+/m/", mail.outbox[0].body)  # absolute link (#15)
    three_days = on_due + timedelta(days=3)
    with time_machine.travel(three_days, tick=False):
        assert services.reviews_sweep(now=three_days) == 0
    a_week = on_due + timedelta(days=7)
    with time_machine.travel(a_week, tick=False):
        assert services.reviews_sweep(now=a_week) == 1
    review = ChannelReview.objects.get(channel=channel)
    assert review.reminder_count == 2


def test_recording_a_review_schedules_the_next(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
    done_at = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(done_at, tick=False):
        review = services.review_record(
            actor=mt.employee,
            channel=channel,
            answers={"info_current": True, "roles_current": True, "bogus": True},
            notes="Oppdatert åpningstider.",
        )
        assert review.due_on == DUE and review.completed_by == mt.employee
        assert review.answers == {"info_current": True, "roles_current": True}
        assert services.reviews_sweep(now=done_at) == 0
    upcoming = ChannelReview.objects.get(channel=channel, completed_at__isnull=True)
    assert upcoming.due_on == date(2026, 5, 2)


def test_sweep_opens_a_review_for_channels_without_one(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
        ChannelReview.objects.filter(channel=channel).delete()
        services.reviews_sweep(now=ACTIVATED)
    assert ChannelReview.objects.get(channel=channel).due_on == DUE


def test_only_the_main_admin_or_communications_records_reviews(mt):
    with time_machine.travel(ACTIVATED, tick=False):
        channel = active_channel(mt)
        with pytest.raises(NotPermitted):
            services.review_record(actor=mt.unit_leader, channel=channel, answers={})
        services.review_record(actor=mt.communications, channel=channel, answers={})
        draft = propose(mt, name="Utkast")
        with pytest.raises(ServiceError):
            services.review_record(actor=mt.employee, channel=draft, answers={})
