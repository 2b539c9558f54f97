"""What a finished outbox op changes on our side, inside the transaction that records it.

- `capture` done: the archive record of the deletion (MO-2) and the rows after it —
  `delete` (then a public `notice`), or `hide` → `private` → `delete` when the notice
  is a private reply, which needs the comment to exist (meta-graph-api §1.4; the
  Graph stand-in and the simulated page refuse one to a deleted comment) — in one
  transaction, so no deletion without its record;
- `hide` / `unhide` / `delete` / `block` / `unblock` done: the inbox item shows it (a
  hidden state with when the platform confirmed it, so that older platform events do
  not undo it), the action is done when its own step is (a deletion's `hide` is not
  its end), and what waited for the step may go; a `delete` done also closes the
  other citizens' replies that waited under the comment, which the platform took with
  it (`CloseReason.PARENT_REMOVED`, DI-1), and archives a note (X) of when the comment
  left the platform, referring to the deletion's record (MO-2: `capture.deleted_note`);
- during a crisis that holds replies, a deletion's notice is public, after the delete
  (the outbox holds it for the crisis leader, `crisis_notices`; PU-12);
- `notice` / `private` done: the notice as sent is archived as an outgoing document
  (U, MO-4) and its state is `sent`; failed for good, its state is `failed` (shown on
  the item, the log and the start page, with retry and alternatives) — the action
  itself stays done, and a deletion waiting for a private notice goes on;
- a step failed for good: the action is failed, every step still waiting is
  cancelled, the archive gets a note (X) that the platform did not do it, and a
  deletion's inbox item is opened again, back in the work list.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.archive.services import archive_append
from ordstyrer.core.permissions import roles_in
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.transitions import lock_item, policy_state, transition
from ordstyrer.moderation.actions import (
    MAIN_OPS,
    NOTICE_KINDS,
    enqueue,
    log_item,
    new_op,
    queue_notice,
)
from ordstyrer.moderation.capture import (
    deleted_note,
    deletion_entry,
    failure_note,
    notice_entry,
)
from ordstyrer.moderation.crisis_notices import deletion_notice_public
from ordstyrer.moderation.models import (
    ActionKind,
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


# Steps that have not started: waiting for the one before, or held for the crisis
# leader (a notice, PU-12); and a notice's states before it is sent.
NOT_YET = (OpStatus.WAITING, OpStatus.HELD)
UNSENT = (NoticeState.QUEUED, NoticeState.AWAITING_CRISIS_APPROVAL)


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
    if action.notify and _told_before(action, item, now=now):
        # A deletion tried again after one that failed on the platform: its notice
        # reached the author then, and the platform refuses a second private reply.
        new_op(action, OpKind.DELETE, now=now, target=item.platform_id)
        return
    private = action.notify and action.notice_via == NoticeVia.PRIVATE_REPLY
    if private and "gone" in result:
        # Gone before we deleted it (its author removed it): nothing to tell (MO-4).
        new_op(action, OpKind.DELETE, now=now, target=item.platform_id)
        return
    if private and deletion_notice_public(item):
        # PU-12: the notice waits for the crisis leader, the deletion does not — and a
        # private reply needs the comment, so the author is told publicly, without the
        # name, after the deletion (held by the outbox until approved: `crisis_notices`).
        _public_in_crisis(action, item)
        private = False
    if private:
        # A private reply needs the comment, so it goes before the delete. The comment
        # is hidden first: the public no longer sees it once the author is told, and a
        # hide that succeeds shows the page may moderate before anything is said. The
        # deletion waits for the notice (and goes on whether it arrives or fails).
        hide = new_op(action, OpKind.HIDE, now=now, target=item.platform_id)
        notice = queue_notice(action, item, now=now, private=True, after=hide)
        new_op(action, OpKind.DELETE, now=now, target=item.platform_id, after=notice)
        return
    delete = new_op(action, OpKind.DELETE, now=now, target=item.platform_id)
    if action.notify:
        queue_notice(action, item, now=now, private=False, after=delete)


def _public_in_crisis(action: ModerationAction, item: InboxItem) -> None:
    """The deletion's notice as a public comment on the post (MO-4, #15: no name)."""
    from ordstyrer.moderation.actions import settings_for
    from ordstyrer.moderation.services import notice_for
    from ordstyrer.tenants.selectors import policy_for

    notice = notice_for(
        kind=action.kind,
        item=item,
        ground=action.ground,
        policy=policy_for(municipality=item.municipality),
        settings=settings_for(item.municipality),
        private=False,
    )
    action.notice_text, action.notice_language = notice.text, notice.language
    action.notice_via = NoticeVia.PUBLIC_REPLY
    action.notice_note = _(
        "Offentlig fordi kommunen er i krisemodus: beskjeden venter på godkjenning fra "
        "kriselederen, og kommentaren slettes før det. En privat melding krever at "
        "kommentaren finnes."
    )
    action.save(update_fields=["notice_text", "notice_language", "notice_via", "notice_note"])


