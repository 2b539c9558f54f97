"""Channels nobody follows up are flagged (CH-5, Gausdal; CH-3 everywhere; CH-6 reviews)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from ordstyrer.channels import selectors
from ordstyrer.channels.selectors import channel_detail_flags, channel_registry
from ordstyrer.tenants.models import RoleAssignment
from ordstyrer.tenants.selectors import policy_for
from tests.channels.conftest import active_channel, propose
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 1)


def flags(channel, today=TODAY):
    policy = policy_for(municipality=channel.municipality)
    return [(f.code, f.rule) for f in channel_detail_flags(channel, policy=policy, today=today)]


@pytest.fixture
def overdue_counts(settings):
    """An overdue counter of the test's own in place of the inbox's (CH-5)."""
    counts: dict[int, int] = {}

    def counter(ids):
        return {i: counts[i] for i in ids if i in counts}

    settings.ORDSTYRER_OVERDUE_COUNTERS = [counter]
    return counts


def test_healthy_channel_has_no_flags():
    p = make_personas("g-ok", "gausdal")
    assert flags(active_channel(p)) == []


@pytest.mark.parametrize(("preset", "rule"), [("gausdal", "CH-5"), ("indre-fosen", "CH-3")])
def test_channel_without_active_main_admin_is_flagged(preset, rule):
    p = make_personas(f"flag-{preset}", preset)
    channel = active_channel(p)
    p.employee.is_active = False
    p.employee.save()
    assert flags(channel) == [("no_main_admin", rule)]


def test_main_admin_who_left_the_municipality_does_not_count():
    p = make_personas("g-left", "gausdal")
    channel = active_channel(p)
    RoleAssignment.objects.filter(user=p.employee, municipality=p.municipality).delete()
    assert flags(channel) == [("no_main_admin", "CH-5")]


def test_overdue_replies_flag_where_ch5_applies(overdue_counts):
    gausdal = make_personas("g-late", "gausdal")
    fosen = make_personas("f-late", "indre-fosen")
    late_g, late_f = active_channel(gausdal), active_channel(fosen)
    assert selectors.overdue_reply_counts([late_g.pk]) == {late_g.pk: 0}
    overdue_counts.update({late_g.pk: 3, late_f.pk: 3})
    assert flags(late_g) == [("overdue", "CH-5")]
    assert flags(late_f) == []  # CH-5 is Gausdal's rule only
    (listed,) = channel_registry(
        municipality=gausdal.municipality,
        policy=policy_for(municipality=gausdal.municipality),
        today=TODAY,
    )
    assert listed.overdue_count == 3 and "3" in str(listed.flags[0].message)


def test_drafts_are_not_flagged():
    p = make_personas("g-draft", "gausdal")
    channel = propose(p, main_admin=None)
    assert flags(channel) == []


def test_late_review_is_flagged_ch6():
    p = make_personas("mt-late", "midt-telemark")
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        channel = active_channel(p)
    assert flags(channel, today=date(2026, 4, 1)) == []
    assert flags(channel, today=date(2026, 4, 2)) == [("review_overdue", "CH-6")]


def test_a_misnamed_overdue_counter_is_refused_by_its_setting(settings):
    settings.ORDSTYRER_OVERDUE_COUNTERS = ["ordstyrer.inbox.selectors.no_such_counter"]
    with pytest.raises(ImproperlyConfigured, match="ORDSTYRER_OVERDUE_COUNTERS"):
        selectors.overdue_reply_counts([1])


def test_the_inbox_counter_is_named_in_settings_not_registered_at_start_up():
    from django.conf import settings

    assert settings.ORDSTYRER_OVERDUE_COUNTERS == ["ordstyrer.inbox.selectors.overdue_counts"]
    assert not hasattr(selectors, "register_overdue_counter")
