"""The demo municipality's inbox: real simulated comments through inbox_ingest, some
answered (in time and late), some overdue; running the set-up again adds nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ordstyrer.demo import DEMO_SLUG, setup_demo
from ordstyrer.inbox.models import InboxItem, Reply

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)


def test_demo_inbox_is_filled_and_idempotent(django_capture_on_commit_callbacks):
    with time_machine.travel(THURSDAY, tick=False):
        setup_demo()
        items = InboxItem.objects.filter(municipality__slug=DEMO_SLUG, listed=True)
        total, replies = items.count(), Reply.objects.count()
        assert total > 50
        assert replies > 10
        overdue = items.filter(open=True, due_at__lt=THURSDAY).exclude(
            category__in=("spam", "hate_speech")
        )
        # Some overdue, as in an inbox in use — not half of it (#15: the start page).
        assert 0 < overdue.count() < total // 5
        assert items.filter(resolution_in_time=True).exists()
        assert items.filter(resolution_in_time=False).exists()
        assert items.filter(written_standard="nn").exists()
        # The history is past: the first deadline sweep mails nothing for it (#15).
        from django.core import mail

        from ordstyrer.inbox.sweeps import deadlines_sweep

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert deadlines_sweep(now=THURSDAY) == 0
        assert not [m for m in mail.outbox if "Frist" in m.subject]
        setup_demo()
        assert items.count() == total and Reply.objects.count() == replies