def _told_before(action: ModerationAction, item: InboxItem, *, now: datetime) -> bool:
    """Whether an earlier deletion of this comment, failed on the platform, told its
    author already; if so this action takes over that notice (what was sent, how and
    when: its U record stays the one in the archive)."""
    earlier = (
        ModerationAction.objects.filter(
            item_id=item.pk,
            kind=ActionKind.DELETE,
            status=ActionStatus.FAILED,
            notice_state__in=(NoticeState.SENT, NoticeState.DELIVERED_BY_HAND),
        )
        .exclude(pk=action.pk)
        .order_by("-pk")
        .first()
    )
    if earlier is None:
        return False
    action.notice_state, action.notice_via = earlier.notice_state, earlier.notice_via
    action.notice_text, action.notice_language = earlier.notice_text, earlier.notice_language
    action.notice_error, action.notice_updated_at = "", earlier.notice_updated_at or now
    action.save(
        update_fields=[
            "notice_state",
            "notice_via",
            "notice_text",
            "notice_language",
            "notice_error",
            "notice_updated_at",
        ]
    )
    return True


def _main_done(op: PlatformOp, action: ModerationAction, item: InboxItem, *, now: datetime) -> None:
    items = InboxItem.objects.filter(pk=item.pk)
    if op.kind in (OpKind.HIDE, OpKind.UNHIDE):
        # The municipality's own hide/unhide is the latest hidden state known once the
        # platform has confirmed it (MO-1): a platform event received before then (a
        # webhook retried late, a poll that read the comment before the call) is older
        # and must not undo it. `inbox.ingest._hidden_is_newer` compares an event's
        # receipt time with `hidden_seen_at`; it is stamped when the answer is in, not
        # with `now` (when the op was claimed, or the sweep began: before the call).
        items.update(hidden=op.kind == OpKind.HIDE, hidden_seen_at=max(now, timezone.now()))
    elif op.kind == OpKind.DELETE:
        # Set before the platform's "remove" event arrives, so the inbox does not take
        # it for the author's own removal.
        items.filter(removed_at__isnull=True).update(removed_at=now)
        _close_replies_under(item, action=action, now=now)
        if action.archive_record_id is not None:
            # MO-2 "when it was removed": the deletion's record was archived before the
            # platform was asked and never changes (AR-3); this note says when it left.
            archive_append(
                actor=None,
                entry=deleted_note(
                    action=action,
                    item=item,
                    deleted_at=now,
                    already_gone=bool((op.result or {}).get("gone")),
                    refers_to=action.archive_record,
                ),
                now=now,
            )
    if action.status == ActionStatus.QUEUED and op.kind == MAIN_OPS.get(ActionKind(action.kind)):
        action.status, action.finished_at, action.error = ActionStatus.DONE, now, ""
        action.save(update_fields=["status", "finished_at", "error"])
    result = op.result or {}
    # Gone before we deleted it (its author removed it): we deleted nothing, so there is
    # nothing to tell (MO-4). On a retry — after a crash, or after a try whose answer was
    # lost (a timeout, a 502, a network error: `attempts > 1`, as `outbox._retried` reads
    # it for notices) — a gone delete may have been our own earlier try's deletion, so
    # the author is still told; a hide never removes anything.
    if (
        op.kind in (OpKind.DELETE, OpKind.HIDE)
        and result.get("gone")
        and (op.kind == OpKind.HIDE or not (result.get("after_crash") or op.attempts > 1))
    ):
        for notice in PlatformOp.objects.filter(
            after=op, status__in=NOT_YET, kind__in=NOTICE_KINDS
        ):
            PlatformOp.objects.filter(pk=notice.pk).update(
                status=OpStatus.CANCELLED,
                done_at=now,
                last_error=_(
                    "Kommentaren var borte før kommunen slettet den; ingen beskjed sendt."
                ),
            )
            _release_waiting(notice, now=now)  # the delete: it finds it gone, and is done
            if action.notice_state in UNSENT:
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


