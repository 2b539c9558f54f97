"""Reads about channels: the registry, the account list, flags, approvers, closures, reviews.

Selectors take the municipality (already resolved through `core.permissions`) and
return rows with everything a page needs, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ordstyrer.channels import rules, workflow
from ordstyrer.channels.models import (
    Channel,
    ChannelEvent,
    ChannelMembership,
    ChannelReview,
    ChannelRole,
    Closure,
    ClosureState,
)
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.permissions import roles_in
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.tenants.selectors import active_main_admin_q

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

# --- the overdue-replies hook (CH-5) ---------------------------------------------------

OverdueCounter = Callable[[Sequence[int]], Mapping[int, int]]


def overdue_reply_counts(channel_ids: Iterable[int]) -> dict[int, int]:
    """Unanswered items past their deadline per channel: the sum of what the counters
    `settings.ORDSTYRER_OVERDUE_COUNTERS` names return (the inbox's); 0 without one, and
    CH-5 then flags only channels without an active main administrator."""
    ids = list(channel_ids)
    counts = dict.fromkeys(ids, 0)
    for counter in getattr(settings, "ORDSTYRER_OVERDUE_COUNTERS", ()):
        for channel_id, count in _counter(counter)(ids).items():
            if channel_id in counts:
                counts[channel_id] += int(count)
    return counts


def _counter(counter: str | OverdueCounter) -> OverdueCounter:
    """A counter given as a function or as its dotted path."""
    return _imported(counter) if isinstance(counter, str) else counter


@lru_cache(maxsize=8)
def _imported(dotted: str) -> OverdueCounter:
    try:
        return import_string(dotted)
    except ImportError as exc:
        raise ImproperlyConfigured(f"ORDSTYRER_OVERDUE_COUNTERS: {exc}") from exc


# --- flags (CH-3, CH-5, CH-6) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    rule: str
    message: StrOrPromise  # a lazy translation, said in the reader's language


def _active_main_admin_filter() -> Q:
    """A main administrator who can still log in and still works in the municipality
    (the one definition: `tenants.selectors.active_main_admin_q`)."""
    return active_main_admin_q(through="memberships__", municipality=F("municipality"))


def flags_for(
    channel: Channel,
    *,
    policy: Any,
    active_main_admins: int,
    overdue: int,
    review_overdue: bool,
) -> list[Flag]:
    """Why a channel needs attention. "Better no dialogue forum than one we cannot follow
    up" (CH-5, Gausdal); every preset needs a main administrator (CH-3)."""
    flags: list[Flag] = []
    if channel.status not in workflow.OFFICIAL:
        return flags
    follow_up = rules.flags_follow_up(policy)
    if active_main_admins == 0:
        flags.append(
            Flag(
                "no_main_admin",
                "CH-5" if follow_up else "CH-3",
                _("Kanalen har ingen aktiv hovedadministrator."),
            )
        )
    if follow_up and overdue > 0 and channel.status in workflow.LIVE:
        flags.append(
            Flag(
                "overdue",
                "CH-5",
                ngettext(
                    "%(count)s henvendelse er ikke besvart innen fristen.",
                    "%(count)s henvendelser er ikke besvart innen fristen.",
                    overdue,
                )
                % {"count": overdue},
            )
        )
    if review_overdue:
        flags.append(Flag("review_overdue", "CH-6", _("Gjennomgangen av kanalen er forsinket.")))
    return flags


# --- the registry ---------------------------------------------------------------------


def _registry_queryset(municipality: Municipality, *, today: date) -> QuerySet[Channel]:
    # The account list names only main administrators who are still here (CH-8): one
    # who left (deactivated, or no role in the municipality any longer) is no owner;
    # the channel is flagged instead (CH-3/CH-5) until a new one is appointed. The one
    # definition (`active_main_admin_q`), as the flag counts them.
    main_admins = (
        ChannelMembership.objects.filter(
            active_main_admin_q(municipality=F("channel__municipality"))
        )
        .distinct()  # one row per person, whatever the number of their roles
        .select_related("user")
        .order_by("user__first_name", "user__username", "id")
    )
    late_review = ChannelReview.objects.filter(
        channel=OuterRef("pk"), completed_at__isnull=True, due_on__lt=today
    )
    # django-stubs refuses to annotate a name the model declares, though Django allows it
    # for a non-column attribute (Channel declares these three for the registry's readers).
    return (
        Channel.objects.filter(municipality=municipality)  # type: ignore[no-redef]
        .select_related("unit")
        .prefetch_related(Prefetch("memberships", queryset=main_admins, to_attr="main_admins"))
        .annotate(
            active_main_admins=Count(
                "memberships", filter=_active_main_admin_filter(), distinct=True
            ),
            review_overdue=Exists(late_review),
        )
    )


def channel_registry(
    *,
    municipality: Municipality,
    policy: Any,
    today: date,
    statuses: Iterable[str] | None = None,
) -> list[Channel]:
    """Every channel of the municipality with `main_admins`, `flags` and
    `overdue_count` set; three queries whatever the number of channels."""
    queryset = _registry_queryset(municipality, today=today)
    if statuses is not None:
        queryset = queryset.filter(status__in=list(statuses))
    channels = list(queryset)
    overdue = overdue_reply_counts(c.pk for c in channels)
    for channel in channels:
        channel.overdue_count = overdue.get(channel.pk, 0)
        channel.flags = flags_for(
            channel,
            policy=policy,
            active_main_admins=channel.active_main_admins,
            overdue=channel.overdue_count,
            review_overdue=channel.review_overdue,
        )
    return channels


def channel_account_list(*, municipality: Municipality, policy: Any, today: date) -> list[Channel]:
    """CH-8: every official account (approved, active, paused, closed)."""
    return channel_registry(
        municipality=municipality, policy=policy, today=today, statuses=workflow.OFFICIAL
    )


def channel_detail_flags(channel: Channel, *, policy: Any, today: date) -> list[Flag]:
    """The flags of one channel (same rules as the registry)."""
    annotated = _registry_queryset(channel.municipality, today=today).get(pk=channel.pk)
    return flags_for(
        annotated,
        policy=policy,
        active_main_admins=annotated.active_main_admins,
        overdue=overdue_reply_counts([channel.pk])[channel.pk],
        review_overdue=annotated.review_overdue,
    )


# --- one channel ----------------------------------------------------------------------


def channel_memberships(*, channel: Channel) -> list[ChannelMembership]:
    return list(channel.memberships.select_related("user").order_by("role", "user__first_name"))


def channel_events(*, channel: Channel) -> list[ChannelEvent]:
    return list(channel.events.select_related("actor").order_by("at", "id"))


def active_main_admin_count(*, channel: Channel) -> int:
    return (
        ChannelMembership.objects.filter(
            active_main_admin_q(municipality=channel.municipality_id), channel=channel
        )
        .values("user")
        .distinct()
        .count()
    )


def main_admin_users(*, channel: Channel) -> list[User]:
    """The channel's active main administrators (CH-3: able to log in and holding a role
    in the municipality, `active_main_admin_q`), whom its notices are sent to. One who
    has left, with the account still active elsewhere, gets no more of them."""
    return [
        m.user
        for m in channel.memberships.filter(
            active_main_admin_q(municipality=channel.municipality_id)
        )
        .distinct()
        .select_related("user")
        .order_by("user__first_name", "id")
    ]


def _decides(
    chain_role: str, *, role: str, unit_id: int | None, channel_unit_id: int | None
) -> bool:
    """Whether a role assignment (`role`, `unit_id`) decides the step `chain_role` of a
    channel of unit `channel_unit_id` (CH-1).

    A unit leader step is for the leader of the channel's unit, or a leader assigned
    without a unit (who leads across units). A channel with no unit has no leader of its
    own: a leader of some other unit is not «your leader» (Indre Fosen: «drøfte det med
    din leder og med avdelinga Kommunikasjon»), so only a leader without a unit decides,
    or communications stands in, as for a post on such a channel
    (`publishing.access.may_approve`). Other steps are for holders of the mapped role.
    """
    holder = workflow.CHAIN_ROLE_HOLDERS[chain_role]
    if chain_role != "unit_leader":
        return role == holder
    if role == holder:
        return unit_id is None or unit_id == channel_unit_id
    return channel_unit_id is None and role == Role.COMMUNICATIONS


def _approver_assignments(channel: Channel, chain_role: str) -> Q:
    """`_decides` as a filter on RoleAssignment."""
    holder = workflow.CHAIN_ROLE_HOLDERS[chain_role]
    if chain_role != "unit_leader":
        return Q(role=holder)
    if channel.unit_id is None:
        return Q(role=holder, unit__isnull=True) | Q(role=Role.COMMUNICATIONS)
    return Q(role=holder) & (Q(unit__isnull=True) | Q(unit=channel.unit_id))


def eligible_approvers(*, channel: Channel, chain_role: str) -> QuerySet[User]:
    """The people who may decide the chain step `chain_role` for this channel (CH-1);
    see `_decides` for who decides a unit leader step."""
    assignments = RoleAssignment.objects.filter(municipality=channel.municipality_id).filter(
        _approver_assignments(channel, chain_role)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=assignments.values("user"))
        .order_by("first_name", "username")
    )


