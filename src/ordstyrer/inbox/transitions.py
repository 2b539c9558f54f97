"""The one place an inbox item changes status: guard, stamp the clocks, log, audit.

Callers hold `transaction.atomic` and a row lock (`lock_item`) and have checked
permission (or are the system: ingestion, sweeps); this module does the rest of the
service template for a transition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.services import person
from ordstyrer.inbox import deadlines, workflow
from ordstyrer.inbox.models import CloseReason, InboxItem, ItemEvent, ItemStatus
from ordstyrer.inbox.selectors import NO_ANSWER_CATEGORIES
from ordstyrer.worktime import DEFAULT, WorkCalendar

# Closes by the system that answer nobody: they stamp no response time (DI-1).
NOT_AN_ANSWER = (
    CloseReason.AUTHOR_REMOVED,
    CloseReason.CHANNEL_RETIRED,
    CloseReason.PARENT_REMOVED,
)
# Closes that leave no deadline at all (DI-1): a reply under a comment that is gone (the
# platform took it with the comment, `moderation.effects._close_replies_under`) cannot
# be answered where it was written, as one closed on arrival (`ingest._create`) has none.
NO_DEADLINE = (CloseReason.PARENT_REMOVED,)
CLOCK_FIELDS = (
    "first_response_due",
    "resolution_due",
    "due_at",
    "warn_at",
    "deadline_policy_version",
)


def calendar_for(municipality: Any) -> WorkCalendar:
    """The municipality's working-time calendar. Every municipality uses the default
    Norwegian calendar (docs/worktime.md) until calendars become a policy setting."""
    return DEFAULT


def lock_item(item: InboxItem | int) -> InboxItem:
    pk = item.pk if isinstance(item, InboxItem) else item
    return (
        InboxItem.objects.select_for_update(of=("self",))
        .select_related("municipality", "channel__municipality", "channel__unit", "assignee")
        .get(pk=pk)
    )


def set_deadlines(
    item: InboxItem, *, targets: deadlines.Targets, calendar: WorkCalendar, version: int
) -> None:
    """(Re)compute the item's deadlines from its clock starts (no save)."""
    if item.started_at is None or not item.listed or item.from_page:
        return
    computed = deadlines.compute(
        status=item.status,
        started_at=item.started_at,
        resolution_started_at=item.resolution_started_at,
        first_responded=item.first_responded_at is not None,
        targets=targets,
        calendar=calendar,
    )
    item.first_response_due = computed.first_response_due
    item.resolution_due = computed.resolution_due
    item.due_at = computed.due_at
    item.warn_at = computed.warn_at
    item.deadline_policy_version = version


def policy_state(municipality: Any) -> tuple[Any, deadlines.Targets, int]:
    """The municipality's effective policy, its response targets and version number."""
    from ordstyrer.tenants.selectors import policy_for, policy_version_current

    current = policy_version_current(municipality=municipality)
    policy = policy_for(municipality=municipality)
    return policy, deadlines.Targets.of(policy), current.number if current else 0


def status_label(status: str) -> str:
    try:
        return str(ItemStatus(status).label)
    except ValueError:
        return status


def guard(item: InboxItem, action: str) -> str:
    try:
        return workflow.next_status(item.status, action)
    except workflow.TransitionError:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Dette kan ikke gjøres når henvendelsen har status «%(status)s»."),
                {"status": status_label(item.status)},
            ),
            code="invalid_state",
        ) from None


def _late(due: datetime | None, now: datetime) -> bool:
    return due is not None and now > due


def _stop_clocks(
    item: InboxItem, *, target: str, now: datetime, close_reason: str, cal: Any
) -> None:
    # The system's closes answer nobody (DI-1): an author's removal, and a reply closed
    # because the comment it is under was deleted (its figures stay as they were, as on
    # arrival), are not judged; a retired channel's item is late if it had already
    # waited past its deadline, and otherwise not judged. None gets working seconds: no
    # response time exists.
    # Spam, hate speech and hidden items are moderated, not answered (selectors.NOT_WAITING,
    # #15), and so is whatever a person closes «Moderert» (a deletion): their times are
    # stamped, but they are not judged and get no working seconds, as while they wait.
    moderated = (
        item.category in NO_ANSWER_CATEGORIES
        or item.hidden
        or close_reason == CloseReason.MODERATED
    )
    counts = close_reason not in NOT_AN_ANSWER and not moderated
    judged_late = close_reason == CloseReason.CHANNEL_RETIRED and not moderated
    if item.first_responded_at is None:
        item.first_responded_at = now
        if counts and item.started_at is not None and item.first_response_due is not None:
            item.first_response_seconds = deadlines.working_seconds(item.started_at, now, cal)
            item.first_response_in_time = now <= item.first_response_due
        elif judged_late and _late(item.first_response_due, now):
            item.first_response_in_time = False
    if target in workflow.RESOLVED and item.resolved_at is None:
        item.resolved_at = now
        start = item.resolution_started_at or item.started_at
        # DI-1 judges the first resolution: a reopened item keeps its figures, so a late
        # answer is never turned into "in time, 0 h" by a later close (docs/inbox.md).
        first = item.resolution_in_time is None
        if counts and first and start is not None and item.resolution_due is not None:
            item.resolution_seconds = deadlines.working_seconds(start, now, cal)
            item.resolution_in_time = now <= item.resolution_due
        elif judged_late and first and _late(item.resolution_due, now):
            item.resolution_in_time = False


