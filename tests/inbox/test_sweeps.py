"""The deadline sweep (DI-1, CH-5): reminders before, notices after, never twice; the
policy sweep recomputes open deadlines when the policy changes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from ordstyrer.channels.selectors import channel_detail_flags, overdue_reply_counts
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.services import item_assign, item_set_status
from ordstyrer.inbox.sweeps import deadlines_sweep, policy_sweep
from ordstyrer.tenants.selectors import policy_for
from ordstyrer.tenants.services import policy_update
from tests.inbox.conftest import TUESDAY, comment, ingest, make_world

# Indre Fosen: received Tuesday 09:00 Oslo → first response due 11:00, reminder at 10:00.
WARN = datetime(2026, 5, 5, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)


def sweep(at: datetime, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return deadlines_sweep(now=at)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminder_before_and_notice_after_each_once(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    assert (item.warn_at, item.due_at) == (WARN, DUE)
    item_assign(actor=world.editor, item=item, assignee=world.editor)
    cap = django_capture_on_commit_callbacks
    assert sweep(WARN - timedelta(minutes=1), cap) == 0
    assert sweep(WARN + timedelta(minutes=30), cap) == 1
    assert recipients() == [world.editor.email]
    assert "må besvares innen 05.05.2026 kl. 11:00" in mail.outbox[0].body
    assert sweep(WARN + timedelta(minutes=31), cap) == 0
    mail.outbox.clear()
    assert sweep(DUE + timedelta(minutes=1), cap) == 1
    # CH-5: the channel's main administrator and communications.
    assert recipients() == sorted([world.p.employee.email, world.p.communications.email])
    assert "CH-5" in mail.outbox[0].body
    assert sweep(DUE + timedelta(minutes=2), cap) == 0
    assert sweep(DUE + timedelta(hours=3), cap) == 0


def test_a_new_deadline_gets_its_own_notices(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    cap = django_capture_on_commit_callbacks
    assert sweep(DUE + timedelta(minutes=1), cap) == 1  # first response overdue
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        item_set_status(actor=world.editor, item=item, action="acknowledge")
    item.refresh_from_db()
    assert item.due_at == item.resolution_due == datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
    mail.outbox.clear()
    # Unassigned: the reminder goes to the channel's administrators and editors.
    assert sweep(datetime(2026, 5, 6, 6, 1, tzinfo=UTC), cap) == 1
    assert recipients() == sorted([world.p.employee.email, world.editor.email])


def test_handled_items_get_no_notice(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(WARN - timedelta(minutes=5), tick=False):
        item_set_status(actor=world.editor, item=item, action="close", close_reason="duplicate")
    assert sweep(DUE + timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_a_double_notice():
    """Two workers sweep at the same moment: threads on PostgreSQL (row locks decide),
    two runs in a row on SQLite (one writer at a time). Every item gets one notice."""
    world = make_world("parby")
    for n in range(12):
        ingest(world.channel, comment(f"c{n}", author=f"user-{n}"))
    mail.outbox.clear()  # the channels' approval e-mails
    at = DUE + timedelta(minutes=1)
    claimed: list[int] = []
    with time_machine.travel(at, tick=False):
        if connection.vendor == "postgresql":
            barrier = threading.Barrier(2)

            def worker() -> None:
                from django.db import connection as own

                try:
                    barrier.wait()
                    claimed.append(deadlines_sweep(now=at))
                finally:
                    own.close()

            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            claimed += [deadlines_sweep(now=at), deadlines_sweep(now=at)]
    assert sum(claimed) == 12 and len(claimed) == 2
    per_item = 2  # the main administrator and communications
    assert len(mail.outbox) == 12 * per_item
    assert len({(m.to[0], m.body) for m in mail.outbox}) == 12 * per_item
    assert InboxItem.objects.filter(overdue_noticed_for=DUE).count() == 12


def test_overdue_items_feed_the_ch5_flag(db):
    world = make_world("flagby", "gausdal")  # CH-5 is Gausdal's
    ingest(world.channel, comment("c1"))
    due = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)  # ett døgn in working time
    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert overdue_reply_counts([world.channel.pk]) == {world.channel.pk: 0}
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert overdue_reply_counts([world.channel.pk, world.other_channel.pk]) == {
            world.channel.pk: 1,
            world.other_channel.pk: 0,
        }
        flags = channel_detail_flags(
            world.channel, policy=policy_for(municipality=world.municipality), today=due.date()
        )
    assert [(f.code, f.rule) for f in flags] == [("overdue", "CH-5")]


def test_policy_change_recomputes_open_deadlines(world):
    open_item = ingest(world.channel, comment("c1"))
    done = ingest(world.channel, comment("c2", author="user-2"))
    with time_machine.travel(TUESDAY + timedelta(minutes=10), tick=False):
        item_set_status(actor=world.editor, item=done, action="answer")
    done.refresh_from_db()
    before = (done.first_response_due, done.resolution_due)
    assert open_item.first_response_due == DUE
    policy_update(
        actor=world.p.communications,
        municipality=world.municipality,
        overrides={"DI-1": {"first_response_hours": 4.0}},
        reason="Vi trenger mer tid til første svar.",
    )
    assert policy_sweep(now=TUESDAY) == 1
    assert policy_sweep(now=TUESDAY) == 0  # claimed once
    open_item.refresh_from_db()
    done.refresh_from_db()
    assert open_item.first_response_due == DUE + timedelta(hours=2)
    assert open_item.due_at == open_item.first_response_due
    assert open_item.deadline_policy_version == 1
    assert (done.first_response_due, done.resolution_due) == before
    new = ingest(world.channel, comment("c3", author="user-3"))
    assert new.first_response_due == DUE + timedelta(hours=2)
