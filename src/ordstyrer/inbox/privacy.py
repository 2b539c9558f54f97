"""National ID numbers in the console (PU-1; issue #18): masked by default as
`******12345`; a person whose role needs the number (`reveal_national_id`) may show it
for one item, which is audited, and it stays shown to them for `REVEAL_FOR`.

The stored item keeps the text as written (the archive record keeps the evidence,
marked confidential); only what the console shows is masked.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.permissions import NEED_ROLES, has_role, require
from ordstyrer.inbox.models import InboxItem
from ordstyrer.language.masking import national_id_spans

if TYPE_CHECKING:
    from ordstyrer.inbox.selectors import ItemDetail

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


# Where the item page offers «Vis fødselsnummer»: the id of the page fragment it sits in.
# The reveal sends the person back there, and only to one of these, never to a URL the
# post names.
AT_THREAD = "thread-heading"
AT_NOTES = "notater"
REVEAL_PLACES = (AT_THREAD, AT_NOTES)


def reveal_place(detail: ItemDetail) -> str | None:
    """Where the item page offers the reveal (PU-1): beside the thread when the item's
    text holds a national ID number; beside the referrals and reports when only a note
    there does (a referral's or escalation's, DI-7, DI-8, DI-10; an employee's report,
    DI-11), which the page shows masked and could otherwise never show; None when none
    does. One place, so one button, and one reveal shows them all."""
    if holds_national_id(detail.item):
        return AT_THREAD
    notes = [r.note for r in detail.referrals] + [r.note for r in detail.reports]
    if any(national_id_spans(note or "") for note in notes):
        return AT_NOTES
    return None


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