def transition(
    item: InboxItem,
    *,
    action: str,
    actor: ActorLike,
    now: datetime,
    targets: deadlines.Targets,
    version: int,
    note: str = "",
    close_reason: str = "",
    reopened_by: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> ItemEvent:
    """Move `item` with `action` (guarded), stop or restart its clocks, log and audit it."""
    target = guard(item, action)
    source = item.status
    calendar = calendar_for(item.municipality_id)
    fields = ["status", "open", "status_changed_at", *CLOCK_FIELDS]
    if action == "reopen":
        # The new resolution clock runs for the work list and the item page (due_at,
        # resolution_due); the first resolution's working seconds and "in time" stay as
        # stamped, for the report (DI-1).
        item.resolved_at = None
        item.close_reason = ""
        item.resolution_started_at = reopened_by or now
        if item.first_responded_at is None:
            # Closed on arrival with no answer (a reply under a removed comment, a
            # tombstone): its first-response clock starts at the reopening, as for a
            # follow-up listed later (`ingest._list_follow_up`), not at the arrival.
            item.started_at = item.resolution_started_at
            fields.append("started_at")
        item.reopened_count += 1
        fields += [
            "resolved_at",
            "close_reason",
            "resolution_started_at",
            "reopened_count",
        ]
    else:
        if close_reason == CloseReason.CHANNEL_RETIRED and not (data or {}).get("channel_retired"):
            # The system's reason (`services.settle_retired_item`), never a person's:
            # it takes the item out of the report while within its deadline (DI-1).
            raise ServiceError(gettext_lazy("Velg hvorfor henvendelsen lukkes."))
        _stop_clocks(item, target=target, now=now, close_reason=close_reason, cal=calendar)
        fields += [
            "first_responded_at",
            "first_response_seconds",
            "first_response_in_time",
            "resolved_at",
            "resolution_seconds",
            "resolution_in_time",
        ]
        if target == workflow.CLOSED:
            item.close_reason = close_reason or CloseReason.NO_REPLY_NEEDED
            fields.append("close_reason")
    item.status = target
    item.open = target in workflow.OPEN
    item.status_changed_at = now
    set_deadlines(item, targets=targets, calendar=calendar, version=version)
    if target == workflow.CLOSED and item.close_reason in NO_DEADLINE:
        item.first_response_due = item.resolution_due = item.due_at = item.warn_at = None
    item.save(update_fields=fields)
    return log_event(
        item,
        action=action,
        actor=actor,
        now=now,
        text=note,
        from_status=source,
        to_status=target,
        data={
            **({"close_reason": item.close_reason} if target == workflow.CLOSED else {}),
            **(data or {}),
        },
    )


def log_event(
    item: InboxItem,
    *,
    action: str,
    actor: ActorLike,
    now: datetime,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    audit: bool = True,
) -> ItemEvent:
    """Append an item event and (for people's actions) its audit entry."""
    event = ItemEvent.objects.create(
        item=item,
        action=action,
        actor=person(actor),
        at=now,
        text=text,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    if audit:
        audit_record(
            actor=actor,
            action=f"inbox_{action}",
            municipality=item.municipality,
            obj=item,
            data={
                "channel_id": item.channel_id,
                "from": from_status,
                "to": to_status,
                # The event's id, not its text: a note may quote a citizen (a national
                # ID number, health details), and the audit log is append-only, never
                # masked and kept for ever; the item's log holds the text (PU-1).
                **({"event_id": event.pk, "text_length": len(text)} if text else {}),
                **(data or {}),
            },
        )
    return event
