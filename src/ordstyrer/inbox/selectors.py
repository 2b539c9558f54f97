"""Reads about the inbox: the work list, one item with its whole thread, overdue counts.

Selectors take the municipality (resolved through `core.permissions`) and the viewer,
and return what a page needs in a fixed number of queries, whatever the number of
items: the list uses keyset paging on indexed columns, never OFFSET or a full count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel, ChannelMembership
from ordstyrer.inbox.access import REPLY_ROLES, visible_channel_ids
from ordstyrer.inbox.models import (
    InboxItem,
    ItemEvent,
    ItemVersion,
    Referral,
    Reply,
    UnwantedReport,
)
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment

PAGE_SIZE = 50
COUNT_CAP = 1000
# Open items that do not wait for an answer: moderation candidates (#15).
NO_ANSWER_CATEGORIES = ("spam", "hate_speech")
NOT_WAITING = Q(category__in=NO_ANSWER_CATEGORIES) | Q(hidden=True)
# What a list row shows (presenters.list_rows) and the keyset cursor needs: nothing
# else is read, least of all the JSON columns.
LIST_FIELDS = (
    "pk", "municipality_id", "channel_id", "author_name", "text", "written_standard",
    "category", "status", "open", "due_at", "received_at", "reported", "escalated_at",
    "assignee_id", "channel__name", "assignee__first_name", "assignee__last_name",
    "assignee__username",
)  # fmt: skip
VIEWS = ("open", "all", "resolved")
# What the item page shows of the other messages in a thread (`ThreadEntry`).
THREAD_FIELDS = (
    "pk", "channel_id", "platform_id", "parent_platform_id", "conversation_id", "from_page",
    "author_name", "text", "written_standard", "edited", "removed_at", "platform_created_at",
    "received_at",
)  # fmt: skip


@dataclass(frozen=True)
class InboxFilter:
    view: str = "open"  # open | all | resolved
    channel: int | None = None
    category: str = ""
    overdue: bool = False
    mine: bool = False
    after: str = ""  # keyset cursor
    status: str = ""  # one item status (the API's `status` filter)

    def query(self, **changes: Any) -> dict[str, str]:
        """The filter as GET parameters (for links that keep the other filters)."""
        values = {
            "vis": self.view,
            "kanal": str(self.channel or ""),
            "kategori": self.category,
            "frist": "passert" if self.overdue else "",
            "mine": "1" if self.mine else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v and not (k == "vis" and v == "open")}


def parse_filter(params: Any) -> InboxFilter:
    """Read the list's filters from GET parameters, ignoring anything malformed."""
    view = params.get("vis") or "open"
    channel = params.get("kanal") or ""
    return InboxFilter(
        view=view if view in VIEWS else "open",
        channel=int(channel) if channel.isdigit() else None,
        category=(params.get("kategori") or "")[:30],
        overdue=params.get("frist") == "passert",
        mine=params.get("mine") == "1",
        after=(params.get("etter") or "")[:80],
    )


@dataclass
class InboxPage:
    items: list[InboxItem]
    next_cursor: str | None
    open_count: int
    overdue_count: int
    channels: list[Channel] = field(default_factory=list)


def _cursor(item: InboxItem, view: str) -> str:
    stamp = item.due_at if view == "open" else item.received_at
    return f"{stamp.timestamp():.6f}:{item.pk}" if stamp else f"0:{item.pk}"


def _after(queryset: QuerySet[InboxItem], cursor: str, view: str) -> QuerySet[InboxItem]:
    try:
        stamp_text, pk_text = cursor.split(":", 1)
        stamp = datetime.fromtimestamp(float(stamp_text), tz=UTC)
        pk = int(pk_text)
    except (ValueError, OverflowError, OSError):
        return queryset
    # The plain range (>=, <=) lets the index scan start at the cursor; the OR then
    # breaks ties on the id.
    if view == "open":
        return queryset.filter(due_at__gte=stamp).filter(
            Q(due_at__gt=stamp) | Q(due_at=stamp, pk__gt=pk)
        )
    return queryset.filter(received_at__lte=stamp).filter(
        Q(received_at__lt=stamp) | Q(received_at=stamp, pk__lt=pk)
    )


