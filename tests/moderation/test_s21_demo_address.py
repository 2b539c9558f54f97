"""The demo's deletion notice tells the author to complain to the demo's own address for
formal inquiries (`ordstyrer.demo.DEMO_IDENTITY`, DI-7), not an address of another
domain (MO-4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ordstyrer.demo import DEMO_IDENTITY, DEMO_SLUG, setup_demo
from ordstyrer.moderation.demo import setup_demo_moderation
from ordstyrer.moderation.models import ModerationAction, ModerationSettings
from ordstyrer.tenants.models import Municipality

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
# What demos made before were given (a `.example` address, not the demo's own).
EARLIER_COMPLAINT_ADDRESS = "postmottak@demo.kommune.example"


def test_the_demos_deletion_notice_sends_complaints_to_its_own_inquiry_address():
    """DI-7, MO-4: the address is the demo identity's (`.invalid`), not another one."""
    address = DEMO_IDENTITY["inquiry_email"]
    with time_machine.travel(THURSDAY, tick=False):
        setup_demo()
        demo = Municipality.objects.get(slug=DEMO_SLUG)
        deleted = ModerationAction.objects.get(municipality=demo, kind="delete")
        assert address in deleted.notice_text
        assert EARLIER_COMPLAINT_ADDRESS not in deleted.notice_text
        assert ModerationSettings.objects.get(municipality=demo).complaint_address == address

        # A demo made before this fix has the earlier address: the next set-up gives it
        # the demo's own.
        ModerationSettings.objects.filter(municipality=demo).update(
            complaint_address=EARLIER_COMPLAINT_ADDRESS
        )
        setup_demo_moderation(demo, complaint_address=address)
        assert ModerationSettings.objects.get(municipality=demo).complaint_address == address
        # One a person chose in the console stays.
        ModerationSettings.objects.filter(municipality=demo).update(
            complaint_address="klage@demo.kommune.invalid"
        )
        setup_demo_moderation(demo, complaint_address=address)
        assert (
            ModerationSettings.objects.get(municipality=demo).complaint_address
            == "klage@demo.kommune.invalid"
        )
