"""«Dette venter på deg» judges a channel's review (CH-6) by Oslo's date, not UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ordstyrer.channels.models import ChannelReview
from ordstyrer.web.needs import what_needs_me
from tests.inbox.conftest import make_world

pytestmark = pytest.mark.django_db

# 00:30 on Wednesday 10 June in Oslo is still Tuesday 9 June in UTC.
JUST_AFTER_MIDNIGHT = datetime(2026, 6, 9, 22, 30, tzinfo=UTC)


def test_a_review_due_yesterday_in_oslo_is_late_just_after_midnight():
    """CH-6: a review due 2026-06-09 is late from 00:00 on the 10th, Oslo time, though
    the server's clock (UTC) still says the 9th."""
    world = make_world("s19-needs", "midt-telemark")
    ChannelReview.objects.filter(channel__municipality=world.municipality).delete()
    ChannelReview.objects.create(channel=world.channel, due_on=date(2026, 6, 9))
    needs = what_needs_me(
        user=world.p.employee, municipality=world.municipality, now=JUST_AFTER_MIDNIGHT
    )
    (need,) = [n for n in needs.channels if n.key == f"channel-{world.channel.pk}"]
    assert any("(CH-6)" in reason for reason in need.reasons)
