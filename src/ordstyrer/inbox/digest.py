"""The daily digest (#15): one e-mail a day per person instead of one per item.

The deadline sweep used to mail every reminder and every passed deadline at once (the
demo sent 432 in a minute). Now a person gets at most one digest a day, from 07:00
Oslo time on the municipality's working days (no monitoring on weekends and public
holidays, DI-1), listing what waits for them, read from the items' state when it is sent:

- items near their deadline (DI-1) assigned to them, or on channels they answer for
  when nobody is assigned or the assignee may no longer work on the channel (left the
  municipality, deactivated, removed from the channel);
- items past their deadline on channels they are the main administrator of, and for
  communications every channel (CH-5).

Spam, hateful speech and hidden comments are moderated, not answered, and are left
out. Escalations (DI-10), employees' reports (DI-11) and failed replies are still
mailed at once (`notifications.py`). The day is claimed by inserting a `DigestMark`
(unique per person and day), so several workers never send a person two digests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.core.mail import addresses, console_url, send
from ordstyrer.core.services import after_commit
from ordstyrer.inbox.models import DigestMark, InboxItem
from ordstyrer.inbox.notifications import ADMIN_ROLES, _local
from ordstyrer.inbox.selectors import NOT_WAITING
from ordstyrer.inbox.transitions import calendar_for
from ordstyrer.tenants.models import Role, RoleAssignment
from ordstyrer.tenants.selectors import active_member_q

OSLO = ZoneInfo("Europe/Oslo")
SEND_FROM = time(7, 0)
MAX_LINES = 20


def _open(now: datetime) -> Any:
    return (
        InboxItem.objects.filter(open=True, listed=True)
        .exclude(NOT_WAITING)
        .select_related("channel__municipality")
    )


def _working_day(now: datetime) -> Callable[[InboxItem], bool]:
    """Whether `now` falls on a working day of an item's municipality (its deadlines'
    calendar): no digest on weekends and public holidays (DI-1, «ikke overvåkning i
    helger og helligdager»)."""
    day = now.astimezone(OSLO).date()
    known: dict[int, bool] = {}

    def working(item: InboxItem) -> bool:
        if item.municipality_id not in known:
            calendar = calendar_for(item.channel.municipality)
            known[item.municipality_id] = calendar.is_working_day(day)
        return known[item.municipality_id]

    return working


def digest_lines(*, now: datetime) -> dict[int, dict[str, list[InboxItem]]]:
    """Person id → {"soon": [...], "overdue": [...]}: what each person's digest lists.
    Nothing on a day off of the item's municipality (weekends, public holidays)."""
    working = _working_day(now)
    soon = [
        i
        for i in _open(now).filter(warn_at__lte=now, due_at__gt=now).order_by("due_at", "pk")
        if working(i)
    ]
    overdue = [i for i in _open(now).filter(due_at__lte=now).order_by("due_at", "pk") if working(i)]
    channel_ids = {i.channel_id for i in soon + overdue}
    municipality_ids = {i.municipality_id for i in soon + overdue}
    members: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    # A channel's people still here, as everywhere else (CH-3, `active_member_q`: able to
    # log in and holding a role in the channel's municipality). One who has left stays on
    # the channel until removed, and gets no digest about it, even with an account still
    # active elsewhere.
    for channel_id, user_id, role in (
        ChannelMembership.objects.filter(channel_id__in=channel_ids)
        .filter(active_member_q(municipality=F("channel__municipality"), through="user__"))
        .values_list("channel_id", "user_id", "role")
        .distinct()
    ):
        members[channel_id][role].add(user_id)
    # Communications answers on every channel of its municipality (CH-4, `OVERSIGHT`),
    # while still here.
    communications: dict[int, set[int]] = defaultdict(set)
    for municipality_id, user_id in (
        RoleAssignment.objects.filter(
            municipality_id__in=municipality_ids, role=Role.COMMUNICATIONS
        )
        .filter(active_member_q(municipality=F("municipality"), through="user__"))
        .values_list("municipality_id", "user_id")
        .distinct()
    ):
        communications[municipality_id].add(user_id)
    lines: dict[int, dict[str, list[InboxItem]]] = defaultdict(lambda: {"soon": [], "overdue": []})
    for item in soon:
        admins = set().union(*(members[item.channel_id][r] for r in ADMIN_ROLES))
        # The assignee while they may still work on the channel (`access.may_work`: active,
        # with a role in the municipality, appointed on the channel or communications);
        # one who has left gets nothing, and the channel's people are told instead (CH-3).
        if item.assignee_id and item.assignee_id in admins | communications[item.municipality_id]:
            people = {item.assignee_id}
        else:
            people = admins
        for person in people:
            lines[person]["soon"].append(item)
    for item in overdue:
        people = (
            members[item.channel_id][ChannelRole.MAIN_ADMIN] | communications[item.municipality_id]
        )
        for person in people:
            lines[person]["overdue"].append(item)
    return dict(lines)


