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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.core.mail import addresses, console_url, send
from ordstyrer.core.services import after_commit
from ordstyrer.inbox.models import DigestMark, InboxItem
from ordstyrer.inbox.notifications import ADMIN_ROLES, _local
from ordstyrer.inbox.selectors import IS_OPEN, NOT_WAITING
from ordstyrer.inbox.transitions import calendar_for
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.tenants.selectors import active_member_q

OSLO = ZoneInfo("Europe/Oslo")
SEND_FROM = time(7, 0)
MAX_LINES = 20


def _waiting() -> QuerySet[InboxItem]:
    """Open, listed items that wait for an answer (not spam, hate, hidden), as a filter:
    nothing read yet."""
    return InboxItem.objects.filter(IS_OPEN, listed=True).exclude(NOT_WAITING)


def _overdue_q(now: datetime) -> Q:
    return Q(due_at__lte=now)


def _soon_q(now: datetime) -> Q:
    return Q(warn_at__lte=now, due_at__gt=now)


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


def _working_municipalities(now: datetime, ids: Iterable[int]) -> set[int]:
    """Those of the municipalities `ids` for which `now` is a working day (DI-1), as
    `_working_day` says for their items; one query."""
    day = now.astimezone(OSLO).date()
    return {
        municipality.pk
        for municipality in Municipality.objects.filter(pk__in=set(ids))
        if calendar_for(municipality).is_working_day(day)
    }


def _members(channel_ids: Iterable[int]) -> dict[int, dict[str, set[int]]]:
    """Channel id → role → the people holding it who are still here.

    A channel's people still here, as everywhere else (CH-3, `active_member_q`: able to
    log in and holding a role in the channel's municipality). One who has left stays on
    the channel until removed, and gets no digest about it, even with an account still
    active elsewhere."""
    members: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for channel_id, user_id, role in (
        ChannelMembership.objects.filter(channel_id__in=set(channel_ids))
        .filter(active_member_q(municipality=F("channel__municipality"), through="user__"))
        .order_by()
        .values_list("channel_id", "user_id", "role")
        .distinct()
    ):
        members[channel_id][role].add(user_id)
    return members


def _communications(municipality_ids: Iterable[int]) -> dict[int, set[int]]:
    """Municipality id → its communications advisors still here: communications answers
    on every channel of its municipality (CH-4, `OVERSIGHT`)."""
    communications: dict[int, set[int]] = defaultdict(set)
    for municipality_id, user_id in (
        RoleAssignment.objects.filter(
            municipality_id__in=set(municipality_ids), role=Role.COMMUNICATIONS
        )
        .filter(active_member_q(municipality=F("municipality"), through="user__"))
        .values_list("municipality_id", "user_id")
        .distinct()
    ):
        communications[municipality_id].add(user_id)
    return communications


def _admins(members: dict[int, dict[str, set[int]]], channel_id: int) -> set[int]:
    return set().union(*(members[channel_id][r] for r in ADMIN_ROLES))


def _soon_people(
    *,
    channel_id: int,
    municipality_id: int,
    assignee_id: int | None,
    members: dict[int, dict[str, set[int]]],
    communications: dict[int, set[int]],
) -> set[int]:
    """Who is told of an item near its deadline (DI-1): its assignee while they may still
    work on the channel (`access.may_work`: active, with a role in the municipality,
    appointed on the channel or communications); one who has left gets nothing, and the
    channel's people are told instead (CH-3), as for an item nobody is assigned."""
    admins = _admins(members, channel_id)
    if assignee_id and assignee_id in admins | communications[municipality_id]:
        return {assignee_id}
    return admins


def _overdue_people(
    *,
    channel_id: int,
    municipality_id: int,
    members: dict[int, dict[str, set[int]]],
    communications: dict[int, set[int]],
) -> set[int]:
    """Who is told of an item past its deadline (CH-5): the channel's main administrator
    and its municipality's communications."""
    return members[channel_id][ChannelRole.MAIN_ADMIN] | communications[municipality_id]