def is_eligible_approver(user: ActorLike, *, channel: Channel, chain_role: str) -> bool:
    if not roles_in(user, channel.municipality):
        return False
    person = user_of(user)
    if person is None:  # not reached: the system holds no role
        return False
    return eligible_approvers(channel=channel, chain_role=chain_role).filter(pk=person.pk).exists()


def is_unit_leader_for(user: ActorLike, *, channel: Channel) -> bool:
    """Whether `user` is the unit leader of the channel: the leader of its unit, or a
    leader assigned without a unit. Communications, who stands in for the leader of a
    channel without a unit when deciding (`_decides`), is not its unit leader: their
    submission is not the leader's assessment (`channel_submit`)."""
    if Role.UNIT_LEADER not in roles_in(user, channel.municipality):
        return False
    person = user_of(user)
    if person is None or not person.is_active:
        return False
    units = Q(unit__isnull=True)
    if channel.unit_id is not None:
        units |= Q(unit=channel.unit_id)
    return (
        RoleAssignment.objects.filter(
            municipality=channel.municipality_id, role=Role.UNIT_LEADER, user=person
        )
        .filter(units)
        .exists()
    )


def barred_from_deciding(person_id: int | None, *, channel: Channel, chain_role: str) -> bool:
    """Whether the person may not decide the step `chain_role` of the channel, however
    eligible (CH-1, four eyes): who submitted the proposal, and who proposed it (the
    unit leader, communications or the chief administrator may submit someone else's
    draft; its proposer must not then approve it alone). A proposer who is the
    channel's unit leader still decides a unit leader step: that is their own
    assessment, as a unit leader's submission is (`channel_submit`)."""
    if person_id is None:
        return False
    if person_id == channel.submitted_by_id:
        return True
    if person_id != channel.proposed_by_id:
        return False
    proposer = channel.proposed_by
    return not (chain_role == "unit_leader" and is_unit_leader_for(proposer, channel=channel))