def digest_sweep(*, now: datetime) -> int:
    """Claim today's digest for everyone who has something in it (from 07:00, on working
    days: `digest_lines` lists nothing on a municipality's day off); returns how many."""
    local = now.astimezone(OSLO)
    if local.time() < SEND_FROM:
        return 0
    day = local.date()
    sent_today = set(DigestMark.objects.filter(day=day).values_list("user_id", flat=True))
    claimed = 0
    for person in sorted(set(digest_lines(now=now)) - sent_today):
        try:
            with transaction.atomic():
                DigestMark.objects.create(user_id=person, day=day, created_at=now)
                after_commit(_digest_task(), user_id=person, at=now.isoformat())
        except IntegrityError:  # another worker claimed this person's day
            continue
        claimed += 1
    return claimed


def _digest_task() -> Any:
    from ordstyrer.inbox import tasks

    return tasks.daily_digest


def send_digest(*, user_id: int, at: str) -> int:
    """The digest for one person, read from the items' state at `at`."""
    now = datetime.fromisoformat(at)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    lines = digest_lines(now=now).get(user_id)
    if user is None or not lines or not (lines["soon"] or lines["overdue"]):
        return 0
    soon, overdue = lines["soon"], lines["overdue"]

    def compose() -> tuple[str, str]:
        parts = [_("Dette venter på deg i Ordstyrer i dag (DI-1, CH-5):"), ""]
        if overdue:
            parts.append(
                ngettext(
                    "%(n)s henvendelse har passert fristen:",
                    "%(n)s henvendelser har passert fristen:",
                    len(overdue),
                )
                % {"n": len(overdue)}
            )
            parts += [_line(item) for item in overdue[:MAX_LINES]]
            parts.append("")
        if soon:
            parts.append(
                ngettext(
                    "%(n)s henvendelse nærmer seg fristen:",
                    "%(n)s henvendelser nærmer seg fristen:",
                    len(soon),
                )
                % {"n": len(soon)}
            )
            parts += [_line(item) for item in soon[:MAX_LINES]]
            parts.append("")
        late = {i.channel.municipality.slug for i in overdue}
        municipalities = late | {i.channel.municipality.slug for i in soon}
        for slug in sorted(municipalities):
            # The list that holds what the digest lists: past the deadline where there is
            # something overdue; otherwise the open list, which is ordered by deadline, so
            # the items nearing it come first (the list has no "nearing" filter).
            query = "?frist=passert" if slug in late else ""
            parts.append(
                _("Hele listen: %(url)s")
                % {"url": console_url(reverse("inbox:list", args=[slug]) + query)}
            )
        subject = _("Ordstyrer: %(overdue)s over fristen, %(soon)s nærmer seg") % {
            "overdue": len(overdue),
            "soon": len(soon),
        }
        return subject, "\n".join(parts)

    return send(compose, addresses([user]))


def _line(item: InboxItem) -> str:
    path = reverse("inbox:detail", args=[item.channel.municipality.slug, item.pk])
    return "– " + _("%(channel)s, frist %(due)s: %(url)s") % {
        "channel": item.channel.name,
        "due": _local(item.due_at) if item.due_at else "–",
        "url": console_url(path),
    }
