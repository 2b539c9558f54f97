"""Writes about work on inbox items: assignment, status, notes, bulk actions (DI-1 … DI-3).

Every service follows the house template: `transaction.atomic` → row lock →
permission (CH-3: only the channel's administrators/editors and communications) →
rows → item event + audit entry in the same transaction → side effects on commit.
Replies are in `replies.py`, referrals and escalation in `referrals.py`, employees'
reports in `reports_unwanted.py`; arrivals in `ingest.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels.models import Channel
from ordstyrer.core.actor import Actor, ActorLike, user_of
from ordstyrer.core.errors import NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.intents import clean_intent_key
from ordstyrer.core.permissions import actor_for
from ordstyrer.inbox.access import may_work, require_work
from ordstyrer.inbox.corrections import item_correct_categories
from ordstyrer.inbox.ingest import inbox_ingest  # noqa: F401  (public API)
from ordstyrer.inbox.models import (
    SYSTEM_CLOSE_REASONS,
    BulkIntent,
    CloseReason,
    InboxItem,
    Reply,
)
from ordstyrer.inbox.transitions import lock_item, log_event, policy_state, transition
from ordstyrer.tenants.models import Municipality

# Status changes a person may make without a reply (a reply makes them itself).
STATUS_ACTIONS = ("acknowledge", "answer", "close", "reopen")
MAX_NOTE = 5000


def _clean(text: Any, limit: int = MAX_NOTE) -> str:
    return str(text or "").strip()[:limit]


def item_assign(*, actor: ActorLike, item: InboxItem, assignee: ActorLike = None) -> InboxItem:
    """Assign the item to a person, or (None) back to the channel's administrators.

    The assignee must be able to reply on the channel (CH-3); an `Actor` (the person
    acting, "assign to me") is checked on the roles it holds, a bare user looked up."""
    now = timezone.now()
    person_assigned = user_of(assignee)
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if person_assigned is not None and not may_work(assignee, item.channel):
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("%(name)s er ikke administrator eller redaktør for kanalen."),
                    {"name": person_assigned.get_full_name() or person_assigned.username},
                ),
                rule="CH-3",
            )
        if item.assignee_id == getattr(person_assigned, "pk", None):
            return item
        previous = item.assignee_id
        item.assignee = person_assigned
        # A new assignee gets their own reminder (DI-1).
        item.warned_for = None
        item.save(update_fields=["assignee", "warned_for"])
        log_event(
            item,
            action="assign",
            actor=actor,
            now=now,
            data={"from": previous, "to": getattr(person_assigned, "pk", None)},
        )
    return item


def item_set_status(
    *, actor: ActorLike, item: InboxItem, action: str, note: str = "", close_reason: str = ""
) -> InboxItem:
    """Acknowledge, mark answered (e.g. answered by phone), close or reopen an item.

    Closing needs a reason a person may give: "author removed" and "channel retired" are
    the system's (`SYSTEM_CLOSE_REASONS`)."""
    if action not in STATUS_ACTIONS:
        raise ValueError(f"unknown status action {action!r}")
    if action == "close":
        if close_reason not in CloseReason.values or close_reason in SYSTEM_CLOSE_REASONS:
            raise ServiceError(gettext_lazy("Velg hvorfor henvendelsen lukkes."))
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if not item.listed:
            raise ServiceError(
                gettext_lazy("Dette er en del av en annen samtale; endre den i stedet.")
            )
        _policy, targets, version = policy_state(item.municipality)
        transition(
            item,
            action=action,
            actor=actor,
            now=now,
            targets=targets,
            version=version,
            note=_clean(note),
            close_reason=close_reason,
        )
    return item


def item_note(*, actor: ActorLike, item: InboxItem, text: str) -> InboxItem:
    """An internal note on the item (never sent to the citizen)."""
    text = _clean(text)
    if not text:
        raise ServiceError(gettext_lazy("Notatet er tomt."))
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        log_event(item, action="note", actor=actor, now=timezone.now(), text=text)
    return item


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


# "spam": an editor's category for a wave of scam comments (`corrections`, issue #16).
BULK_ACTIONS = ("assign_me", "assign_admins", "acknowledge", "close", "spam")


