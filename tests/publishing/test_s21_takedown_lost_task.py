"""PU-6 / MO-4: a take-down whose task was lost is run by the publishing sweep (s21).

A take-down is decided in a request (`media.post_take_down`): the copies are claimed and
a task queued on commit deletes each. A worker that died after the request committed,
before it took the task, left the copy published and claimed, and nothing looked at it
again: the publishing sweep ran only take-downs waiting for the authors' notices (their
row's `next_attempt_at`), and the console offered «try again» once the claim was 15
minutes old. Now the decision makes the copy due at once, as a release makes a delivery
due: the task or the publishing sweep (`take_down_due`, the sweep that picks up lost
deliveries; no new sweep) runs it, claimed compare-and-set on that time, never both. A
run that dies midway holds the copy for `STALE_CLAIM`, the bound a delivery in flight
gets (`retry_due`), and is run again after it. A replayed task deletes nothing twice
and tells nobody twice.

Set-up: the Graph stand-in and the helpers of `test_s20_takedown_notices`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.core.models import AuditEntry
from ordstyrer.core.worker import registered_sweeps
from ordstyrer.moderation.models import ModerationAction, NoticeState, OpStatus, PlatformOp
from ordstyrer.moderation.outbox import op_run
from ordstyrer.moderation.sweeps import sweep_outbox
from ordstyrer.publishing import delivery, tasks
from ordstyrer.publishing.models import DeliveryStatus
from ordstyrer.publishing.sweeps import publishing_sweep
from tests.publishing.test_s20_takedown_notices import (
    _about,
    _comment,
    _published,
    _still_on_platform,
    _take_down,
)

pytestmark = pytest.mark.django_db

SWEEP_ROUND = timedelta(seconds=20)  # `publishing.sweeps.SWEEPS`: every 20 s


def _deletes(c, row) -> int:
    """How many times the platform was asked to delete this copy."""
    return sum(
        1
        for method, path in c.fake.store.requests
        if method == "DELETE" and path.rstrip("/").endswith(row.platform_id)
    )


def _lost_take_down(client, c, post, capture):
    """The take-down committed; the worker died before it took any task (notices and
    deletions alike): the on-commit callbacks are dropped."""
    with capture(execute=False) as queued:
        _take_down(client, c, post)
    assert queued
    row = post.deliveries.get(channel=c.facebook)
    assert row.status == DeliveryStatus.PUBLISHED and row.claimed_at is not None
    return row


def test_there_is_one_publishing_sweep():
    """One sweep picks up what publishing's lost tasks left behind: no new one."""
    names = [s.name for s in registered_sweeps()]
    assert [n for n in names if "publishing" in n or "take" in n] == ["publishing"]


def test_a_take_down_whose_task_was_lost_is_run_by_the_publishing_sweep_once(
    connected, client, django_capture_on_commit_callbacks
):
    """PU-6: the next round of the publishing sweep deletes the copy, well before the
    console's 15 minutes; the task turning up afterwards (the worker back, its queue
    kept) deletes nothing again, and neither does the sweep's next round."""
    c = connected
    post = _published(c)
    row = _lost_take_down(client, c, post, django_capture_on_commit_callbacks)
    decided = row.claimed_at
    assert _still_on_platform(c, row)

    publishing_sweep(now=decided + SWEEP_ROUND)
    assert not _still_on_platform(c, row)
    assert _deletes(c, row) == 1
    fb = post.deliveries.get(channel=c.facebook)
    assert fb.status == DeliveryStatus.QUEUED and fb.platform_id == ""
    # Instagram's API cannot delete: the editor is asked to, as when the task ran.
    ig = post.deliveries.get(channel=c.instagram)
    assert ig.status == DeliveryStatus.PUBLISHED and "direkte i appen" in ig.error
    assert ig.claimed_at is None and ig.next_attempt_at is None

    # The lost task is not lost after all: it finds nothing to do.
    assert tasks.post_take_down.call(post_channel_id=row.pk) == "nothing"
    assert tasks.post_take_down.call(post_channel_id=ig.pk) == "nothing"
    assert delivery.take_down_due(now=decided + delivery.STALE_CLAIM * 2) == 0
    assert _deletes(c, row) == 1
    assert AuditEntry.objects.filter(action="post_taken_down").count() == 1


