"""Hide, unhide and delete comments with a ground the municipality allows (MO-1 … MO-6).

Every service follows the house template: `transaction.atomic` → the item's row lock →
permission (`access.require_moderate` / `require_remove`: the channel's administrators
and communications, MO-5 where the preset says so) → the policy's grounds → rows → the
item's timeline and the audit log → platform calls queued in the outbox, run after
commit (`outbox.py`). Nothing here calls a platform.

Hiding is the first step: reversible, no ground needed. Deleting needs a ground from
`policy.grounds()` and a short justification; the municipality may demand a second
approver (`ModerationSettings.second_approver`), and the comment is hidden while it
waits. A deletion is archived before it leaves the platform (MO-2): the outbox first
reads the comment from the platform, then writes the archive record and the deletion's
outbox row in one transaction. Bans are in `bans.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.archive.services import archive_append
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import Conflict, ServiceError
from ordstyrer.core.intents import Replayed, clean_intent_key, first_on_replay
from ordstyrer.core.services import person
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.transitions import lock_item, policy_state, transition
from ordstyrer.inbox.workflow import OPEN
from ordstyrer.moderation.access import require_moderate, require_remove
from ordstyrer.moderation.actions import (
    audit,
    guard_item,
    intent_action,
    log_item,
    new_action,
    new_op,
    notice_route,
    open_action,
    private_reply_too_late,
    removal_checked,
    require_person,
    settings_for,
)
from ordstyrer.moderation.capture import hidden_entry
from ordstyrer.moderation.grounds import (
    clean_justification,
    ground_label,
    require_ground,
)
from ordstyrer.moderation.models import (
    ActionKind,
    ActionStatus,
    ModerationAction,
    NoticeVia,
    OpKind,
)
from ordstyrer.moderation.notices import Notice, render_notice, render_with_post_notice
from ordstyrer.tenants.selectors import policy_for

MAX_NOTE = 2000


def _note(text: Any) -> str:
    return " ".join(str(text or "").split())[:MAX_NOTE]


def wants_notice(settings: Any, policy: Any, notify: bool | None) -> bool:
    """MO-4 (Indre Fosen): the author is always told. Elsewhere the municipality's
    setting decides, and a moderator may leave it out for one action."""
    if policy.applies("MO-4"):
        return True
    return settings.notify_author if notify is None else bool(notify and settings.notify_author)


def set_notice(
    action: ModerationAction,
    item: InboxItem,
    policy: Any,
    settings: Any,
    *,
    now: datetime | None = None,
) -> bool:
    """Write the notice the author will get (MO-4) on the action; False if it cannot be
    delivered on the platform (no private replies and no post to comment on).

    Private first where the platform allows it, the comment is within the platform's
    window for a private reply (7 days) and the municipality has not chosen public only;
    a public notice never names the person (#15). Public because the comment is too old:
    the action's `notice_note` says so."""
    private, why_public = notice_route(item, settings, now=now or timezone.now())
    if not private and not item.post_id:
        return False
    notice = notice_for(
        kind=action.kind,
        item=item,
        ground=action.ground,
        policy=policy,
        settings=settings,
        private=private,
    )
    action.notify = True
    action.notice_language = notice.language
    action.notice_text = notice.text
    action.notice_via = NoticeVia.PRIVATE_REPLY if private else NoticeVia.PUBLIC_REPLY
    action.notice_note = why_public
    return True


# The notice fields `set_notice` writes.
NOTICE_FIELDS = ["notify", "notice_language", "notice_text", "notice_via", "notice_note"]


def notice_for(
    *, kind: str, item: InboxItem, ground: str, policy: Any, settings: Any, private: bool
) -> Notice:
    """The notice text (MO-4) in the municipality's own name, its website from `policy`
    (`policy_for`: the identity's) and its complaint address; the person's first name
    only in a private message."""
    if kind == ActionKind.WITH_POST:  # gone with the municipality's own post (PU-6)
        return render_with_post_notice(
            policy=policy,
            written_standard=item.written_standard,
            channel_name=item.channel.name,
            municipality_name=item.municipality.name,
            complaint_address=getattr(settings, "complaint_address", ""),
        )
    return render_notice(
        kind="delete" if kind == ActionKind.DELETE else "ban",
        policy=policy,
        ground=ground,
        written_standard=item.written_standard,
        author_name=item.author_name if private else "",
        channel_name=item.channel.name,
        municipality_name=item.municipality.name,
        complaint_address=getattr(settings, "complaint_address", ""),
    )


# --- hide / unhide ---------------------------------------------------------------------------


def comment_hide(
    *,
    actor: ActorLike,
    item: InboxItem,
    ground: str = "",
    justification: str = "",
    intent_key: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Hide a comment on the platform (reversible; the default first step).

    With a `ground` (one of the municipality's) the hidden comment is also archived as
    documented (MO-6), which lets communications prepare a police package (MO-3). A
    replayed `intent_key` returns the first action."""
    now = now or timezone.now()
    justification = _note(justification)
    intent_key = clean_intent_key(intent_key)
    try:
        with transaction.atomic():
            item = lock_item(item)
            require_moderate(actor, item.channel)
            require_person(actor, _("skjule kommentarer her"))
            if (first := intent_action(item, intent_key)) is not None:
                return first
            return _hide(
                item,
                actor=actor,
                ground=ground,
                justification=justification,
                now=now,
                intent_key=intent_key,
            )
    except Replayed as replay:
        return replay.first  # type: ignore[return-value]


def hide_by_rule(*, item: InboxItem, rule: str, now: datetime) -> ModerationAction:
    """An automatic rule hides a comment (`auto.py`); the system is the actor."""
    with transaction.atomic():
        item = lock_item(item)
        return _hide(item, actor=None, ground="", justification=rule, now=now, rule=rule)


def _hide(
    item: InboxItem,
    *,
    actor: ActorLike,
    ground: str,
    justification: str,
    now: datetime,
    rule: str = "",
    intent_key: str = "",
) -> ModerationAction:
    guard_item(item)
    if item.hidden or open_action(item, ActionKind.HIDE) is not None:
        raise Conflict(gettext_lazy("Kommentaren er allerede skjult."), code="already")
    policy = policy_for(municipality=item.municipality)
    if ground:
        require_ground(policy, ground, what=_("arkivere skjulte kommentarer med grunnlag"))
    action = new_action(
        item=item,
        kind=ActionKind.HIDE,
        status=ActionStatus.QUEUED,
        actor=actor,
        now=now,
        ground=ground,
        justification=justification,
        automatic=bool(rule),
        rule=rule,
        intent_key=intent_key,
    )
    if ground:
        action.archive_record = archive_append(
            actor=user_of(actor), entry=hidden_entry(action=action, item=item, now=now), now=now
        )
        action.save(update_fields=["archive_record"])
    new_op(action, OpKind.HIDE, now=now, target=item.platform_id)
    log_item(
        item,
        "mod_hide",
        actor=actor,
        now=now,
        text=justification,
        data={"action_id": action.pk, "ground": ground, "rule": rule},
    )
    audit(action, "hide", actor=actor, rule=rule)
    return action


def comment_unhide(
    *,
    actor: ActorLike,
    item: InboxItem,
    justification: str = "",
    intent_key: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Show a hidden comment again (a replayed `intent_key` returns the first action)."""
    now = now or timezone.now()
    justification = _note(justification)
    intent_key = clean_intent_key(intent_key)
    return _unhide(item, actor=actor, justification=justification, intent_key=intent_key, now=now)


@first_on_replay
def _unhide(
    item: InboxItem, *, actor: ActorLike, justification: str, intent_key: str, now: datetime
) -> ModerationAction:
    with transaction.atomic():
        item = lock_item(item)
        require_moderate(actor, item.channel)
        require_person(actor, _("vise kommentarer igjen"))
        if (first := intent_action(item, intent_key)) is not None:
            return first
        guard_item(item)
        if open_action(item, ActionKind.HIDE) is not None:
            # A state the request cannot change, not a bad request (API 409).
            raise Conflict(
                gettext_lazy("Skjulingen er ikke ferdig ennå; prøv igjen om litt."),
                code="hide_running",
            )
        if not item.hidden:
            raise Conflict(gettext_lazy("Kommentaren er ikke skjult."), code="already")
        if open_action(item, ActionKind.DELETE) is not None:
            raise Conflict(
                gettext_lazy("Kommentaren er under sletting og vises ikke igjen."), code="deleting"
            )
        action = new_action(
            item=item,
            kind=ActionKind.UNHIDE,
            status=ActionStatus.QUEUED,
            actor=actor,
            now=now,
            justification=justification,
            intent_key=intent_key,
        )
        new_op(action, OpKind.UNHIDE, now=now, target=item.platform_id)
        log_item(
            item,
            "mod_unhide",
            actor=actor,
            now=now,
            text=justification,
            data={"action_id": action.pk},
        )
        audit(action, "unhide", actor=actor)
    return action


# --- delete ----------------------------------------------------------------------------------


def comment_delete(
    *,
    actor: ActorLike,
    item: InboxItem,
    ground: str,
    justification: str,
    notify: bool | None = None,
    intent_key: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Delete a comment on one of the municipality's grounds (MO-1), archived first (MO-2).

    Refused without a person, without an allowed ground (in the guideline's own
    words), without a justification, or under MO-5 when the actor is not the main
    administrator or communications. With a second approver required, the comment is
    hidden and the deletion waits (`deletion_approve`); otherwise the outbox starts at
    once. The author is told why (MO-4) once the comment is archived and gone from
    public view: a public notice after the delete, a private reply (which needs the
    comment) after a hide and before the delete (`effects`). A replayed `intent_key`
    (a double click, Back + submit) returns the first action."""
    now = now or timezone.now()
    require_person(actor, _("slette kommentarer"))
    justification = clean_justification(justification)
    intent_key = clean_intent_key(intent_key)
    return _delete(
        item,
        actor=actor,
        ground=ground,
        justification=justification,
        notify=notify,
        intent_key=intent_key,
        now=now,
    )


@first_on_replay
def _delete(
    item: InboxItem,
    *,
    actor: ActorLike,
    ground: str,
    justification: str,
    notify: bool | None,
    intent_key: str,
    now: datetime,
) -> ModerationAction:
    with transaction.atomic():
        item = lock_item(item)
        policy = removal_checked(
            item, actor=actor, ground=ground, intent_key=intent_key, what=_("slette kommentarer")
        )
        guard_item(item)
        settings = settings_for(item.municipality)
        waits = settings.second_approver
        action = new_action(
            item=item,
            kind=ActionKind.DELETE,
            status=ActionStatus.PENDING_APPROVAL if waits else ActionStatus.QUEUED,
            actor=actor,
            now=now,
            ground=ground,
            justification=justification,
            intent_key=intent_key,
        )
        # A private message to the author, or a comment on the post (a reply under a
        # deleted comment would go with it), which needs the post.
        if wants_notice(settings, policy, notify) and set_notice(
            action, item, policy, settings, now=now
        ):
            action.save(update_fields=NOTICE_FIELDS)
        if waits:
            if not item.hidden and open_action(item, ActionKind.HIDE) is None:
                _hide(
                    item,
                    actor=actor,
                    ground="",
                    now=now,
                    justification=_("Skjult mens slettingen venter på godkjenning."),
                )
            log_item(
                item,
                "mod_delete_requested",
                actor=actor,
                now=now,
                text=justification,
                data={"action_id": action.pk, "ground": ground},
            )
            audit(action, "delete_requested", actor=actor)
        else:
            action.approved_by, action.approved_at = person(actor), now
            action.save(update_fields=["approved_by", "approved_at"])
            _start_deletion(action, item, actor=actor, now=now)
    return action


def _start_deletion(
    action: ModerationAction, item: InboxItem, *, actor: ActorLike, now: datetime
) -> None:
    """The decision is final: read the comment from the platform, then archive and delete
    it (`outbox`), and close the inbox item as moderated."""
    new_op(action, OpKind.CAPTURE, now=now, target=item.platform_id)
    if item.status in OPEN and item.listed:
        _policy, targets, version = policy_state(item.municipality)
        transition(
            item,
            action="close",
            actor=actor,
            now=now,
            targets=targets,
            version=version,
            close_reason=CloseReason.MODERATED,
            note=_("Slettes: %(ground)s") % {"ground": ground_label(action.ground)},
        )
    log_item(
        item,
        "mod_delete",
        actor=actor,
        now=now,
        text=action.justification,
        data={
            "action_id": action.pk,
            "ground": action.ground,
            "approved_by": getattr(action.approved_by, "pk", None),
        },
    )
    audit(action, "delete", actor=actor, requested_by=action.requested_by_id)


def _lock_action(action: ModerationAction | int) -> ModerationAction:
    pk = action.pk if isinstance(action, ModerationAction) else action
    return (
        ModerationAction.objects.select_for_update(of=("self",))
        .select_related("requested_by", "municipality")
        .get(pk=pk)
    )


def approval_guard(action: ModerationAction, item: InboxItem, *, me_id: int, policy: Any) -> None:
    """Raise unless the person `me_id` may approve `action` now (after `require_remove`):
    a deletion waiting for approval, asked for by someone else, on a ground the policy
    still allows, of a comment still there. Shared with the approval's confirmation
    page (`preview.approval_preview`), so nobody confirms what would be refused."""
    if action.kind != ActionKind.DELETE or action.status != ActionStatus.PENDING_APPROVAL:
        raise Conflict(gettext_lazy("Denne slettingen venter ikke på godkjenning."), code="state")
    if action.requested_by_id == me_id:
        raise Conflict(
            gettext_lazy("En annen person enn den som foreslo slettingen, må godkjenne den."),
            code="same_person",
        )
    # The policy may have changed while the deletion waited.
    require_ground(policy, action.ground, what=_("slette kommentarer"))
    guard_item(item)


def deletion_approve(
    *, actor: ActorLike, action: ModerationAction, now: datetime | None = None
) -> ModerationAction:
    """The second approver confirms a deletion: another person who may delete (MO-1)."""
    now = now or timezone.now()
    me = require_person(actor, _("godkjenne sletting"))
    with transaction.atomic():
        item = lock_item(action.item_id)
        action = _lock_action(action)
        policy = policy_for(municipality=item.municipality)
        require_remove(actor, item.channel, policy)
        if action.approved_by_id == me.pk and action.requested_by_id != me.pk:
            return action  # the same approval posted twice: the first one stands
        approval_guard(action, item, me_id=me.pk, policy=policy)
        if (
            action.notify
            and action.notice_via == NoticeVia.PRIVATE_REPLY
            and private_reply_too_late(item, now=now)
            and set_notice(action, item, policy, settings_for(item.municipality), now=now)
        ):
            # MO-4: the private reply's window closed while the deletion waited.
            action.save(update_fields=NOTICE_FIELDS)
        action.status = ActionStatus.QUEUED
        action.approved_by, action.approved_at = person(actor), now
        action.save(update_fields=["status", "approved_by", "approved_at"])
        _start_deletion(action, item, actor=actor, now=now)
    return action


def deletion_reject(
    *, actor: ActorLike, action: ModerationAction, reason: str, now: datetime | None = None
) -> ModerationAction:
    """Turn down (or, for the one who asked, withdraw) a deletion waiting for approval.
    The comment stays hidden; show it again with `comment_unhide` if it should be."""
    now = now or timezone.now()
    reason = _note(reason)
    if not reason:
        raise ServiceError(gettext_lazy("Skriv hvorfor slettingen avvises."))
    with transaction.atomic():
        item = lock_item(action.item_id)
        action = _lock_action(action)
        require_moderate(actor, item.channel)
        me = user_of(actor)  # a person: require_moderate refuses the system
        if (
            action.status == ActionStatus.REJECTED
            and me is not None
            and action.rejected_by_id == me.pk
        ):
            return action  # the same rejection posted twice: the first one stands
        if action.kind != ActionKind.DELETE or action.status != ActionStatus.PENDING_APPROVAL:
            raise Conflict(
                gettext_lazy("Denne slettingen venter ikke på godkjenning."), code="state"
            )
        action.status = ActionStatus.REJECTED
        action.rejected_by, action.rejection_reason, action.finished_at = person(actor), reason, now
        action.save(update_fields=["status", "rejected_by", "rejection_reason", "finished_at"])
        log_item(
            item,
            "mod_delete_rejected",
            actor=actor,
            now=now,
            text=reason,
            data={"action_id": action.pk},
        )
        audit(action, "delete_rejected", actor=actor, reason=reason)
    return action
