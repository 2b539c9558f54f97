"""Archive-then-delete is crash-safe (MO-2): the process is stopped at every step
boundary — inside the service's transaction, between commit and the task, after a
claim, after the platform call, inside the transaction that records it — and then
"restarted" (the lease runs out, the sweep takes over). Whatever the crash point:
never deleted without a record, never deleted twice, one notice, nothing left hanging,
every attempt recorded. Then: retries with backoff and `retry_after` on the simulated
platform's injected errors, "already gone" is done, a permanent error is recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation import effects, outbox, services
from ordstyrer.moderation.models import (
    ActionStatus,
    AttemptOutcome,
    ModerationAction,
    OpAttempt,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import (
    T0,
    citizen_comment,
    fail_next,
    on_platform,
    platform_events,
    public_notices,
)

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
UNFINISHED = (OpStatus.PENDING, OpStatus.RUNNING, OpStatus.WAITING)


class WorkerDied(Exception):
    """The process stops here (as a SIGKILL would; the lease is left to run out)."""


def page_comments(channel, text: str) -> int:
    with channel_connector(channel) as connector:
        return sum(
            1
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and c["text"] == text
        )


@pytest.fixture(autouse=True)
def _public_notices(request):
    """These tests follow the public notice's steps (capture → delete → notice)."""
    if "world" in request.fixturenames:
        public_notices(request.getfixturevalue("world").municipality)


def assert_never_deleted_without_a_record(channel, item) -> None:
    if on_platform(channel, item.platform_id)["removed"]:
        assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1