def inbox_channels(*, user: Any, municipality: Municipality) -> list[Channel]:
    """The channels whose inbox this person reads (for the filter and the report form)."""
    return _channels(municipality, visible_channel_ids(user, municipality))


def _channels(municipality: Municipality, visible: list[int] | None) -> list[Channel]:
    channels = Channel.objects.filter(municipality=municipality).only(
        "pk", "name", "kind", "status", "unit_id", "municipality_id"
    )
    if visible is not None:
        channels = channels.filter(pk__in=visible)
    return list(channels.order_by("name", "pk"))


def inbox_page(
    *,
    user: Any,
    municipality: Municipality,
    filters: InboxFilter,
    now: datetime,
    limit: int = PAGE_SIZE,
) -> InboxPage:
    """One page of the work list: open items by deadline (or all, newest first)."""
    visible = visible_channel_ids(user, municipality)
    channels = _channels(municipality, visible)
    base = InboxItem.objects.filter(municipality=municipality, listed=True)
    if visible is not None:
        base = base.filter(channel_id__in=visible)
    if filters.channel is not None:
        base = base.filter(channel_id=filters.channel)
    if filters.category:
        base = base.filter(category=filters.category)
    if filters.mine:
        base = base.filter(assignee=user)
    # Counted up to a cap: a count is O(rows), and "over 1000" says enough. Spam and
    # hateful speech are moderated, not answered, and hidden items are being moderated:
    # they do not wait for an answer (#15).
    waiting = base.filter(open=True).exclude(NOT_WAITING)
    open_count = waiting.values("pk")[: COUNT_CAP + 1].count()
    overdue_count = waiting.filter(due_at__lt=now).values("pk")[: COUNT_CAP + 1].count()
    if filters.view == "open":
        items = base.filter(open=True).order_by("due_at", "pk")
    elif filters.view == "resolved":
        items = base.filter(open=False).order_by("-received_at", "-pk")
    else:
        items = base.order_by("-received_at", "-pk")
    if filters.overdue:
        items = (
            items.filter(due_at__lt=now)
            if filters.view == "open"
            else items.filter(open=True, due_at__lt=now)
        )
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.after:
        items = _after(items, filters.after, filters.view)
    rows = list(items.select_related("channel", "assignee").only(*LIST_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(
        items=rows,
        next_cursor=_cursor(rows[-1], filters.view) if more and rows else None,
        open_count=open_count,
        overdue_count=overdue_count,
        channels=channels,
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
    if item.conversation_id is not None:
        root = item.conversation.parent_platform_id or item.conversation.platform_id
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
    thread = [
        ThreadEntry(
            at=i.platform_created_at or i.received_at,
            author=i.author_name,
            text=i.text,
            from_page=i.from_page,
            item=i,
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


def assignable_people(*, channel: Channel) -> list[Any]:
    """The people an item of `channel` may be assigned to: its administrators and
    editors, and communications (CH-3)."""
    members = ChannelMembership.objects.filter(channel=channel, role__in=REPLY_ROLES).values("user")
    communications = RoleAssignment.objects.filter(
        municipality=channel.municipality_id, role=Role.COMMUNICATIONS
    ).values("user")
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(pk__in=members) | Q(pk__in=communications))
        .order_by("first_name", "last_name", "username")
    )


def overdue_counts(channel_ids: Sequence[int]) -> dict[int, int]:
    """Open items past their deadline per channel (the CH-5 flag's hook)."""
    if not channel_ids:
        return {}
    return dict(
        InboxItem.objects.filter(
            channel_id__in=list(channel_ids), open=True, listed=True, due_at__lt=timezone.now()
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
