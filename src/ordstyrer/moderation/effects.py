"""What a finished outbox op changes on our side, inside the transaction that records it.

- `capture` done: the archive record of the deletion (MO-2) and the `delete` row (and
  the notice waiting for it) — one transaction, so no deletion without its record;
- `hide` / `unhide` / `delete` / `block` / `unblock` done: the action is done, the
  inbox item shows it, and the notice waiting for it may go;
- `notice` / `private` done: the notice as sent is archived as an outgoing document
  (U, MO-4) and its state is `sent`; failed for good, its state is `failed` (shown on
  the item, the log and the start page, with retry and alternatives) — the action
  itself stays done, and a deletion waiting for a private notice goes on;
- a step failed for good: the action is failed, what waited is cancelled, and the
  archive gets a note (X) that the platform did not do it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ordstyrer.archive.services import archive_append
from ordstyrer.core.permissions import roles_in
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.actions import NOTICE_KINDS, enqueue, log_item, new_op, queue_notice
from ordstyrer.moderation.capture import deletion_entry, failure_note, notice_entry
from ordstyrer.moderation.models import (
    ActionStatus,
    ModerationAction,
    NoticeState,
    NoticeVia,
    OpKind,
    OpStatus,
    PlatformOp,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _lock(op: PlatformOp) -> tuple[ModerationAction, InboxItem]:
    action = (
        ModerationAction.objects.select_for_update(of=("self",))
        .select_related("requested_by", "approved_by", "archive_record")
        .get(pk=op.action_id)
    )
    item = InboxItem.objects.select_related("channel__municipality", "municipality").get(
        pk=action.item_id
    )
    return action, item


def _member(person: User | None, item: InboxItem) -> User | None:
    """The person as the archive's actor, if still a member (else the system)."""
    if person is not None and roles_in(person, item.municipality):
        return person
    return None


def succeeded(op: PlatformOp, *, now: datetime) -> None:
    action, item = _lock(op)
    if op.kind == OpKind.CAPTURE:
        _archive_then_delete(op, action, item, now=now)
    elif op.kind in NOTICE_KINDS:
        _notice_sent(op, action, item, now=now)
    else:
        _main_done(op, action, item, now=now)


def _archive_then_delete(
    op: PlatformOp, action: ModerationAction, item: InboxItem, *, now: datetime
) -> None:
    result = op.result or {}
    captured = None if {"gone", "unsupported", "unreadable"} & set(result) else result
    actor = _member(action.approved_by or action.requested_by, item)
    record = archive_append(
        actor=actor,
        entry=deletion_entry(action=action, item=item, captured=captured, now=now),
        now=now,
    )
    action.archive_record = record
    action.save(update_fields=["archive_record"])
    private = action.notify and action.notice_via == NoticeVia.PRIVATE_REPLY
    if private and "gone" in result:
        # Gone before we deleted it (its author removed it): nothing to tell (MO-4).
        new_op(action, OpKind.DELETE, now=now, target=item.platform_id)
        return
    if private:
        # A private reply needs the comment: it goes first, and the deletion waits for
        # it (and goes on whether it arrives or fails).
        notice = queue_notice(action, item, now=now, private=True)
        new_op(action, OpKind.DELETE, now=now, target=item.platform_id, after=notice)
        return
    delete = new_op(action, OpKind.DELETE, now=now, target=item.platform_id)
    if action.notify:
        queue_notice(action, item, now=now, private=False, after=delete)


def _main_done(op: PlatformOp, action: ModerationAction, item: InboxItem, *, now: datetime) -> None:
    items = InboxItem.objects.filter(pk=item.pk)
    if op.kind == OpKind.HIDE:
        items.update(hidden=True)
    elif op.kind == OpKind.UNHIDE:
        items.update(hidden=False)
    elif op.kind == OpKind.DELETE:
        # Set before the platform's "remove" event arrives, so the inbox does not take
        # it for the author's own removal.
        items.filter(removed_at__isnull=True).update(removed_at=now)
    if action.status == ActionStatus.QUEUED:
        action.status, action.finished_at, action.error = ActionStatus.DONE, now, ""
        action.save(update_fields=["status", "finished_at", "error"])
    result = op.result or {}
    if op.kind == OpKind.DELETE and result.get("gone") and not result.get("after_crash"):
        # Gone before we deleted it (its author removed it): we deleted nothing, so there
        # is nothing to tell (MO-4). After a crash it may have been our own deletion.
        cancelled = PlatformOp.objects.filter(after=op, status=OpStatus.WAITING).update(
            status=OpStatus.CANCELLED,
            done_at=now,
            last_error=_("Kommentaren var borte før kommunen slettet den; ingen beskjed sendt."),
        )
        if cancelled and action.notice_state == NoticeState.QUEUED:
            action.notice_state, action.notice_updated_at = "", now
            action.save(update_fields=["notice_state", "notice_updated_at"])
    _release_waiting(op, now=now)
    log_item(
        item,
        "mod_platform_done",
        actor=None,
        now=now,
        text=op.get_kind_display(),
        data={"action_id": action.pk, "op": op.kind, "already": bool(result.get("gone"))},
    )