def digest_lines(*, now: datetime) -> dict[int, dict[str, list[InboxItem]]]:
    """Person id → {"soon": [...], "overdue": [...]}: what each person's digest lists,
    every item of it. Nothing on a day off of the item's municipality (weekends, public
    holidays).

    The whole listing, for everyone, read item by item: the sweep and the digest read
    aggregates instead (`digest_recipients`, `_person_lines`) and agree with it."""
    working = _working_day(now)
    items = _waiting().select_related("channel__municipality").order_by("due_at", "pk")
    soon = [i for i in items.filter(_soon_q(now)) if working(i)]
    overdue = [i for i in items.filter(_overdue_q(now)) if working(i)]
    members = _members({i.channel_id for i in soon + overdue})
    communications = _communications({i.municipality_id for i in soon + overdue})
    lines: dict[int, dict[str, list[InboxItem]]] = defaultdict(lambda: {"soon": [], "overdue": []})
    for item in soon:
        for person in _soon_people(
            channel_id=item.channel_id,
            municipality_id=item.municipality_id,
            assignee_id=item.assignee_id,
            members=members,
            communications=communications,
        ):
            lines[person]["soon"].append(item)
    for item in overdue:
        for person in _overdue_people(
            channel_id=item.channel_id,
            municipality_id=item.municipality_id,
            members=members,
            communications=communications,
        ):
            lines[person]["overdue"].append(item)
    return dict(lines)


def digest_recipients(*, now: datetime) -> set[int]:
    """Who has something in a digest at `now` (the people `digest_lines` lists), from
    aggregates, never the items: the channels with an item past its deadline (one
    `EXISTS` per channel, which stops at its first such item), and the distinct channels
    and assignees of the items near it. An item belongs to its channel's municipality
    (`inbox_ingest`), so the channel's stands for the item's."""
    waiting = _waiting().filter(channel=OuterRef("pk"))
    late = list(
        Channel.objects.filter(Exists(waiting.filter(_overdue_q(now))))
        .order_by()
        .values_list("pk", "municipality_id")
    )
    soon = list(
        _waiting()
        .filter(_soon_q(now))
        .order_by()
        .values_list("channel_id", "municipality_id", "assignee_id")
        .distinct()
    )
    working = _working_municipalities(now, [m for _c, m in late] + [m for _c, m, _a in soon])
    late = [(c, m) for c, m in late if m in working]
    soon = [(c, m, a) for c, m, a in soon if m in working]
    if not late and not soon:
        return set()
    members = _members({c for c, _m in late} | {c for c, _m, _a in soon})
    communications = _communications({m for _c, m in late} | {m for _c, m, _a in soon})
    people: set[int] = set()
    for channel_id, municipality_id in late:
        people |= _overdue_people(
            channel_id=channel_id,
            municipality_id=municipality_id,
            members=members,
            communications=communications,
        )
    for channel_id, municipality_id, assignee_id in soon:
        people |= _soon_people(
            channel_id=channel_id,
            municipality_id=municipality_id,
            assignee_id=assignee_id,
            members=members,
            communications=communications,
        )
    return people


def _everyone_has_it(day: date) -> bool:
    """Whether everyone who could get a digest has `day`'s mark: every administrator and
    editor of a channel and every communications advisor still here (the only people
    `_soon_people` and `_overdue_people` name). One query; the runs from the morning's
    digests until midnight stop here when nobody else could get one."""
    marked = DigestMark.objects.filter(day=day).values("user_id")
    on_channels = (
        ChannelMembership.objects.filter(role__in=ADMIN_ROLES)
        .filter(active_member_q(municipality=F("channel__municipality"), through="user__"))
        .values("user_id")
    )
    communications = (
        RoleAssignment.objects.filter(role=Role.COMMUNICATIONS)
        .filter(active_member_q(municipality=F("municipality"), through="user__"))
        .values("user_id")
    )
    return (
        not get_user_model()
        .objects.filter(Q(pk__in=on_channels) | Q(pk__in=communications))
        .exclude(pk__in=marked)
        .exists()
    )


def digest_sweep(*, now: datetime) -> int:
    """Claim today's digest for everyone who has something in it (from 07:00, on working
    days: nothing is listed on a municipality's day off); returns how many.

    The sweep runs every 5 minutes until midnight over a backlog that can run to tens of
    thousands of open items: it stops after one query when everyone who could get a
    digest has today's, and otherwise finds who gets one from aggregates
    (`digest_recipients`), never reading the items."""
    local = now.astimezone(OSLO)
    if local.time() < SEND_FROM:
        return 0
    day = local.date()
    if _everyone_has_it(day):
        return 0
    sent_today = set(DigestMark.objects.filter(day=day).values_list("user_id", flat=True))
    claimed = 0
    for person in sorted(digest_recipients(now=now) - sent_today):
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


