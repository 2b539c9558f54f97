"""Reads about the inbox: the work list, one item with its whole thread, overdue counts.

Selectors take the municipality (resolved through `core.permissions`) and the viewer,
and return what a page needs in a fixed number of queries, whatever the number of
items: the list uses keyset paging on indexed columns, never OFFSET or a full count.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.http import urlencode

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel, ChannelMembership
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.ids import parse_id
from ordstyrer.core.permissions import NEED_ROLES, has_role
from ordstyrer.core.queries import capped_values
from ordstyrer.inbox.access import REPLY_ROLES, visible_channel_ids
from ordstyrer.inbox.models import (
    InboxItem,
    ItemEvent,
    ItemVersion,
    Referral,
    Reply,
    UnwantedReport,
)
from ordstyrer.language.masking import mask_national_ids
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 50
# Open items that do not wait for an answer: moderation candidates (#15).
NO_ANSWER_CATEGORIES = ("spam", "hate_speech")
NOT_WAITING = Q(category__in=NO_ANSWER_CATEGORIES) | Q(hidden=True)
# Open items, as an equality: Django writes `open=True` as a bare `AND "open"`, which
# SQLite's planner does not take as a constraint on the `open` column of the deadline
# indexes (`inbox_open_by_due` …): it read every item of the municipality and sorted
# them (238 ms at 31,635 items). Compared with a value the condition is `"open" = %s`,
# a range read in the list's order on SQLite as on PostgreSQL
# (tests/inbox/test_qa_sqlite_plans.py).
IS_OPEN = Q(open=Value(True))
# What a list row shows (presenters.list_rows), the API's list and the keyset cursor
# need: nothing else is read, least of all the JSON columns (`ListItem`).
LIST_FIELDS = (
    "pk",
    "municipality_id",
    "channel_id",
    "channel__name",
    "author_name",
    "text",
    "written_standard",
    "category",
    "status",
    "open",
    "due_at",
    "received_at",
    "reported",
    "escalated_at",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)
VIEWS = ("open", "all", "resolved")
# The open list's orders: by deadline, or by urgency (#15): threats and hateful speech
# first (the triage's category: threats are harassment or hateful speech), then deadline.
SORTS = ("frist", "hast")
URGENT_CATEGORIES = ("hate_speech", "harassment")
# Free-text search: at most this many words, each matched in the text or the author's
# name (all must match); longer input is cut.
SEARCH_MAX = 100
SEARCH_WORDS = 6
# PU-1, #18: a run of six digits or more could probe the masked part of a national ID
# number (`******12345`); only people who may reveal those numbers search by it.
_LONG_DIGITS = re.compile(r"\d{6,}")
# PU-1: a shorter run could too, a few digits at a time («01234», «12345», …). For those
# who may not reveal the numbers, a word with a digit in it is not matched in a text that
# may hold one (`may_hold_national_id`): it still finds the author's name, and any other
# text.
_DIGIT = re.compile(r"\d")
# What the item page shows of the other messages in a thread (`ThreadEntry`).
THREAD_FIELDS = (
    "pk",
    "channel_id",
    "platform_id",
    "parent_platform_id",
    "conversation_id",
    "from_page",
    "author_name",
    "text",
    "written_standard",
    "edited",
    "removed_at",
    "platform_created_at",
    "received_at",
)


@dataclass(frozen=True)
class InboxFilter:
    view: str = "open"  # open | all | resolved
    channel: int | None = None
    category: str = ""
    overdue: bool = False
    mine: bool = False
    after: str = ""  # keyset cursor
    status: str = ""  # one item status (the API's `status` filter)
    search: str = ""  # free text, matched in the text and the author's name
    sort: str = "frist"  # the open list's order (SORTS); other views: newest first

    @property
    def urgent_first(self) -> bool:
        return self.view == "open" and self.sort == "hast"

    def query(self, **changes: Any) -> dict[str, str]:
        """The filter as GET parameters (for links that keep the other filters)."""
        values = {
            "vis": self.view,
            "kanal": str(self.channel or ""),
            "kategori": self.category,
            "frist": "passert" if self.overdue else "",
            "mine": "1" if self.mine else "",
            "q": self.search,
            "sorter": self.sort if self.sort != "frist" else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v and not (k == "vis" and v == "open")}

    @property
    def without_search(self) -> str:
        """The list's query string with every filter but the search."""
        return urlencode(self.query(q=""))


