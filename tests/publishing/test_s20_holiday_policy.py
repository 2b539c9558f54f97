"""Review s20, PU-10 in a week with a public holiday: the policy read again with the lower
weekly cap took the stored overrides as new ones, so a value saved before its maximum
existed (CH-6's 1000 days, saved before the 730-day bound of s18) raised PolicyError —
a 500 on the console's calendar, a misleading 422 from the API. It is read as stored
values are everywhere else: capped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ordstyrer.publishing.checks import publishing_policy
from ordstyrer.publishing.models import ChannelPublishing
from ordstyrer.tenants.models import PolicyVersion
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

# 17 May 2027 is Constitution Day and Whit Monday: four working days that week.
HOLIDAY_WEEK = datetime(2027, 5, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def mt(db):
    w = make_world("s20helligdag", "midt-telemark")
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True)
    PolicyVersion.objects.create(
        municipality=w.municipality,
        number=1,
        preset=w.municipality.preset,
        overrides={"CH-6": {"review_interval_days": 1000}},
        changed_by=w.p.communications,
        reason="Lagret før grensen fantes",
    )
    return w


def test_pu10_holiday_week_policy_reads_a_legacy_stored_value_capped(mt):
    policy = publishing_policy(mt.municipality, day=HOLIDAY_WEEK)
    assert policy.params("PU-10")["weekly_cap"] == 8  # two per working day, four days
    assert policy.params("CH-6")["review_interval_days"] == 730


def test_pu10_holiday_week_calendar_opens(client, mt):
    client.force_login(mt.editor)
    url = reverse("publishing:calendar", args=[mt.municipality.slug])
    response = client.get(url, {"uke": "2027-05-17"})
    assert response.status_code == 200
    assert client.get(url, {"uke": "2027-05-24"}).status_code == 200  # an ordinary week


def test_pu10_holiday_week_calendar_is_not_an_outsiders(client, mt):
    client.force_login(mt.p.outsider)
    url = reverse("publishing:calendar", args=[mt.municipality.slug])
    assert client.get(url, {"uke": "2027-05-17"}).status_code == 404
