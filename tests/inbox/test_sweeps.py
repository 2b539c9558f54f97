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
from ordstyrer.inbox.digest import digest_sweep
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


def digest(at: datetime, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return digest_sweep(now=at)


def test_deadlines_are_stamped_once_and_mailed_in_one_daily_digest(
    world, django_capture_on_commit_callbacks
):
    """#15: no e-mail per item; one digest a day per person, from 07:00 Oslo time."""
    item = ingest(world.channel, comment("c1"))
    assert (item.warn_at, item.due_at) == (WARN, DUE)
    item_assign(actor=world.editor, item=item, assignee=world.editor)
    cap = django_capture_on_commit_callbacks
    mail.outbox.clear()
    assert sweep(WARN - timedelta(minutes=1), cap) == 0
    assert sweep(WARN + timedelta(minutes=30), cap) == 1
    assert sweep(WARN + timedelta(minutes=31), cap) == 0
    assert mail.outbox == []  # stamped, not mailed one by one
    assert digest(WARN + timedelta(minutes=30), cap) == 1
    assert recipients() == [world.editor.email]
    body = mail.outbox[0].body
    assert "1 henvendelse nærmer seg fristen:" in body and "5. mai 2026 kl. 11.00" in body
    assert f"/m/{world.municipality.slug}/innboks/{item.pk}/" in body and "http" in body
    assert digest(WARN + timedelta(minutes=40), cap) == 0  # one a day
    mail.outbox.clear()
    assert sweep(DUE + timedelta(minutes=1), cap) == 1
    assert sweep(DUE + timedelta(hours=3), cap) == 0
    assert mail.outbox == []
    # The next morning, 07:05 in Oslo: CH-5 — the main administrator and communications.
    assert digest(datetime(2026, 5, 6, 4, 59, tzinfo=UTC), cap) == 0  # 06:59 Oslo
    assert digest(datetime(2026, 5, 6, 5, 5, tzinfo=UTC), cap) == 2
    assert recipients() == sorted([world.p.employee.email, world.p.communications.email])
    assert all("1 henvendelse har passert fristen:" in m.body for m in mail.outbox)
    assert all("CH-5" in m.body for m in mail.outbox)


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
    assert digest(datetime(2026, 5, 6, 6, 1, tzinfo=UTC), cap) == 2
    assert recipients() == sorted([world.p.employee.email, world.editor.email])


def test_handled_items_get_no_notice(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(WARN - timedelta(minutes=5), tick=False):
        item_set_status(actor=world.editor, item=item, action="close", close_reason="duplicate")
    mail.outbox.clear()
    assert sweep(DUE + timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert digest(DUE + timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
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
    assert InboxItem.objects.filter(overdue_noticed_for=DUE).count() == 12
    # The digest: one e-mail per person (the main administrator and communications) for
    # all twelve, however many workers sweep (#15).
    with time_machine.travel(at, tick=False):
        sent = [digest_sweep(now=at), digest_sweep(now=at)]
    assert sum(sent) == 2 and len(mail.outbox) == 2
    assert all("12 henvendelser har passert fristen:" in m.body for m in mail.outbox)


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
