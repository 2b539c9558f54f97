"""Reads for the console: the moderation panel of one inbox item and the log page.

Each selector runs a constant number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.permissions import roles_in
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.triage import category_label
from ordstyrer.moderation.access import (
    log_channel_ids,
    may_moderate,
    may_remove,
)
from ordstyrer.moderation.actions import settings_or_default
from ordstyrer.moderation.bans import (
    blocking_unsupported_reason,
    latest_ban,
    platform_can_block,
    under_way,
)
from ordstyrer.moderation.crisis_notices import may_approve_notice
from ordstyrer.moderation.grounds import allowed_grounds, ground_label
from ordstyrer.moderation.models import (
    OPEN_STATUSES,
    ActionKind,
    ActionStatus,
    ModerationAction,
    NoticeState,
    OpAttempt,
    PlatformOp,
)
from ordstyrer.moderation.notice_followup import retry_ways
from ordstyrer.moderation.notices import language_for
from ordstyrer.tenants.models import Municipality, Role
from ordstyrer.tenants.selectors import policy_for

# MO-3: the grounds under which the archive prepares a police evidence package
# (`archive.police.REPORTABLE_GROUNDS`).
POLICE_GROUNDS = frozenset({"hate_speech", "unlawful", "harassment", "personal_attack"})
PAGE_SIZE = 50


def _lang() -> str:
    return (get_language() or "nb")[:2]


def _actions(queryset: QuerySet[ModerationAction]) -> QuerySet[ModerationAction]:
    return (
        queryset.select_related(
            "channel", "item", "requested_by", "approved_by", "rejected_by", "archive_record"
        )
        .defer("archive_record__canonical")
        .prefetch_related(Prefetch("ops", queryset=PlatformOp.objects.order_by("created_at", "pk")))
    )


@dataclass
class Panel:
    """What the panel shows. Someone who may not moderate gets only `may_moderate=False`
    (the page then says who to ask); nothing else is read for them."""

    item: InboxItem
    may_moderate: bool
    may_remove: bool = False
    mo5: bool = False
    grounds: list[tuple[str, str]] = field(default_factory=list)
    citation: Any = None
    # How the guideline puts deleting (MO-1): the preset's `[house_rules].deletion`, or "".
    deletion_wording: str = ""
    actions: list[ModerationAction] = field(default_factory=list)
    pending_delete: ModerationAction | None = None
    may_approve: bool = False
    deletion: ModerationAction | None = None
    hide_pending: bool = False
    ban: ModerationAction | None = None
    # The ban (or its lifting) is not finished: the opposite act waits (`bans.under_way`).
    ban_running: bool = False
    can_block: bool = False
    blocking_reason: str = ""
    notify_forced: bool = False
    notify_default: bool = False
    notice_language: str = ""
    private_requested: bool = False
    second_approver: bool = False
    # MO-3: the number of the archive record a police evidence package is made from.
    police_sequence: int | None = None
    may_view_archive: bool = False
    mo3: bool = False
    # The automatic triage's suggestion, shown as a suggestion and never pre-selected:
    # the ground's label and the category that led to it (its reason).
    suggested_ground: str = ""
    suggested_label: str = ""
    suggested_reason: str = ""
    flags: list[ModerationAction] = field(default_factory=list)
    # MO-4 notices that did not arrive, each with what can be done (`mark_followups`).
    failed_notices: list[ModerationAction] = field(default_factory=list)
    # PU-12: notices held for the crisis leader (`crisis_notices`), and whether the
    # person lets them go (the crisis leader, a deputy, the preset's approvers).
    held_notices: list[ModerationAction] = field(default_factory=list)
    may_approve_notices: bool = False


def mark_followups(actions: list[ModerationAction], item: InboxItem) -> list[ModerationAction]:
    """The actions whose notice failed, marked with the ways it can still be given
    (`notice_followup.retry_ways`, as the retry accepts them): privately (the platform
    allows it, the comment is still there and within the window for a private reply,
    MO-4) or publicly (never for a comment going with a post taken down)."""
    now = timezone.now()
    failed = [a for a in actions if a.notice_state == NoticeState.FAILED]
    for action in failed:
        action.private_possible, action.public_possible = retry_ways(action, item, now=now)
    return failed


def _panel_actions(item: InboxItem) -> list[ModerationAction]:
    """The item's actions, newest first, with what the panel shows of each: who asked,
    the platform steps, and the archive record's number and ground (not the record)."""
    # django-stubs refuses to annotate a name the model declares, though Django allows it
    # for a non-column attribute (ModerationAction declares these two for the panel).
    actions = list(
        ModerationAction.objects.filter(item=item)  # type: ignore[no-redef]
        .select_related("requested_by")
        .annotate(
            archive_sequence=F("archive_record__sequence"),
            archive_ground=F("archive_record__ground"),
        )
        .prefetch_related(Prefetch("ops", queryset=PlatformOp.objects.order_by("created_at", "pk")))
        .order_by("-requested_at", "-pk")
    )
    for action in actions:  # every action is this item's, on its channel
        action.item = item
        action.channel = item.channel
    return actions