def crash_once(monkeypatch, module: Any, name: str, when: Callable[..., bool], check) -> dict:
    original = getattr(module, name)
    state = {"fired": False}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not state["fired"] and when(*args, **kwargs):
            state["fired"] = True
            check()
            raise WorkerDied(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return state


def _op_is(kind: str) -> Callable[..., bool]:
    return lambda op, *args, **kwargs: op.kind == kind


def _kw_kind(kind: str) -> Callable[..., bool]:
    return lambda *args, **kwargs: args[1] == kind if len(args) > 1 else False


# (id, module, function, when) — the process dies when `function` is called and `when`
# holds. Inside `perform` the platform call has not happened (the simulated page's world
# is rolled back with it); `record_success` runs after the platform call returned;
# `effects.*` run inside the transaction that records the outcome.
CRASH_POINTS = [
    ("in-service-transaction", services, "audit", lambda action, verb, **kw: verb == "delete"),
    ("before-capture-call", outbox, "perform", _op_is(OpKind.CAPTURE)),
    ("after-capture-call", outbox, "record_success", _op_is(OpKind.CAPTURE)),
    ("archived-not-committed", effects, "new_op", _kw_kind(OpKind.DELETE)),
    ("before-delete-call", outbox, "perform", _op_is(OpKind.DELETE)),
    ("after-delete-call", outbox, "record_success", _op_is(OpKind.DELETE)),
    ("deleted-not-committed", effects, "_main_done", _op_is(OpKind.DELETE)),
    ("before-notice-call", outbox, "perform", _op_is(OpKind.NOTICE)),
    ("after-notice-call", outbox, "record_success", _op_is(OpKind.NOTICE)),
    ("notice-not-committed", effects, "_notice_sent", _op_is(OpKind.NOTICE)),
]


def settle(clock, capture, *, rounds: int = 12) -> int:
    """Restart: let every lease and backoff run out and run the sweep until nothing is
    left; returns how many sweeps it took."""
    for n in range(rounds):
        unfinished = PlatformOp.objects.filter(status__in=UNFINISHED)
        if not unfinished.exists():
            return n
        times = [op.lease_until or op.next_attempt_at for op in unfinished]
        latest = max((t for t in times if t is not None), default=timezone.now())
        step = max(latest - timezone.now(), outbox.LEASE) + outbox.FIRST_ATTEMPT_GRACE
        clock.shift(step + timedelta(seconds=1))
        with capture(execute=True):
            outbox.outbox_sweep(now=timezone.now())
    raise AssertionError(f"left hanging: {list(PlatformOp.objects.values_list('kind', 'status'))}")


@pytest.mark.parametrize(
    ("point", "module", "name", "when"), CRASH_POINTS, ids=[c[0] for c in CRASH_POINTS]
)
def test_a_crash_at_any_step(
    world, clock, monkeypatch, django_capture_on_commit_callbacks, point, module, name, when
):
    item = citizen_comment(world.channel, SPAM)
    crash = crash_once(
        monkeypatch,
        module,
        name,
        when,
        check=lambda: assert_never_deleted_without_a_record(world.channel, item),
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    except WorkerDied:
        pass
    assert crash["fired"], f"the run never reached {point}"
    assert_never_deleted_without_a_record(world.channel, item)

    if point == "in-service-transaction":  # rolled back: nothing happened at all
        assert not ModerationAction.objects.exists() and not PlatformOp.objects.exists()
        assert not ArchiveRecord.objects.exists()
        assert on_platform(world.channel, item.platform_id)["removed"] is False
        return

    settle(clock, django_capture_on_commit_callbacks)
    action = ModerationAction.objects.get(kind="delete")
    assert action.status == ActionStatus.DONE
    # Archived once, deleted once, told once; nothing left hanging.
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    assert platform_events(world.channel, item.platform_id, "remove") == 1
    assert page_comments(world.channel, action.notice_text) == 1
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1
    assert set(PlatformOp.objects.values_list("status", flat=True)) == {OpStatus.DONE}
    # Every attempt is recorded, the interrupted one as abandoned.
    outcomes = list(OpAttempt.objects.values_list("outcome", flat=True))
    assert AttemptOutcome.ABANDONED in outcomes
    assert not OpAttempt.objects.filter(finished_at__isnull=True).exists()


def test_a_lost_task_is_picked_up_by_the_sweep(world, clock, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    with django_capture_on_commit_callbacks(execute=False):  # committed; the task never ran
        comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    capture = PlatformOp.objects.get()
    assert (capture.kind, capture.status) == (OpKind.CAPTURE, OpStatus.PENDING)
    # The task gets its grace period before the sweep steps in.
    assert outbox.due_ops(now=timezone.now() + timedelta(seconds=30)) == []
    rounds = settle(clock, django_capture_on_commit_callbacks)
    assert rounds >= 1
    assert ModerationAction.objects.get().status == ActionStatus.DONE
    assert platform_events(world.channel, item.platform_id, "remove") == 1
    assert not OpAttempt.objects.filter(outcome=AttemptOutcome.ABANDONED).exists()


def test_running_a_finished_op_again_does_nothing(world, clock, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    attempts = OpAttempt.objects.count()
    for op in PlatformOp.objects.all():
        assert outbox.op_run(op_id=op.pk) == OpStatus.DONE
    assert OpAttempt.objects.count() == attempts
    assert platform_events(world.channel, item.platform_id, "remove") == 1


# --- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "retry_after", "wait"),
    [(1, None, 30), (2, None, 120), (3, None, 600), (1, 300, 300), (2, 60, 120), (9, None, 21600)],
)
def test_backoff(attempts, retry_after, wait):
    assert outbox.backoff(attempts, retry_after) == wait


def test_transient_errors_are_retried_with_backoff_and_retry_after(
    world, clock, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "delete_comment", retry_after=300)  # a throttled platform
    with django_capture_on_commit_callbacks(execute=True):
        action = comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    delete = PlatformOp.objects.get(kind=OpKind.DELETE)
    assert (delete.status, delete.attempts) == (OpStatus.PENDING, 1)
    assert delete.next_attempt_at == T0 + timedelta(seconds=300)  # retry_after > 30 s
    # Archived first, not deleted yet.
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1
    assert on_platform(world.channel, item.platform_id)["removed"] is False

    clock.shift(timedelta(seconds=299))
    assert outbox.outbox_sweep(now=timezone.now()) == 0  # not before the platform said
    fail_next(world.channel, "delete_comment")  # fails once more, no retry_after
    clock.shift(timedelta(seconds=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_sweep(now=timezone.now()) == 1
    delete.refresh_from_db()
    assert delete.attempts == 2 and delete.next_attempt_at == timezone.now() + timedelta(
        seconds=120
    )
    clock.shift(timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_sweep(now=timezone.now())
    delete.refresh_from_db()
    action.refresh_from_db()
    assert delete.status == OpStatus.DONE and action.status == ActionStatus.DONE
    attempts = list(delete.attempts_log.values_list("outcome", "retry_after", "error_code"))
    assert attempts == [
        (AttemptOutcome.TRANSIENT, 300.0, ErrorCode.TRANSIENT),
        (AttemptOutcome.TRANSIENT, None, ErrorCode.TRANSIENT),
        (AttemptOutcome.OK, None, ""),
    ]
    assert platform_events(world.channel, item.platform_id, "remove") == 1
    assert page_comments(world.channel, action.notice_text) == 1


def test_a_comment_already_gone_is_done_and_nobody_is_told(
    world, clock, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    with channel_connector(world.channel) as connector:  # its author removes it meanwhile
        assert connector.delete_comment(item.platform_id) is True
    with django_capture_on_commit_callbacks(execute=True):
        action = comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    delete = PlatformOp.objects.get(kind=OpKind.DELETE)
    assert delete.result == {"changed": False, "gone": True}
    assert delete.attempts_log.get().outcome == AttemptOutcome.GONE
    assert PlatformOp.objects.get(kind=OpKind.NOTICE).status == OpStatus.CANCELLED
    # Archived all the same, from what the inbox held (the platform had nothing to read).
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    body = json.loads(record.canonical)
    assert record.text == SPAM and body["extra"]["capture"] == "inbox"
    assert json.loads(body["raw"])["source"] == "ordstyrer-inbox"
    assert platform_events(world.channel, item.platform_id, "remove") == 1


def test_a_permanent_error_fails_the_deletion_and_says_so_in_the_archive(
    world, clock, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    fail_next(
        world.channel,
        "delete_comment",
        permanent=True,
        code=ErrorCode.PERMISSION,
        message="Siden mangler tillatelsen MODERATE.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED
    assert "MODERATE" in action.error
    assert PlatformOp.objects.get(kind=OpKind.NOTICE).status == OpStatus.CANCELLED
    note = ArchiveRecord.objects.get(kind="moderation_note")
    assert note.text.startswith("Slettingen på plattformen feilet")
    assert note.refers_to_sequence == action.archive_record.sequence
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    assert not outbox.due_ops(now=timezone.now() + timedelta(days=1))


def test_too_many_transient_errors_end_in_failure(world, clock, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    for _ in range(outbox.MAX_ATTEMPTS):
        fail_next(world.channel, "delete_comment")
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    settle(clock, django_capture_on_commit_callbacks, rounds=outbox.MAX_ATTEMPTS + 2)
    delete = PlatformOp.objects.get(kind=OpKind.DELETE)
    assert delete.status == OpStatus.FAILED and delete.attempts == outbox.MAX_ATTEMPTS
    assert delete.attempts_log.count() == outbox.MAX_ATTEMPTS
