"""National ID numbers in the console (PU-1; issue #18): masked by default as
`******12345`; a person whose role needs the number (`reveal_national_id`) may show it
for one item, which is audited, and it stays shown to them for `REVEAL_FOR`.

The stored item keeps the text as written (the archive record keeps the evidence,
marked confidential); only what the console shows is masked.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.permissions import NEED_ROLES, has_role, require
from ordstyrer.inbox.models import InboxItem
from ordstyrer.language.masking import national_id_spans

SESSION_KEY = "ordstyrer_revealed_ids"
REVEAL_FOR = timedelta(minutes=10)
NEED = "reveal_national_id"


def may_reveal(user: ActorLike, item: InboxItem) -> bool:
    roles = NEED_ROLES[NEED] or ()
    return has_role(user, item.channel.municipality, roles)


def holds_national_id(item: InboxItem) -> bool:
    """Does the item's text (as triaged, or as it reads now) hold a national ID number?"""
    marks = item.personal_data or []
    if any(isinstance(m, dict) and m.get("type") == "national_id" for m in marks):
        return True
    return bool(national_id_spans(item.text or ""))


def item_reveal_national_ids(*, actor: ActorLike, item: InboxItem, now: datetime) -> None:
    """Record that `actor` shows the national ID numbers of `item` (audited, PU-1)."""
    municipality = item.channel.municipality
    with transaction.atomic():
        require(actor, municipality, NEED)
        audit_record(
            actor=actor,
            action="inbox_national_id_shown",
            municipality=municipality,
            obj=item,
            data={"item_id": item.pk, "channel_id": item.channel_id, "at": now.isoformat()},
        )


def remember_revealed(request: HttpRequest, item: InboxItem) -> None:
    shown = dict(request.session.get(SESSION_KEY) or {})
    now = time.time()
    shown = {k: v for k, v in shown.items() if v > now}
    shown[str(item.pk)] = now + REVEAL_FOR.total_seconds()
    request.session[SESSION_KEY] = shown


def is_revealed(request: HttpRequest, item: InboxItem) -> bool:
    until = (request.session.get(SESSION_KEY) or {}).get(str(item.pk))
    return isinstance(until, int | float) and until > time.time()
