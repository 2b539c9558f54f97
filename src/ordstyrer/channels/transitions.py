"""The one place a channel changes state: guard, stamp, log, audit (used by the services).

Callers hold `transaction.atomic` and a row lock (`lock_channel`), and have checked
permission; this module does the rest of the service template for a transition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelEvent, ChannelStatus
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.services import person


def lock_channel(channel: Channel | int) -> Channel:
    """Re-read the channel under a row lock (inside transaction.atomic)."""
    pk = channel.pk if isinstance(channel, Channel) else channel
    # `of=("self",)`: lock the channel row only; PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer join to the unit.
    return (
        Channel.objects.select_for_update(of=("self",))
        .select_related("municipality", "unit")
        .get(pk=pk)
    )


def status_label(status: str) -> str:
    try:
        return str(ChannelStatus(status).label)
    except ValueError:
        return status


def refuse_transition(action: str, status: str) -> ServiceError:
    return ServiceError(
        lazy_interpolate(
            gettext_lazy("Dette kan ikke gjøres når kanalen har status «%(status)s»."),
            {"status": status_label(status)},
        ),
        rule="CH-1",
        code="invalid_state",
    )


def guard(channel: Channel, action: str) -> str:
    """The state `action` leads to from the channel's state, or a ServiceError."""
    try:
        return workflow.next_status(channel.status, action)
    except workflow.TransitionError:
        raise refuse_transition(action, channel.status) from None


def transition(
    channel: Channel,
    *,
    action: str,
    actor: ActorLike,
    now: datetime,
    to_status: str | None = None,
    note: str = "",
    approver_role: str = "",
    extra_fields: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> ChannelEvent:
    """Move `channel` with `action` (guarded), stamp who and when, log and audit it."""
    target = guard(channel, action)
    if to_status is not None:
        target = to_status
    source = channel.status
    channel.status = target
    channel.status_changed_at = now
    channel.status_changed_by = person(actor)
    channel.last_activity_at = now
    channel.save(
        update_fields=[
            "status",
            "status_changed_at",
            "status_changed_by",
            "last_activity_at",
            *extra_fields,
        ]
    )
    return log_event(
        channel,
        action=action,
        actor=actor,
        now=now,
        from_status=source,
        to_status=target,
        note=note,
        approver_role=approver_role,
        data=data,
    )


def log_event(
    channel: Channel,
    *,
    action: str,
    actor: ActorLike,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    approver_role: str = "",
    data: dict[str, Any] | None = None,
) -> ChannelEvent:
    """Append a channel event and its audit entry (same transaction)."""
    event = ChannelEvent.objects.create(
        channel=channel,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=person(actor),
        at=now,
        note=note,
        approver_role=approver_role,
        approval_round=channel.approval_round,
    )
    audit_record(
        actor=actor,
        action=f"channel_{action}",
        municipality=channel.municipality,
        obj=channel,
        data={
            "from": from_status,
            "to": to_status,
            "note": note,
            **({"approver_role": approver_role} if approver_role else {}),
            **(data or {}),
        },
    )
    return event