def _held(actions: list[ModerationAction]) -> list[ModerationAction]:
    return [a for a in actions if a.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL]


def item_panel(
    *, user: ActorLike, item: InboxItem, policy: Any = None, crisis_roles: bool = True
) -> Panel:
    """What the inbox item page shows and offers under "Moderering".

    `policy` is the municipality's effective policy if the page has read it already.
    Someone who does not moderate sees the notices held for the crisis leader (PU-12)
    only where `crisis_roles` says they may be one of the crisis staff (the page's
    crisis menu: the crisis leader, communications, the chief administrator, deputies);
    for anyone else the panel reads nothing."""
    channel = item.channel
    if not may_moderate(user, channel):
        held: list[ModerationAction] = []
        if crisis_roles:
            held = list(
                ModerationAction.objects.filter(
                    item=item, notice_state=NoticeState.AWAITING_CRISIS_APPROVAL
                ).order_by("-requested_at", "-pk")
            )
        return Panel(
            item=item,
            may_moderate=False,
            held_notices=held,
            may_approve_notices=bool(held) and may_approve_notice(user, item.municipality),
        )
    municipality = item.municipality
    if policy is None:
        policy = policy_for(municipality=municipality)
    settings = settings_or_default(municipality)
    actions = _panel_actions(item)
    pending = next(
        (
            a
            for a in actions
            if a.kind == ActionKind.DELETE and a.status == ActionStatus.PENDING_APPROVAL
        ),
        None,
    )
    deletion = next(
        (
            a
            for a in actions
            if a.kind == ActionKind.DELETE and a.status in (ActionStatus.QUEUED, ActionStatus.DONE)
        ),
        None,
    )
    grounds = allowed_grounds(policy)
    suggested = next((g for g in (item.triage or {}).get("grounds", []) if g in grounds), "")
    roles = roles_in(user, municipality)
    police = next(
        (
            a.archive_sequence
            for a in actions
            if a.archive_sequence is not None
            and a.archive_ground in POLICE_GROUNDS
            and a.kind in (ActionKind.DELETE, ActionKind.HIDE)
        ),
        None,
    )
    removes = may_remove(user, channel, policy)
    held = _held(actions)
    banning = latest_ban(channel, item.author_platform_id)
    can_block = platform_can_block(channel)
    lang = _lang()
    mo4 = policy.applies("MO-4")
    return Panel(
        item=item,
        may_moderate=True,
        may_remove=removes,
        mo5=policy.applies("MO-5"),
        grounds=[(code, ground_label(code, lang)) for code in grounds],
        citation=policy.citation("MO-1"),
        deletion_wording=policy.preset.house_rules.deletion or "",
        actions=actions,
        pending_delete=pending,
        may_approve=bool(
            pending is not None
            and removes
            and pending.requested_by_id != getattr(user_of(user), "pk", None)
        ),
        deletion=deletion,
        hide_pending=any(a.kind == ActionKind.HIDE and a.status in OPEN_STATUSES for a in actions),
        ban=banning if banning is not None and banning.kind == ActionKind.BAN else None,
        ban_running=banning is not None and under_way(banning),
        can_block=can_block,
        blocking_reason="" if can_block else blocking_unsupported_reason(channel),
        notify_forced=mo4,
        notify_default=mo4 or settings.notify_author,
        notice_language=language_for(item.written_standard),
        private_requested=settings.notice_delivery == "private_reply",
        second_approver=settings.second_approver,
        police_sequence=police,
        may_view_archive=bool(roles & {Role.COMMUNICATIONS, Role.ARCHIVIST}),
        mo3=policy.applies("MO-3"),
        suggested_ground=suggested,
        suggested_label=ground_label(suggested, lang) if suggested else "",
        suggested_reason=category_label(item.category) if suggested and item.category else "",
        flags=[a for a in actions if a.kind == ActionKind.FLAG],
        failed_notices=mark_followups(actions, item),
        held_notices=held,
        may_approve_notices=bool(held) and may_approve_notice(user, municipality),
    )