def barred_deciders(*, channel: Channel, chain_role: str) -> list[int]:
    """The people `barred_from_deciding` the step (its proposer, its submitter)."""
    return [
        pk
        for pk in {channel.submitted_by_id, channel.proposed_by_id}
        if pk is not None and barred_from_deciding(pk, channel=channel, chain_role=chain_role)
    ]


def round_approvals(*, channel: Channel) -> QuerySet[ChannelEvent]:
    """The approvals given in the proposal's current round (CH-1, four eyes: one person
    approves at most one step per round, so none of their `actor`s decides another). The
    one definition the service refuses by (`services._require_current_approver`),
    `permissions.may_decide` asks and `deciders` leaves out; the approval queue reads the
    same events for several proposals at once (`channels_awaiting_decision`)."""
    return channel.events.filter(action="approve", approval_round=channel.approval_round)


def deciders(*, channel: Channel, chain_role: str) -> QuerySet[User]:
    """Who may decide the step `chain_role` now (CH-1): its `eligible_approvers`, less
    those `barred_from_deciding` it and those who approved an earlier step of this round
    (`round_approvals`) — whom the service refuses. Those told the step waits for them
    (`notifications.notify_channel_event`)."""
    approved = round_approvals(channel=channel).filter(actor__isnull=False).values("actor")
    return (
        eligible_approvers(channel=channel, chain_role=chain_role)
        .exclude(pk__in=barred_deciders(channel=channel, chain_role=chain_role))
        .exclude(pk__in=approved)
    )