def items_bulk(
    *,
    actor: ActorLike,
    municipality: Municipality,
    item_ids: Iterable[int],
    action: str,
    close_reason: str = "",
    intent_key: str = "",
) -> BulkResult:
    """Apply one action to many items; each is checked and written on its own, so one
    refusal (another channel, a wrong status) does not stop the rest.

    The same form posted again (`intent_key`, the same action on the same items: a
    double click, Back + submit) returns the first result instead of acting again."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    # The roles once for every item (the console's `request.actor` is this already).
    actor = actor_for(actor, municipality)
    if not actor.roles:
        raise NotPermitted(gettext_lazy("Du har ikke tilgang."))
    ids = sorted({int(i) for i in item_ids})[:500]
    key = _bulk_key(clean_intent_key(intent_key), action, ids, close_reason)
    if key:
        first = BulkIntent.objects.filter(municipality=municipality, key=key).first()
        if first is not None:
            return _bulk_result(first.result)
    result = _bulk(actor, municipality, ids, action, close_reason)
    if key:
        try:
            with transaction.atomic():
                BulkIntent.objects.create(
                    municipality=municipality,
                    key=key,
                    result={"done": result.done, "refused": result.refused},
                    created_at=timezone.now(),
                )
        except IntegrityError:  # a concurrent post of the same form: its result stands
            first = BulkIntent.objects.get(municipality=municipality, key=key)
            return _bulk_result(first.result)
    return result


def _bulk_key(intent_key: str, action: str, ids: list[int], close_reason: str) -> str:
    if not intent_key:
        return ""
    asked = hashlib.sha256(f"{action}|{close_reason}|{ids}".encode()).hexdigest()[:32]
    return f"{intent_key}:{asked}"


def _bulk_result(stored: dict[str, Any]) -> BulkResult:
    refused = {int(pk): str(text) for pk, text in (stored.get("refused") or {}).items()}
    return BulkResult(done=[int(pk) for pk in stored.get("done") or []], refused=refused)


def _bulk(
    actor: Actor, municipality: Municipality, ids: list[int], action: str, close_reason: str
) -> BulkResult:
    result = BulkResult()
    items = InboxItem.objects.filter(municipality=municipality, pk__in=ids).select_related(
        "channel__municipality"
    )
    for item in items:
        try:
            if action == "assign_me":
                item_assign(actor=actor, item=item, assignee=actor)
            elif action == "assign_admins":
                item_assign(actor=actor, item=item, assignee=None)
            elif action == "spam":
                item_correct_categories(actor=actor, item=item, labels=["spam"])
            else:
                item_set_status(actor=actor, item=item, action=action, close_reason=close_reason)
        except ServiceError as exc:
            result.refused[item.pk] = str(exc.message)
        except NotPermitted as exc:
            result.refused[item.pk] = str(exc)
        else:
            result.done.append(item.pk)
    return result


# --- a retired channel (CH-1, CH-3) ----------------------------------------------------------


def channel_inbox_settle(*, channel: Channel, actor: ActorLike, now: datetime, reason: str) -> int:
    """Settle the inbox of a channel that is being retired: nothing more is said on it in
    the municipality's name, so nobody owes its citizens an answer there any longer.

    Called by `channels.services.channel_retire` inside its transaction, after its
    permission check (the retirement is the decision; the items follow it). Replies not
    yet sent are withdrawn (`replies.reply_withdraw`: the item goes back as it was), then
    every open item is closed, with the retirement and its reason in the item's timeline
    and audit entry. Nothing is deleted: the items, their versions, replies and events
    stay on record (AR-3). Returns how many items were closed."""
    from ordstyrer.inbox.replies import PENDING, reply_withdraw

    note = _("Kanalen «%(name)s» er avviklet: %(reason)s") % {
        "name": channel.name,
        "reason": reason,
    }
    for reply in Reply.objects.filter(item__channel=channel, status__in=PENDING).order_by("pk"):
        reply_withdraw(reply, actor=actor, now=now, note=note)
    state = policy_state(channel.municipality)
    open_ids = InboxItem.objects.filter(channel=channel, open=True, listed=True).values_list(
        "pk", flat=True
    )
    return sum(
        settle_retired_item(pk, actor=actor, now=now, note=note, state=state)
        for pk in list(open_ids.order_by("pk"))
    )


def settle_retired_item(
    item_id: int, *, actor: ActorLike, now: datetime, note: str, state: Any = None
) -> bool:
    """Close one open item of a retired channel (inside the caller's transaction), as
    `channel_inbox_settle` does; False when it is no longer open. `state` is
    `policy_state(municipality)` when the caller has read it already."""
    item = lock_item(item_id)
    if not item.open or not item.listed:
        return False
    _policy, targets, version = state or policy_state(item.municipality)
    transition(
        item,
        action="close",
        actor=actor,
        now=now,
        targets=targets,
        version=version,
        note=note,
        # The system's reason, not "no reply needed": nobody decided that, and the
        # report does not count the close as an answer (DI-1, docs/inbox.md#reports).
        close_reason=CloseReason.CHANNEL_RETIRED,
        data={"channel_retired": True},
    )
    return True