# --- the log -------------------------------------------------------------------------------

LOG_VIEWS = ("all", "waiting", "failed", "flagged")
# Failed: the platform did not do it, or the author was not told (MO-4) and nobody has
# followed it up yet. (A notice sent again or given another way leaves this list.)
FAILED = Q(status=ActionStatus.FAILED) | Q(notice_state=NoticeState.FAILED)


def moderation_log(
    *,
    user: ActorLike,
    municipality: Municipality,
    view: str = "all",
    channel_id: int | None = None,
    page: Any = 1,
) -> Page:
    """The municipality's moderation actions, newest first, on the channels `user`
    moderates (communications and the chief administrator: every channel)."""
    actions = ModerationAction.objects.filter(municipality=municipality)
    visible = log_channel_ids(user, municipality)
    if visible is not None:
        actions = actions.filter(channel_id__in=visible)
    if channel_id:
        actions = actions.filter(channel_id=channel_id)
    if view == "waiting":
        actions = actions.filter(status__in=OPEN_STATUSES)
    elif view == "failed":
        actions = actions.filter(FAILED)
    elif view == "flagged":
        dealt_with = ModerationAction.objects.filter(item=OuterRef("item"), automatic=False)
        actions = actions.filter(kind=ActionKind.FLAG).exclude(Exists(dealt_with))
    actions = _actions(actions).order_by("-requested_at", "-pk")
    return Paginator(actions, PAGE_SIZE).get_page(page)


def log_counts(*, user: ActorLike, municipality: Municipality) -> dict[str, int]:
    """How many wait for approval or a retry, failed, or are flagged and not dealt with."""
    actions = ModerationAction.objects.filter(municipality=municipality)
    visible = log_channel_ids(user, municipality)
    if visible is not None:
        actions = actions.filter(channel_id__in=visible)
    dealt_with = ModerationAction.objects.filter(item=OuterRef("item"), automatic=False)
    return {
        "waiting": actions.filter(status__in=OPEN_STATUSES).count(),
        "failed": actions.filter(FAILED).count(),
        "flagged": actions.filter(kind=ActionKind.FLAG).exclude(Exists(dealt_with)).count(),
    }


def held_notices(
    *, user: ActorLike, municipality: Municipality
) -> tuple[list[ModerationAction], bool] | None:
    """The notices held for the crisis leader (PU-12, `crisis_notices`), oldest first,
    and whether `user` approves them: the crisis staff who approve see every channel's;
    the channels' moderators see their channels' (and are told they wait). None for
    anyone else. The notice's text only — not the comment, which the crisis leader
    does not read in the inbox (CH-3)."""
    approves = may_approve_notice(user, municipality)
    actions = ModerationAction.objects.filter(
        municipality=municipality, notice_state=NoticeState.AWAITING_CRISIS_APPROVAL
    )
    if not approves:
        visible = log_channel_ids(user, municipality)
        if visible is not None and not visible:
            return None
        if visible is not None:
            actions = actions.filter(channel_id__in=visible)
    found = actions.select_related("channel", "requested_by").order_by("requested_at", "pk")
    return list(found), approves


def log_visible_to(user: ActorLike, municipality: Municipality) -> bool:
    visible = log_channel_ids(user, municipality)
    return visible is None or bool(visible)


def action_detail(action: ModerationAction) -> list[tuple[PlatformOp, list[OpAttempt]]]:
    """The action's platform steps, each with every attempt (two queries)."""
    ops = list(action.ops.order_by("created_at", "pk"))
    attempts: dict[int, list[OpAttempt]] = {op.pk: [] for op in ops}
    for attempt in OpAttempt.objects.filter(op__action=action).order_by("op_id", "number", "pk"):
        attempts[attempt.op_id].append(attempt)
    return [(op, attempts[op.pk]) for op in ops]