def _close_replies_under(item: InboxItem, *, action: ModerationAction, now: datetime) -> None:
    """The comment is deleted on the platform, which takes the replies under it with it,
    silently: the open replies under it are closed as `parent_removed`, without
    deadlines, as when its author removes it (`inbox.ingest.close_replies_under`, DI-1)."""
    from ordstyrer.inbox.ingest import close_replies_under

    close_replies_under(item, now=now, data={"action_id": action.pk})


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
    """PU-12: every outgoing word during a crisis is in the crisis log — in the crisis
    that held the notice for the crisis leader (`crisis_notices`), though it has ended
    since, or else the active one (where replies, and so notices, go through)."""
    from ordstyrer.crisis.selectors import active_crisis
    from ordstyrer.crisis.services import crisis_log_write

    crisis = action.notice_crisis or active_crisis(municipality=item.channel.municipality)
    if crisis is not None:
        crisis_log_write(
            crisis=crisis,
            kind="notice_sent",
            text=action.notice_text,
            channel=item.channel,
            object_kind="moderation_action",
            object_id=action.pk,
            actor=action.notice_crisis_approved_by,
            now=now,
        )


def failed(op: PlatformOp, *, error: str, now: datetime) -> None:
    action, item = _lock(op)
    if op.kind not in NOTICE_KINDS:
        action.status, action.error, action.finished_at = ActionStatus.FAILED, error, now
        action.save(update_fields=["status", "error", "finished_at"])
        # Every later step waits, directly or through another (hide → notice → delete),
        # or is held for the crisis leader (a notice, PU-12).
        cancelled = PlatformOp.objects.filter(action=action, status__in=NOT_YET).update(
            status=OpStatus.CANCELLED, done_at=now
        )
        if cancelled and action.notice_state in UNSENT:
            action.notice_state, action.notice_updated_at = "", now  # never sent
            action.save(update_fields=["notice_state", "notice_updated_at"])
    else:
        # MO-4: the author was not told. Visible with retry and alternatives; the
        # deletion or ban itself stands (and a deletion waiting for it goes on).
        action.notice_state, action.notice_error = NoticeState.FAILED, error
        action.notice_updated_at = now
        action.save(update_fields=["notice_state", "notice_error", "notice_updated_at"])
        _release_waiting(op, now=now)
    if action.archive_record_id is not None and (
        op.kind in (OpKind.DELETE, OpKind.BLOCK, *NOTICE_KINDS)
        or (op.kind == OpKind.HIDE and action.kind == ActionKind.DELETE)
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
    if action.kind == ActionKind.DELETE and op.kind not in NOTICE_KINDS:
        _reopen_after_failed_deletion(item, error=error, now=now)


def _reopen_after_failed_deletion(item: InboxItem, *, error: str, now: datetime) -> None:
    """The comment is still on the platform: its item, closed as moderated when the
    deletion was decided, goes back to the work list for someone to act on it."""
    item = lock_item(item)
    if item.open or item.close_reason != CloseReason.MODERATED or not item.listed:
        return
    _policy, targets, version = policy_state(item.municipality)
    transition(
        item,
        action="reopen",
        actor=None,
        now=now,
        targets=targets,
        version=version,
        note=_(
            "Slettingen feilet på plattformen, så kommentaren er ikke slettet, og saken er "
            "åpnet igjen: %(error)s"
        )
        % {"error": error},
    )