def _release_waiting(op: PlatformOp, *, now: datetime) -> None:
    """The steps that waited for `op` may run now."""
    for waiting in PlatformOp.objects.filter(after=op, status=OpStatus.WAITING):
        PlatformOp.objects.filter(pk=waiting.pk, status=OpStatus.WAITING).update(
            status=OpStatus.PENDING, next_attempt_at=now
        )
        enqueue(waiting)


def _notice_sent(
    op: PlatformOp, action: ModerationAction, item: InboxItem, *, now: datetime
) -> None:
    platform_id = str((op.result or {}).get("platform_id") or "")
    action.notice_state, action.notice_error, action.notice_updated_at = NoticeState.SENT, "", now
    action.notice_via = (
        NoticeVia.PRIVATE_REPLY if op.kind == OpKind.PRIVATE_NOTICE else NoticeVia.PUBLIC_REPLY
    )
    action.save(update_fields=["notice_state", "notice_error", "notice_updated_at", "notice_via"])
    _release_waiting(op, now=now)
    archive_append(
        actor=None,
        entry=notice_entry(
            action=action,
            item=item,
            platform_id=platform_id,
            sent_at=now,
            refers_to=action.archive_record,
        ),
        now=now,
    )
    log_item(
        item,
        "mod_notice",
        actor=None,
        now=now,
        text=action.notice_text,
        data={"action_id": action.pk, "platform_id": platform_id},
    )
    _crisis_log_notice(action, item, now=now)


def _crisis_log_notice(action: ModerationAction, item: InboxItem, *, now: datetime) -> None:
    """PU-12: every outgoing word during a crisis is in the crisis log. A notice is the
    municipality's standard MO-4 text, so it is logged, not held for approval."""
    from ordstyrer.crisis.selectors import active_crisis
    from ordstyrer.crisis.services import crisis_log_write

    crisis = active_crisis(municipality=item.channel.municipality)
    if crisis is not None:
        crisis_log_write(
            crisis=crisis,
            kind="notice_sent",
            text=action.notice_text,
            channel=item.channel,
            object_kind="moderation_action",
            object_id=action.pk,
            actor=None,
            now=now,
        )


def failed(op: PlatformOp, *, error: str, now: datetime) -> None:
    action, item = _lock(op)
    if op.kind not in NOTICE_KINDS:
        action.status, action.error, action.finished_at = ActionStatus.FAILED, error, now
        action.save(update_fields=["status", "error", "finished_at"])
        PlatformOp.objects.filter(after=op, status=OpStatus.WAITING).update(
            status=OpStatus.CANCELLED, done_at=now
        )
    else:
        # MO-4: the author was not told. Visible with retry and alternatives; the
        # deletion or ban itself stands (and a deletion waiting for it goes on).
        action.notice_state, action.notice_error = NoticeState.FAILED, error
        action.notice_updated_at = now
        action.save(update_fields=["notice_state", "notice_error", "notice_updated_at"])
        _release_waiting(op, now=now)
    if action.archive_record_id is not None and op.kind in (
        OpKind.DELETE,
        OpKind.BLOCK,
        *NOTICE_KINDS,
    ):
        archive_append(
            actor=None,
            entry=failure_note(
                action=action,
                item=item,
                step="notice" if op.kind in NOTICE_KINDS else op.kind,
                error=error,
                refers_to=action.archive_record,
            ),
            now=now,
        )
    log_item(
        item,
        "mod_platform_failed",
        actor=None,
        now=now,
        text=error,
        data={"action_id": action.pk, "op": op.kind},
    )