def _param(params: Any, name: str, limit: int) -> str:
    """A text parameter of the URL, bounded and without NUL (PostgreSQL refuses it in a
    query parameter: a hand-made `%00` would otherwise be a server error)."""
    return (params.get(name) or "").replace("\x00", "")[:limit]


def parse_filter(params: Any) -> InboxFilter:
    """Read the list's filters from GET parameters, ignoring anything malformed."""
    view = params.get("vis") or "open"
    sort = params.get("sorter") or "frist"
    return InboxFilter(
        view=view if view in VIEWS else "open",
        channel=parse_id(params.get("kanal")),
        category=_param(params, "kategori", 30),
        overdue=params.get("frist") == "passert",
        mine=params.get("mine") == "1",
        after=_param(params, "etter", 80),
        search=" ".join(_param(params, "q", SEARCH_MAX).split()),
        sort=sort if sort in SORTS else "frist",
    )


@dataclass(frozen=True, slots=True)
class Assignee:
    """The person an item is assigned to, as the list shows them (no user object)."""

    pk: int
    username: str
    first_name: str
    last_name: str

    def get_full_name(self) -> str:  # as Django's user model says it
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


@dataclass(frozen=True, slots=True)
class ListItem:
    """One row of the work list: the item's listed columns, its channel's name and its
    assignee. Plain values: a page's fifty model objects (and their channels' and
    assignees') were a tenth of the page's CPU (#14)."""

    pk: int
    municipality_id: int
    channel_id: int
    channel_name: str
    author_name: str
    text: str
    written_standard: str
    category: str
    status: str
    open: bool
    due_at: datetime | None
    received_at: datetime
    reported: bool
    escalated_at: datetime | None
    assignee_id: int | None
    assignee: Assignee | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ListItem:
        *values, username, first_name, last_name = row
        assignee_id = values[-1]
        person = Assignee(assignee_id, username, first_name, last_name) if assignee_id else None
        return cls(*values + [person])


class ChannelChoice(NamedTuple):
    """A channel in the list's filter: what the option shows."""

    pk: int
    name: str


@dataclass
class InboxPage:
    items: list[ListItem]
    next_cursor: str | None
    open_count: int
    overdue_count: int
    channels: list[ChannelChoice] = field(default_factory=list)
    # The search was not run (PU-1: it could probe masked national ID numbers).
    search_refused: bool = False