def test_the_authors_are_told_once_and_the_copy_deleted_once_after_a_lost_worker(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4 with the tasks lost: the sweep's take-down waits for the notice the
    moderation sweep sends (its own lost task), then deletes; the notice's and the
    take-down's tasks replayed afterwards send and delete nothing twice."""
    c = connected
    post = _published(c)
    item = _comment(
        c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
    )
    row = _lost_take_down(client, c, post, django_capture_on_commit_callbacks)
    decided = row.claimed_at

    # The first round: the notice has not gone, so the take-down waits (MO-4).
    publishing_sweep(now=decided + SWEEP_ROUND)
    assert _still_on_platform(c, row)
    row.refresh_from_db()
    assert "Venter på at forfatterne" in row.error
    # The moderation sweep sends the notice whose task was lost.
    assert sweep_outbox(now=decided + timedelta(minutes=2)) == 1
    assert set(c.fake.store.private_replies) == {item.platform_id}
    # The next round deletes: inside ten minutes of the decision, not after fifteen.
    publishing_sweep(now=decided + timedelta(minutes=2) + delivery.NOTICE_RECHECK)
    assert not _still_on_platform(c, row)

    # Replays: the notice's op and the take-down's task.
    op = PlatformOp.objects.get(action__item=item)
    assert op_run(op_id=op.pk) == OpStatus.DONE
    assert tasks.post_take_down.call(post_channel_id=row.pk) == "nothing"
    publishing_sweep(now=decided + delivery.STALE_CLAIM * 2)
    assert len(c.fake.store.private_replies) == 1
    assert _deletes(c, row) == 1
    action = ModerationAction.objects.get(item=item, kind="with_post")
    assert action.notice_state == NoticeState.SENT
    assert [r.direction for r in _about(item)] == ["U"]  # told, once
    assert AuditEntry.objects.filter(action="post_take_down").count() == 1


def test_a_take_down_whose_run_died_midway_is_run_again_after_the_stale_claim_bound(
    connected, client, django_capture_on_commit_callbacks, monkeypatch
):
    """A run that dies after the platform deleted the copy, before it was recorded (the
    worker killed): the copy is held while another run may be under way — the task
    replayed and the sweep leave it — and run again once `STALE_CLAIM` has passed, as a
    delivery in flight is; the platform has it no more, so it counts as taken down."""
    c = connected
    post = _published(c)
    row = _lost_take_down(client, c, post, django_capture_on_commit_callbacks)
    decided = row.claimed_at
    real = delivery.mark_taken_down

    def died(*args, **kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(delivery, "mark_taken_down", died)
    started = decided + SWEEP_ROUND
    publishing_sweep(now=started)
    assert not _still_on_platform(c, row)  # deleted, but not recorded
    fb = post.deliveries.get(channel=c.facebook)
    assert fb.status == DeliveryStatus.PUBLISHED and fb.platform_id == row.platform_id
    monkeypatch.setattr(delivery, "mark_taken_down", real)

    # Held: no second run while the first may still be going.
    assert tasks.post_take_down.call(post_channel_id=row.pk) == "nothing"
    assert delivery.take_down_due(now=started + delivery.STALE_CLAIM - timedelta(seconds=1)) == 0
    assert _deletes(c, row) == 1

    assert delivery.take_down_due(now=started + delivery.STALE_CLAIM) == 1
    fb.refresh_from_db()
    assert fb.status == DeliveryStatus.QUEUED and fb.platform_id == ""
    assert AuditEntry.objects.filter(action="post_taken_down").count() == 1
