"""Append an audit entry; called by write services inside their transaction."""

from __future__ import annotations

import logging
from typing import Any

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.models import AuditEntry

logger = logging.getLogger("ordstyrer.audit")


def audit_record(
    *,
    actor: ActorLike,
    action: str,
    municipality: Any = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    actor = user_of(actor)
    entry = AuditEntry.objects.create(
        municipality=municipality,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        data=data or {},
    )
    # The entry itself is the record; the log line is for operations at DEBUG.
    logger.debug(
        "audit",
        extra={
            "action": action,
            "municipality_id": getattr(municipality, "pk", None),
            "actor_id": getattr(actor, "pk", None),
            "object_type": entry.object_type,
            "object_id": entry.object_id,
        },
    )
    return entry