def urgency() -> Case:
    """0 for threats and hateful speech, 1 for the rest (the urgency sort's first key)."""
    return Case(
        When(category__in=URGENT_CATEGORIES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _rank(item: ListItem) -> int:
    return 0 if item.category in URGENT_CATEGORIES else 1


def _cursor(item: ListItem, filters: InboxFilter) -> str:
    # Open items always have a deadline (`workflow.pending_deadline`); the others are
    # paged by when they arrived.
    stamp = item.due_at if filters.view == "open" else item.received_at
    text = f"{stamp.timestamp():.6f}:{item.pk}" if stamp else f"0:{item.pk}"
    return f"{_rank(item)}:{text}" if filters.urgent_first else text


def _parse_cursor(filters: InboxFilter) -> tuple[int | None, datetime, int] | None:
    """(rank, stamp, id) of the cursor `_cursor` wrote, or None if it is not one."""
    try:
        parts = filters.after.split(":")
        rank = int(parts.pop(0)) if filters.urgent_first else None
        stamp_text, pk_text = parts
        stamp = datetime.fromtimestamp(float(stamp_text), tz=UTC)
        pk = int(pk_text)
    except (ValueError, OverflowError, OSError, IndexError):
        return None
    return rank, stamp, pk


def cursor_is_valid(filters: InboxFilter) -> bool:
    """Whether `filters.after` is empty or a cursor this list wrote. The console starts
    a malformed cursor at the first page; the API refuses it (api.md "Lists")."""
    return not filters.after or _parse_cursor(filters) is not None


def _after(queryset: QuerySet[InboxItem], filters: InboxFilter) -> QuerySet[InboxItem]:
    """The items after the cursor in the list's order (keyset paging; a malformed
    cursor is the first page)."""
    parsed = _parse_cursor(filters)
    if parsed is None:
        return queryset
    rank, stamp, pk = parsed
    if rank is not None:
        # (urgency, deadline, id) after (rank, stamp, pk).
        return queryset.filter(
            Q(urgency__gt=rank)
            | Q(urgency=rank, due_at__gt=stamp)
            | Q(urgency=rank, due_at=stamp, pk__gt=pk)
        )
    # The plain range (>=, <=) lets the index scan start at the cursor; the OR then
    # breaks ties on the id.
    if filters.view == "open":
        return queryset.filter(due_at__gte=stamp).filter(
            Q(due_at__gt=stamp) | Q(due_at=stamp, pk__gt=pk)
        )
    return queryset.filter(received_at__lte=stamp).filter(
        Q(received_at__lt=stamp) | Q(received_at=stamp, pk__lt=pk)
    )


def may_search_digits(user: ActorLike, municipality: Municipality) -> bool:
    """May `user` search by long runs of digits (PU-1: those who may reveal national ID
    numbers)?"""
    return has_role(user, municipality, NEED_ROLES["reveal_national_id"] or ())


@functools.cache
def _digit_class() -> str:
    """Every decimal digit as a bracket expression both databases read alike: Python's
    `\\d` (which `language.numbers` finds national ID numbers with) knows them all;
    PostgreSQL's `\\d` may know only 0–9."""
    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Nd"]
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


def may_hold_national_id() -> Q:
    """Items whose text may hold a national ID number: eleven digits, with at most two of
    the separators people write (` ./-`) between any two. Every shape
    `language.numbers` finds (and masks as `******12345`) is one of these, whatever its
    check digits; SQLite's REGEXP (Python's `re`) and PostgreSQL's `~` read it alike."""
    digit = _digit_class()
    return Q(text__regex=f"{digit}(?:[ ./-]{{0,2}}{digit}){{10}}")


def search_filter(search: str, *, open_only: bool, masked: bool = False) -> Q:
    """Every word of `search` in the item's text or its author's name, case-insensitive.

    `masked` (PU-1, for those who may not reveal national ID numbers, as the list masks
    them): a word with a digit is not matched in a text that may hold such a number, so
    no search can find the hidden digits (`may_hold_national_id`).

    PostgreSQL: `open_only` means the query reads open items only, a few thousand at
    most, through the deadline indexes; the words are then matched with `strpos`, which
    the trigram indexes cannot serve, so that PostgreSQL never reads a common word's long
    trigram lists for them. Otherwise `UPPER(…) LIKE`, which the trigram indexes of
    migration 0007 serve for a rare word (a common word is found soon in the list's own
    order). docs/inbox.md, "Search", has the measurements behind this.

    SQLite folds only ASCII letters in LIKE, so a word is also tried in lower and in
    upper case: «SVØMMEHALLEN» finds «Svømmehallen»."""
    postgresql = connection.vendor == "postgresql"
    condition = Q()
    for word in search.split()[:SEARCH_WORDS]:
        in_text = Q()
        in_author = Q()
        if postgresql and open_only:
            needle = Upper(Value(word))
            in_text = Q(GreaterThan(StrIndex(Upper("text"), needle), 0))
            in_author = Q(GreaterThan(StrIndex(Upper("author_name"), needle), 0))
        else:
            variants = {word} if postgresql else {word.lower(), word.upper()}
            for variant in sorted(variants):
                in_text |= Q(text__icontains=variant)
                in_author |= Q(author_name__icontains=variant)
        if masked and _DIGIT.search(word):
            in_text &= ~may_hold_national_id()
        condition &= in_text | in_author
    return condition


def _audit_digit_search(
    user: ActorLike, municipality: Municipality, search: str, rows: list[ListItem]
) -> None:
    """PU-1: someone who may reveal national ID numbers found items by digits hidden in
    one (`******12345`): audited as showing the number is (`inbox_national_id_shown`),
    with the items, never the digits searched."""
    words = [w.lower() for w in search.split()[:SEARCH_WORDS] if _DIGIT.search(w)]
    found = [
        row.pk
        for row in rows
        if any(
            w in row.text.lower()
            and w not in row.author_name.lower()
            and w not in mask_national_ids(row.text).lower()
            for w in words
        )
    ]
    if found:
        audit_record(
            actor=user,
            action="inbox_national_id_searched",
            municipality=municipality,
            data={"item_ids": found},
        )


def inbox_channels(*, user: ActorLike, municipality: Municipality) -> list[Channel]:
    """The channels whose inbox this person reads (for the filter and the report form)."""
    return _channels(municipality, visible_channel_ids(user, municipality))


def _channels(municipality: Municipality, visible: list[int] | None) -> list[Channel]:
    channels = Channel.objects.filter(municipality=municipality).only(
        "pk", "name", "kind", "status", "unit_id", "municipality_id"
    )
    if visible is not None:
        channels = channels.filter(pk__in=visible)
    return list(channels.order_by("name", "pk"))


def _waiting_counts(waiting: QuerySet[InboxItem], now: datetime) -> tuple[int, int]:
    """(waiting, overdue), each up to COUNT_CAP + 1, in one query: the overdue items are
    the first by deadline, so among the first COUNT_CAP + 1 waiting items by deadline
    there are min(overdue, COUNT_CAP + 1)."""
    counted = capped_values(
        waiting.order_by("due_at", "pk").values("pk", "due_at"),
        "COUNT(*), COUNT(*) FILTER (WHERE capped.due_at < %s)",
        [now],
    )
    return (counted[0], counted[1]) if counted else (0, 0)


def inbox_page(
    *,
    user: ActorLike,
    municipality: Municipality,
    filters: InboxFilter,
    now: datetime,
    limit: int | None = None,
) -> InboxPage:
    """One page of the work list: open items by deadline (or all, newest first);
    `limit` rows, `PAGE_SIZE` unless given."""
    limit = limit or PAGE_SIZE
    visible = visible_channel_ids(user, municipality)
    choices = Channel.objects.filter(municipality=municipality)
    if visible is not None:
        choices = choices.filter(pk__in=visible)
    channels = [
        ChannelChoice(*row) for row in choices.order_by("name", "pk").values_list("pk", "name")
    ]
    base = InboxItem.objects.filter(municipality=municipality, listed=True)
    if visible is not None:
        base = base.filter(channel_id__in=visible)
    if filters.channel is not None:
        base = base.filter(channel_id=filters.channel)
    if filters.category:
        base = base.filter(category=filters.category)
    if filters.mine:
        base = base.filter(assignee=user_of(user))
    digits = _DIGIT.search(filters.search) is not None
    revealer = digits and may_search_digits(user, municipality)
    refused = _LONG_DIGITS.search(filters.search) is not None and not revealer
    masked = digits and not revealer
    if refused:
        base = base.none()
    # Counted up to a cap (`_waiting_counts`). Spam and hateful speech are moderated, not
    # answered, and hidden items are being moderated: they do not wait for an answer (#15).
    waiting = base.filter(IS_OPEN).exclude(NOT_WAITING)
    if filters.search and not refused:
        waiting = waiting.filter(search_filter(filters.search, open_only=True, masked=masked))
    open_count, overdue_count = _waiting_counts(waiting, now)
    items: QuerySet[InboxItem]
    if filters.urgent_first:
        items = base.filter(IS_OPEN).alias(urgency=urgency())
        items = items.order_by("urgency", "due_at", "pk")
    elif filters.view == "open":
        items = base.filter(IS_OPEN).order_by("due_at", "pk")
    elif filters.view == "resolved":
        items = base.filter(open=False).order_by("-received_at", "-pk")
    else:
        items = base.order_by("-received_at", "-pk")
    if filters.overdue:
        items = (
            items.filter(due_at__lt=now)
            if filters.view == "open"
            else items.filter(IS_OPEN, due_at__lt=now)
        )
    if filters.search and not refused:
        open_only = filters.view == "open" or filters.overdue
        items = items.filter(search_filter(filters.search, open_only=open_only, masked=masked))
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.after:
        items = _after(items, filters)
    rows = [ListItem.of(row) for row in items.values_list(*LIST_FIELDS)[: limit + 1]]
    more = len(rows) > limit
    rows = rows[:limit]
    if revealer:
        _audit_digit_search(user, municipality, filters.search, rows)
    return InboxPage(
        items=rows,
        next_cursor=_cursor(rows[-1], filters) if more and rows else None,
        open_count=open_count,
        overdue_count=overdue_count,
        channels=channels,
        search_refused=refused,
    )


@dataclass
class ThreadEntry:
    """One message in a thread: a citizen's or the page's comment, or our reply."""

    at: datetime
    author: str
    text: str
    from_page: bool
    item: InboxItem | None = None
    reply: Reply | None = None
    deleted_by_municipality: bool = False  # gone because the municipality deleted it


def deleted_by_municipality(item_ids: Iterable[int]) -> set[int]:
    """Which of these items the municipality has decided to delete: a deletion that is
    running (archived, on its way to the platform) or done. One waiting for a second
    approver, turned down or failed has not removed anything (MO-2)."""
    # Moderation builds on the inbox, so it is imported here, not at the top.
    from ordstyrer.moderation.models import ActionKind, ActionStatus, ModerationAction

    return set(
        ModerationAction.objects.filter(
            item__in=list(item_ids),
            kind=ActionKind.DELETE,
            status__in=(ActionStatus.QUEUED, ActionStatus.DONE),
        ).values_list("item_id", flat=True)
    )


@dataclass
class ItemDetail:
    item: InboxItem
    thread: list[ThreadEntry]
    events: list[ItemEvent]
    versions: list[ItemVersion]
    referrals: list[Referral]
    reports: list[UnwantedReport]
    replies: list[Reply]


def item_detail(*, item: InboxItem) -> ItemDetail:
    """The item with its whole thread (the top-level comment, every reply under it, our
    replies), its timeline, earlier versions, referrals and employees' reports."""
    root = item.parent_platform_id or item.platform_id
    conversation = item.conversation  # None (no query) when conversation_id is
    if conversation is not None:
        root = conversation.parent_platform_id or conversation.platform_id
    thread_items = [
        item if i.pk == item.pk else i  # the page's own item is read already, in full
        for i in InboxItem.objects.filter(channel=item.channel_id)
        .filter(Q(platform_id=root) | Q(parent_platform_id=root) | Q(conversation=item))
        .only(*THREAD_FIELDS)
        .order_by("platform_created_at", "received_at", "pk")
    ]
    by_pk = {i.pk: i for i in thread_items}
    replies = list(
        Reply.objects.filter(item__in=[*by_pk, item.pk])
        .select_related("author")
        .order_by("created_at", "pk")
    )
    sent_ids = {r.platform_id for r in replies if r.platform_id}
    gone = [i.pk for i in thread_items if i.removed_at is not None]
    deleted = deleted_by_municipality(gone) if gone else set()
    thread = [
        ThreadEntry(
            at=i.platform_created_at or i.received_at,
            author=i.author_name,
            text=i.text,
            from_page=i.from_page,
            item=i,
            deleted_by_municipality=i.pk in deleted,
        )
        for i in thread_items
        if not (i.from_page and i.platform_id in sent_ids)
    ]
    thread += [
        ThreadEntry(
            at=r.sent_at or r.created_at,
            author=r.author.get_full_name() if r.author else "",
            text=r.text,
            from_page=True,
            reply=r,
        )
        for r in replies
    ]
    thread.sort(key=lambda e: e.at)
    return ItemDetail(
        item=item,
        thread=thread,
        events=list(item.events.select_related("actor").order_by("at", "pk")),
        versions=list(item.versions.order_by("-original", "seen_at", "pk")),
        referrals=list(item.referrals.select_related("actor").order_by("at", "pk")),
        reports=list(item.reports.select_related("reporter").order_by("at", "pk")),
        replies=[r for r in replies if r.item_id == item.pk],
    )


def assignable_people(*, channel: Channel) -> list[User]:
    """The people an item of `channel` may be assigned to: its administrators and
    editors, and communications (CH-3). Only those still active there: able to log in and
    holding a role in the municipality (a departed member may still be on the channel
    until someone removes them; assigning to them would be refused)."""
    members = ChannelMembership.objects.filter(channel=channel, role__in=REPLY_ROLES).values("user")
    communications = RoleAssignment.objects.filter(
        municipality=channel.municipality_id, role=Role.COMMUNICATIONS
    ).values("user")
    in_municipality = RoleAssignment.objects.filter(municipality=channel.municipality_id).values(
        "user"
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, pk__in=in_municipality)
        .filter(Q(pk__in=members) | Q(pk__in=communications))
        .order_by("first_name", "last_name", "username")
    )


def overdue_counts(channel_ids: Sequence[int]) -> dict[int, int]:
    """Open items past their deadline per channel (the CH-5 flag's hook)."""
    if not channel_ids:
        return {}
    return dict(
        InboxItem.objects.filter(
            IS_OPEN, channel_id__in=list(channel_ids), listed=True, due_at__lt=timezone.now()
        )
        .exclude(NOT_WAITING)
        .values("channel_id")
        .annotate(n=Count("pk"))
        .values_list("channel_id", "n")
    )


def reportable_channels(*, municipality: Municipality) -> list[Channel]:
    """The official channels an employee may report an unwanted statement from (DI-11)."""
    return list(
        Channel.objects.filter(
            municipality=municipality, status__in=channel_workflow.OFFICIAL
        ).order_by("name", "pk")
    )
