"""Writes about work on inbox items: assignment, status, notes, bulk actions (DI-1 … DI-3).

Every service follows the house template: `transaction.atomic` → row lock →
permission (CH-3: only the channel's administrators/editors and communications) →
rows → item event + audit entry in the same transaction → side effects on commit.
Replies are in `replies.py`, referrals and escalation in `referrals.py`, employees'
reports in `reports_unwanted.py`; arrivals in `ingest.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.core.errors import AccessDenied, ServiceError
from ordstyrer.core.permissions import roles_in
from ordstyrer.core.services import person
from ordstyrer.inbox.access import may_work, require_work
from ordstyrer.inbox.ingest import inbox_ingest  # noqa: F401  (public API)
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.transitions import lock_item, log_event, policy_state, transition
from ordstyrer.tenants.models import Municipality

# Status changes a person may make without a reply (a reply makes them itself).
STATUS_ACTIONS = ("acknowledge", "answer", "close", "reopen")
MAX_NOTE = 5000


def _clean(text: Any, limit: int = MAX_NOTE) -> str:
    return str(text or "").strip()[:limit]


def item_assign(*, actor: Any, item: InboxItem, assignee: Any = None) -> InboxItem:
    """Assign the item to a person, or (None) back to the channel's administrators.

    The assignee must be able to reply on the channel (CH-3)."""
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if assignee is not None and not may_work(assignee, item.channel):
            raise ServiceError(
                _("%(name)s er ikke administrator eller redaktør for kanalen.")
                % {"name": assignee.get_full_name() or assignee.username},
                rule="CH-3",
            )
        if item.assignee_id == getattr(assignee, "pk", None):
            return item
        previous = item.assignee_id
        item.assignee = assignee
        # A new assignee gets their own reminder (DI-1).
        item.warned_for = None
        item.save(update_fields=["assignee", "warned_for"])
        log_event(
            item,
            action="assign",
            actor=actor,
            now=now,
            data={"from": previous, "to": getattr(assignee, "pk", None)},
        )
    return item


def item_set_status(
    *, actor: Any, item: InboxItem, action: str, note: str = "", close_reason: str = ""
) -> InboxItem:
    """Acknowledge, mark answered (e.g. answered by phone), close or reopen an item.

    Closing needs a reason; "author removed" is the system's, not a person's."""
    if action not in STATUS_ACTIONS:
        raise ValueError(f"unknown status action {action!r}")
    if action == "close":
        if close_reason not in CloseReason.values or close_reason == CloseReason.AUTHOR_REMOVED:
            raise ServiceError(_("Velg hvorfor henvendelsen lukkes."))
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if not item.listed:
            raise ServiceError(_("Dette er en del av en annen samtale; endre den i stedet."))
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


def item_note(*, actor: Any, item: InboxItem, text: str) -> InboxItem:
    """An internal note on the item (never sent to the citizen)."""
    text = _clean(text)
    if not text:
        raise ServiceError(_("Notatet er tomt."))
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        log_event(item, action="note", actor=actor, now=timezone.now(), text=text)
    return item


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


BULK_ACTIONS = ("assign_me", "assign_admins", "acknowledge", "close")


def items_bulk(
    *,
    actor: Any,
    municipality: Municipality,
    item_ids: Iterable[int],
    action: str,
    close_reason: str = "",
) -> BulkResult:
    """Apply one action to many items; each is checked and written on its own, so one
    refusal (another channel, a wrong status) does not stop the rest."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    if not roles_in(actor, municipality):
        raise AccessDenied(_("Du har ikke tilgang."))
    result = BulkResult()
    ids = sorted({int(i) for i in item_ids})[:500]
    items = InboxItem.objects.filter(municipality=municipality, pk__in=ids).select_related(
        "channel__municipality"
    )
    for item in items:
        try:
            if action == "assign_me":
                item_assign(actor=actor, item=item, assignee=person(actor))
            elif action == "assign_admins":
                item_assign(actor=actor, item=item, assignee=None)
            else:
                item_set_status(actor=actor, item=item, action=action, close_reason=close_reason)
        except ServiceError as exc:
            result.refused[item.pk] = str(exc.message)
        except AccessDenied as exc:
            result.refused[item.pk] = str(exc)
        else:
            result.done.append(item.pk)
    return result