def channels_awaiting_decision(*, user: ActorLike, municipality: Municipality) -> list[Channel]:
    """Proposals whose current step this person may decide (their approval queue), in
    three queries: their roles, the waiting proposals, their earlier approvals. Their
    own proposals are left out as `barred_from_deciding` says."""
    user = user_of(user)
    if user is None or not user.is_active:
        return []
    held = list(
        RoleAssignment.objects.filter(user=user, municipality=municipality).values_list(
            "role", "unit_id"
        )
    )
    if not held:
        return []
    waiting = list(
        Channel.objects.filter(municipality=municipality, status__in=workflow.AWAITING_DECISION)
        .exclude(submitted_by=user)
        .select_related("unit")
        .order_by("submitted_at", "id")
    )
    approved_by_me = set(
        ChannelEvent.objects.filter(
            channel__in=[c.pk for c in waiting], action="approve", actor=user
        ).values_list("channel_id", "approval_round")
    )

    def leads(channel: Channel) -> bool:  # `is_unit_leader_for`, from the roles held
        return any(
            held_role == Role.UNIT_LEADER and unit_id in (None, channel.unit_id)
            for held_role, unit_id in held
        )

    def may(channel: Channel) -> bool:
        role = channel.current_approver_role
        if role is None or (channel.pk, channel.approval_round) in approved_by_me:
            return False
        if channel.proposed_by_id == user.pk and not (role == "unit_leader" and leads(channel)):
            return False  # their own proposal (`barred_from_deciding`)
        return any(
            _decides(role, role=held_role, unit_id=unit_id, channel_unit_id=channel.unit_id)
            for held_role, unit_id in held
        )

    return [channel for channel in waiting if may(channel)]


# --- closures (CH-9) and reviews (CH-6) -------------------------------------------------


def channel_closures(*, channel: Channel) -> list[Closure]:
    return list(
        channel.closures.select_related("created_by", "ended_by", "notice_published_by")
        .prefetch_related("hidden_comments", "post_switches")
        .order_by("-starts_at", "-id")
    )


def closure_in_effect(*, channel_id: int) -> Closure | None:
    return (
        Closure.objects.filter(channel_id=channel_id, state=ClosureState.IN_EFFECT)
        .order_by("-started_at")
        .first()
    )


def closure_overlaps(*, channel: Channel, starts_at: datetime, ends_at: datetime) -> bool:
    return channel.closures.filter(
        state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT],
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exists()


def channel_reviews(*, channel: Channel) -> list[ChannelReview]:
    return list(channel.reviews.select_related("completed_by").order_by("-due_on", "-id"))


def open_review(*, channel: Channel) -> ChannelReview | None:
    return channel.reviews.filter(completed_at__isnull=True).order_by("due_on").first()


def reviews_for(*, user: ActorLike, municipality: Municipality) -> list[ChannelReview]:
    """Open reviews on channels where this person is main administrator (CH-6)."""
    return list(
        ChannelReview.objects.filter(
            completed_at__isnull=True,
            channel__municipality=municipality,
            channel__memberships__user=user_of(user),
            channel__memberships__role=ChannelRole.MAIN_ADMIN,
        )
        .select_related("channel")
        .order_by("due_on", "id")
        .distinct()
    )
