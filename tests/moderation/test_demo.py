"""The demo's moderation: one comment hidden, one spam comment deleted on the demo's own
ground — archived first, gone from the simulated page, the author told; idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.demo import DEMO_IDENTITY, DEMO_SLUG, setup_demo
from ordstyrer.moderation.models import ModerationAction, PlatformOp
from ordstyrer.tenants.models import Municipality
from tests.moderation.conftest import on_platform

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)


def test_demo_hides_one_and_deletes_one_spam_comment():
    with time_machine.travel(THURSDAY, tick=False):
        setup_demo()
        demo = Municipality.objects.get(slug=DEMO_SLUG)
        actions = {a.kind: a for a in ModerationAction.objects.filter(municipality=demo)}
        assert set(actions) == {"hide", "delete"}
        hidden, deleted = actions["hide"], actions["delete"]
        assert hidden.status == deleted.status == "done"
        assert deleted.ground == "spam" and deleted.item.category == "spam"
        assert deleted.archive_record.kind == "deleted_comment"
        assert on_platform(deleted.channel, deleted.target_platform_id)["removed"] is True
        assert on_platform(hidden.channel, hidden.target_platform_id)["hidden"] is True
        notice = ArchiveRecord.objects.get(
            municipality=demo,
            kind="journal_outbound",
            refers_to_sequence=deleted.archive_record.sequence,
        )
        assert notice.text == deleted.notice_text and "Grunnen er: spam." in notice.text
        # The demo speaks in its own name and address, never Indre Fosen's (#15).
        assert "Demo kommune" in notice.text
        assert DEMO_IDENTITY["inquiry_email"] in notice.text
        assert "Indre Fosen" not in notice.text and "indrefosen" not in notice.text
        assert deleted.notice_state == "sent"
        assert set(PlatformOp.objects.values_list("status", flat=True)) == {"done"}
        assert verify_chain(demo.pk).ok

        records = ArchiveRecord.objects.count()
        setup_demo()
        assert ModerationAction.objects.filter(municipality=demo).count() == 2
        assert ArchiveRecord.objects.count() == records