@dataclass
class _Lines:
    """One kind of a person's digest lines: how many, the first `MAX_LINES` in deadline
    order, and the slugs of the municipalities they are in."""

    count: int
    items: list[InboxItem]
    slugs: set[str]


def _read_lines(items: QuerySet[InboxItem]) -> _Lines:
    """Counted per municipality in the database; only the listed rows read, with only
    what a line shows."""
    counts = dict(
        items.order_by()
        .values("channel__municipality__slug")
        .annotate(n=Count("pk"))
        .values_list("channel__municipality__slug", "n")
    )
    if not counts:
        return _Lines(0, [], set())
    listed = list(
        items.select_related("channel__municipality")
        .only("pk", "due_at", "channel__name", "channel__municipality__slug")
        .order_by("due_at", "pk")[:MAX_LINES]
    )
    return _Lines(sum(counts.values()), listed, set(counts))


def _person_lines(user_id: int, now: datetime) -> tuple[_Lines, _Lines]:
    """(past the deadline, near it): one person's share of `digest_lines`, read from the
    person's own channels and municipalities, in a number of queries that does not grow
    with the backlog."""
    empty = (_Lines(0, [], set()), _Lines(0, [], set()))
    roles = list(
        ChannelMembership.objects.filter(user_id=user_id)
        .filter(active_member_q(municipality=F("channel__municipality"), through="user__"))
        .order_by()
        .values_list("channel_id", "channel__municipality_id", "role")
        .distinct()
    )
    advising = set(
        RoleAssignment.objects.filter(user_id=user_id, role=Role.COMMUNICATIONS)
        .filter(active_member_q(municipality=F("municipality"), through="user__"))
        .values_list("municipality_id", flat=True)
    )
    working = _working_municipalities(now, {m for _c, m, _r in roles} | advising)
    roles = [(c, m, r) for c, m, r in roles if m in working]
    advising &= working
    if not roles and not advising:
        return empty
    main_admin = {c for c, _m, r in roles if r == ChannelRole.MAIN_ADMIN}
    administers = {c: m for c, m, r in roles if r in ADMIN_ROLES}
    # CH-5: past the deadline on channels the person is main administrator of, and for
    # communications on every channel of the municipality.
    overdue = _waiting().filter(
        _overdue_q(now),
        Q(channel_id__in=main_admin) | Q(municipality_id__in=advising),
    )
    # DI-1: near it, assigned to the person while they may work on the channel; and on
    # the channels the person administers or edits, the items of nobody who may.
    mine = Q(assignee_id=user_id) & (
        Q(channel_id__in=list(administers)) | Q(municipality_id__in=advising)
    )
    if administers:
        members = _members(set(administers))
        communications = _communications(set(administers.values()))
        # Channels grouped by who may work on them, so the filter has one term per group.
        by_who_may_work: dict[frozenset[int], list[int]] = defaultdict(list)
        for channel_id, municipality_id in administers.items():
            people = _admins(members, channel_id) | communications[municipality_id]
            by_who_may_work[frozenset(people)].append(channel_id)
        for may_work, channel_ids in by_who_may_work.items():
            mine |= Q(channel_id__in=channel_ids) & (
                Q(assignee__isnull=True) | ~Q(assignee_id__in=sorted(may_work))
            )
    soon = _waiting().filter(_soon_q(now), mine)
    return _read_lines(overdue), _read_lines(soon)


def send_digest(*, user_id: int, at: str) -> int:
    """The digest for one person, read from the items' state at `at`."""
    now = datetime.fromisoformat(at)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    overdue, soon = _person_lines(user_id, now)
    if not (overdue.count or soon.count):
        return 0

    def compose() -> tuple[str, str]:
        parts = [_("Dette venter på deg i Ordstyrer i dag (DI-1, CH-5):"), ""]
        if overdue.count:
            parts.append(
                ngettext(
                    "%(n)s henvendelse har passert fristen:",
                    "%(n)s henvendelser har passert fristen:",
                    overdue.count,
                )
                % {"n": overdue.count}
            )
            parts += [_line(item) for item in overdue.items]
            parts.append("")
        if soon.count:
            parts.append(
                ngettext(
                    "%(n)s henvendelse nærmer seg fristen:",
                    "%(n)s henvendelser nærmer seg fristen:",
                    soon.count,
                )
                % {"n": soon.count}
            )
            parts += [_line(item) for item in soon.items]
            parts.append("")
        late = overdue.slugs
        municipalities = late | soon.slugs
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
            "overdue": overdue.count,
            "soon": soon.count,
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
