"""Crisis mode's write services (PU-12).

Each write: transaction.atomic → permission check → rows → audit record in the same
transaction → platform work only after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordstyrer.core.services import person
from ordstyrer.crisis.models import Crisis, CrisisLogEntry


def crisis_log_write(
    *,
    crisis: Crisis,
    kind: str,
    text: str,
    channel: Any = None,
    object_kind: str,
    object_id: Any,
    actor: Any,
    now: datetime,
) -> CrisisLogEntry:
    """Append one line to the crisis log (PU-12: every outgoing word is logged).

    Called inside the caller's transaction (publishing, inbox, this app); it checks no
    permission of its own: the calling service already did.
    """
    return CrisisLogEntry.objects.create(
        crisis=crisis,
        kind=kind,
        text=text or "",
        channel=channel,
        object_kind=object_kind or "",
        object_id="" if object_id is None else str(object_id),
        actor=person(actor),
        created_at=now,
    )
