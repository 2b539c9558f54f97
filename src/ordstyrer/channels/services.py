"""Writes about channels: proposal, approval chain, life cycle and per-channel roles.

Every service follows the house template: `transaction.atomic` → permission check →
rows → channel event + audit entry in the same transaction → side effects (e-mail,
platform calls) queued with `transaction.on_commit`. The `actor` is an `ActorLike`: the
request's `Actor` from the console and the API, a bare user from the CLI, tasks and
tests, None for the system. Outsiders get `NotFound`, members without the role
`NotPermitted`; refusals a person can act on are `ServiceError`s. Roles (CH-3) are in `roles.py`,
closures (CH-9) in `closures.py`, reviews (CH-6) in `reviews.py`; all re-exported here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels import rules, tasks, workflow
from ordstyrer.channels.closures import (  # noqa: F401  (public API)
    closure_comment_arrived,
    closure_end,
    closure_mark_notice_published,
    closure_post_published,
    closure_schedule,
    closures_sweep,
    comments_closed,
)
from ordstyrer.channels.models import (
    Channel,
    ChannelKind,
    ChannelMembership,
    ChannelRole,
    ClosureState,
)
from ordstyrer.channels.permissions import (
    forget_channel_roles,
    has_channel_need,
    may_edit_proposal,
)
from ordstyrer.channels.reviews import review_record, reviews_sweep, schedule_next_review  # noqa: F401
from ordstyrer.channels.roles import (  # noqa: F401  (public API)
    channel_role_remove,
    channel_role_set,
    check_member,
    refuse_no_active_main_admin,
)
from ordstyrer.channels.selectors import (
    active_main_admin_count,
    barred_from_deciding,
    is_eligible_approver,
    is_unit_leader_for,
    round_approvals,
)
from ordstyrer.channels.transitions import (
    guard,
    lock_channel,
    log_event,
    transition,
)
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import Conflict, NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.forms import visible_text
from ordstyrer.core.intents import clean_intent_key
from ordstyrer.core.permissions import require
from ordstyrer.core.services import after_commit, person
from ordstyrer.tenants.models import Municipality, Unit
from ordstyrer.tenants.selectors import policy_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PROPOSAL_FIELDS = ("name", "kind", "unit", "url", "platform_id", "purpose", "audience")
MAX_NAME_LENGTH = 120  # `Channel.name`
# Characters a channel name may not hold: control characters (C0 and C1, tab and line
# breaks included: a name is one line), lone surrogates and the two non-characters XML
# 1.0 forbids. The name goes into every archive record of the channel and from there into
# the exports' XML (AR-2).
FORBIDDEN_IN_NAMES = frozenset({"Cc", "Cs"})
NON_CHARACTERS = frozenset("\ufffe\uffff")


def _clean_text(value: Any, limit: int = 5000) -> str:
    return str(value or "").strip()[:limit]


def has_control_characters(text: str) -> bool:
    return any(
        unicodedata.category(char) in FORBIDDEN_IN_NAMES or char in NON_CHARACTERS for char in text
    )


def channel_name_clean(name: Any) -> str:
    """The channel name `name` as it is stored (without the spaces around it), or a
    `ServiceError` saying why it cannot be one. The one check of a channel's name: the
    services that name a channel (`channel_propose`, `channel_update`) and the proposal
    form call it, so the demo, imports and scripts are held to what the console is."""
    name = str(name or "").strip()
    if not visible_text(name):
        raise ServiceError(gettext_lazy("Kanalen må ha et navn."), code="name_missing")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceError(
            gettext_lazy("Navnet på kanalen kan ha høyst 120 tegn."), code="name_too_long"
        )
    if has_control_characters(name):
        raise ServiceError(
            gettext_lazy("Navnet kan ikke inneholde kontrolltegn."),
            rule="AR-2",
            code="control_characters",
        )
    return name


def _apply_proposal_fields(channel: Channel, fields: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in fields.items():
        if key == "plan":
            plan = dict(channel.plan)
            for code, text in (value or {}).items():
                if code in rules.TEXT_PLAN_FIELDS:
                    plan[code] = _clean_text(text)
            if plan != channel.plan:
                channel.plan = plan
                changed.append("plan")
            continue
        if key not in PROPOSAL_FIELDS:
            raise ValueError(f"unknown proposal field {key!r}")
        if key == "unit":
            if value is not None and value.municipality_id != channel.municipality_id:
                raise ServiceError(gettext_lazy("Enheten hører til en annen kommune."))
        elif key == "kind":
            if value not in ChannelKind.values:
                raise ServiceError(
                    lazy_interpolate(gettext_lazy("Ukjent plattform «%(kind)s»."), {"kind": value})
                )
        elif key == "name":
            value = channel_name_clean(value)
        else:
            value = _clean_text(value)
        if getattr(channel, key) != value:
            setattr(channel, key, value)
            changed.append(key)
    return changed


def _name_taken_error() -> ServiceError:
    return ServiceError(
        gettext_lazy("Det finnes allerede en kanal med dette navnet på plattformen.")
    )


class ProposalReplayed(Conflict):
    """The proposal form was posted again (its `intent_key`) by the one whose proposal it
    made: nothing new is proposed; `channel` is the proposal the first post saved."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(
            gettext_lazy("Forslaget er allerede lagret."), rule="CH-1", code="replayed"
        )
        self.channel = channel


def _proposed_with(
    *, actor: ActorLike, municipality: Municipality, intent_key: str
) -> Channel | None:
    """The channel this person proposed with this form (`intent_key`), if it exists."""
    if not intent_key:
        return None
    return Channel.objects.filter(
        municipality=municipality, intent_key=intent_key, proposed_by=person(actor)
    ).first()


def _name_taken(channel: Channel) -> bool:
    return (
        Channel.objects.filter(
            municipality=channel.municipality_id, kind=channel.kind, name=channel.name
        )
        .exclude(pk=channel.pk)
        .exists()
    )


def _set_proposed_main_admin(
    channel: Channel,
    user: User,
    *,
    actor: ActorLike,
    now: datetime,
    replaces: User | None = None,
) -> bool:
    """Name `user` as the proposal's main administrator (CH-2, CH-3); True when that
    changed anything. `replaces` is the one the edit form showed: it steps down in favour
    of `user`. Other main administrators (given that role on the roles panel) stay."""
    check_member(user, channel.municipality, _("Hovedadministratoren"))
    changed = False
    if not channel.memberships.filter(user=user, role=ChannelRole.MAIN_ADMIN).exists():
        ChannelMembership.objects.update_or_create(
            channel=channel,
            user=user,
            defaults={
                "role": ChannelRole.MAIN_ADMIN,
                "granted_by": person(actor),
                "granted_at": now,
            },
        )
        changed = True
    if replaces is not None and replaces.pk != user.pk:
        removed, _kinds = channel.memberships.filter(
            user=replaces, role=ChannelRole.MAIN_ADMIN
        ).delete()
        changed = changed or bool(removed)
        refuse_no_active_main_admin(channel)
    forget_channel_roles(actor)
    return changed


def channel_propose(
    *,
    actor: ActorLike,
    municipality: Municipality,
    name: str,
    kind: str,
    unit: Unit | None = None,
    url: str = "",
    platform_id: str = "",
    purpose: str = "",
    audience: str = "",
    plan: dict[str, str] | None = None,
    main_admin: User | None = None,
    intent_key: str = "",
) -> Channel:
    """Draft a proposal for a new official channel (CH-1, CH-2). Any employee may; it
    is submitted with `channel_submit` once the plan is complete.

    `intent_key` is the proposal form's (`core.intents`): the same form posted again by
    the same person — a double click, Back and resend — proposes nothing and raises
    `ProposalReplayed` with the proposal it saved, instead of the refusal of its name,
    now taken by that very proposal. Checked first, and again when the name turns out
    taken (the two posts at once: the second waits at the insert for the first)."""
    require(actor, municipality, "propose_channel")
    now = timezone.now()
    intent_key = clean_intent_key(intent_key)
    with transaction.atomic():
        first = _proposed_with(actor=actor, municipality=municipality, intent_key=intent_key)
        if first is not None:
            raise ProposalReplayed(first)
        channel = Channel(
            municipality=municipality,
            proposed_by=person(actor),
            created_at=now,
            intent_key=intent_key,
        )
        _apply_proposal_fields(
            channel,
            {
                "name": name,
                "kind": kind,
                "unit": unit,
                "url": url,
                "platform_id": platform_id,
                "purpose": purpose,
                "audience": audience,
                "plan": plan or {},
            },
        )
        if _name_taken(channel):
            raise _replayed_or_name_taken(actor, municipality, intent_key)
        channel.last_activity_at = now
        channel.status_changed_at = now
        channel.status_changed_by = person(actor)
        try:
            # The check above holds no lock: the same form posted twice at once (a
            # double click) meets the unique name at the insert, once the first has
            # committed, and is told it was saved (or, another form, the name is taken).
            with transaction.atomic():
                channel.save()
        except IntegrityError:
            raise _replayed_or_name_taken(actor, municipality, intent_key) from None
        if main_admin is not None:
            _set_proposed_main_admin(channel, main_admin, actor=actor, now=now)
        log_event(
            channel,
            action="propose",
            actor=actor,
            now=now,
            to_status=channel.status,
        )
    return channel


def _replayed_or_name_taken(
    actor: ActorLike, municipality: Municipality, intent_key: str
) -> ServiceError:
    """Why a proposal's name is taken: by the proposal its own form saved already (a
    replay), or by another channel."""
    first = _proposed_with(actor=actor, municipality=municipality, intent_key=intent_key)
    return ProposalReplayed(first) if first is not None else _name_taken_error()


def _require_proposal_editor(actor: ActorLike, channel: Channel) -> None:
    require(actor, channel.municipality, "read")
    if not may_edit_proposal(actor, channel):
        raise NotPermitted(
            gettext_lazy(
                "Bare den som foreslo kanalen, enhetslederen eller kommunikasjon kan endre den."
            )
        )


def channel_update(
    *,
    actor: ActorLike,
    channel: Channel,
    main_admin: User | None = None,
    replaces_main_admin: User | None = None,
    **fields: Any,
) -> Channel:
    """Edit a draft or rejected proposal (name, platform, unit, URL, plan fields).

    `main_admin` names a main administrator; only `replaces_main_admin` (the one the
    edit form showed before it was changed) steps down for them, so the main
    administrators added on the roles panel are kept (CH-3). None: no change."""
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_proposal_editor(actor, channel)
        if channel.status not in workflow.EDITABLE:
            raise ServiceError(
                gettext_lazy("Forslaget kan bare endres som utkast eller etter avslag."),
                rule="CH-1",
            )
        changed = _apply_proposal_fields(channel, fields)
        if _name_taken(channel):
            raise _name_taken_error()
        if changed:
            channel.save(update_fields=changed)
        if main_admin is not None and _set_proposed_main_admin(
            channel, main_admin, actor=actor, now=now, replaces=replaces_main_admin
        ):
            changed.append("main_admin")
        if changed:
            log_event(
                channel,
                action="update",
                actor=actor,
                now=now,
                from_status=channel.status,
                to_status=channel.status,
                data={"fields": changed},
            )
    return channel


def plan_values(channel: Channel) -> dict[str, str]:
    """The CH-2 plan as code → the text a reader sees of it (`visible_text`: a field of
    zero-width characters is empty), the main administrator included: one who can still
    log in and works in the municipality (CH-3), not one who has left."""
    values = {code: str(channel.plan.get(code) or "") for code in rules.TEXT_PLAN_FIELDS}
    values["purpose"] = channel.purpose
    values["audience"] = channel.audience
    values = {code: visible_text(text) for code, text in values.items()}
    values["main_admin"] = "yes" if active_main_admin_count(channel=channel) else ""
    return values


def channel_submit(*, actor: ActorLike, channel: Channel) -> Channel:
    """Send the proposal to the first approver of the municipality's chain (CH-1).

    The plan must hold the fields the policy requires (CH-2). The chain is copied onto
    the channel, so a later policy change does not move a proposal under way. A unit
    leader who submits for their own unit has made the unit leader's assessment.
    """
    now = timezone.now()
    policy = policy_for(municipality=channel.municipality)
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_proposal_editor(actor, channel)
        guard(channel, "submit")
        missing = workflow.missing_plan_fields(
            plan_values(channel), rules.required_plan_fields(policy)
        )
        if missing:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Planen mangler: %(fields)s."),
                    {"fields": ", ".join(rules.plan_field_label(code) for code in missing)},
                ),
                rule="CH-2",
                code="plan_incomplete",
            )
        chain = rules.approval_chain(policy)
        endorsed = (
            1 if chain[:1] == ["unit_leader"] and is_unit_leader_for(actor, channel=channel) else 0
        )
        progress = workflow.after_submission(chain, endorsed_steps=endorsed)
        channel.approval_chain = chain
        channel.approval_round += 1
        channel.approval_step = 0
        channel.rejection_reason = ""
        channel.submitted_by = person(actor)
        channel.submitted_at = now
        transition(
            channel,
            action="submit",
            actor=actor,
            now=now,
            extra_fields=(
                "approval_chain",
                "approval_round",
                "approval_step",
                "rejection_reason",
                "submitted_by",
                "submitted_at",
            ),
            data={"chain": chain},
        )
        if progress.step > 0 or progress.complete:
            _record_approval(
                channel,
                actor=actor,
                now=now,
                progress=progress,
                role=chain[0] if chain else "",
                note=_("Sendt inn av enhetslederen for enheten.") if chain else "",
            )
        else:
            after_commit(tasks.channel_notify, channel_id=channel.pk, event="awaiting_decision")
    return channel


def _record_approval(
    channel: Channel,
    *,
    actor: ActorLike,
    now: datetime,
    progress: workflow.ApprovalProgress,
    role: str,
    note: str,
) -> None:
    channel.approval_step = progress.step
    fields: tuple[str, ...] = ("approval_step",)
    if progress.complete:
        channel.approved_at = now
        fields += ("approved_at",)
    transition(
        channel,
        action="approve",
        actor=actor,
        now=now,
        to_status=progress.status,
        note=note,
        approver_role=role,
        extra_fields=fields,
    )
    event = "approved" if progress.complete else "awaiting_decision"
    after_commit(tasks.channel_notify, channel_id=channel.pk, event=event)


def _require_current_approver(actor: ActorLike, channel: Channel) -> str:
    require(actor, channel.municipality, "read")
    role = channel.current_approver_role
    if role is None:
        raise ServiceError(gettext_lazy("Forslaget venter ikke på godkjenning."), rule="CH-1")
    if not is_eligible_approver(actor, channel=channel, chain_role=role):
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy("Dette steget skal avgjøres av %(role)s (CH-1)."),
                {"role": rules.role_label(role)},
            )
        )
    if barred_from_deciding(getattr(user_of(actor), "pk", None), channel=channel, chain_role=role):
        raise ServiceError(gettext_lazy("Du kan ikke avgjøre ditt eget forslag."), rule="CH-1")
    decided_before = round_approvals(channel=channel).filter(actor=person(actor)).exists()
    if decided_before:
        raise ServiceError(
            gettext_lazy("Du har allerede godkjent et steg; neste steg skal avgjøres av en annen."),
            rule="CH-1",
        )
    return role


def _require_shown(channel: Channel, approval_round: int | None, approval_step: int | None) -> None:
    """Refuse a decision confirmed for another round or step than the proposal is at
    now (a confirmation page left open while the step was decided, or the proposal
    rejected, changed and sent in again): it decides nothing. None: not given."""
    if (approval_round is not None and approval_round != channel.approval_round) or (
        approval_step is not None and approval_step != channel.approval_step
    ):
        raise Conflict(
            gettext_lazy(
                "Forslaget har gått videre eller er endret siden du så det. Ingenting er "
                "avgjort: se over forslaget slik det er nå."
            ),
            rule="CH-1",
            code="stale",
        )


@dataclass(frozen=True, slots=True)
class DecisionPreview:
    """What approving or rejecting the proposal's current step will do (CH-1), for the
    confirmation page, with the round and step it is for."""

    action: str  # "approve" or "reject"
    role: str  # the chain role of the step decided
    step: int  # its index in the chain
    steps: int  # the chain's length
    approval_round: int
    # Approving: the role of the next step, whose holders are told it waits for them;
    # None: the channel becomes approved (and its proposer and main administrators told).
    next_role: str | None


def channel_decision_preview(*, actor: ActorLike, channel: Channel, action: str) -> DecisionPreview:
    """The consequence of `channel_approve` or `channel_reject` as things stand. A read:
    it refuses where the services would (the state, the step's approver, no decision on
    one's own proposal, one step per person), so nobody confirms what cannot happen."""
    if action not in ("approve", "reject"):
        raise ValueError(f"not a decision: {action!r}")
    guard(channel, action)
    role = _require_current_approver(actor, channel)
    return DecisionPreview(
        action=action,
        role=role,
        step=channel.approval_step,
        steps=len(channel.approval_chain),
        approval_round=channel.approval_round,
        next_role=(
            workflow.next_approver(channel.approval_chain, channel.approval_step)
            if action == "approve"
            else None
        ),
    )


def channel_approve(
    *,
    actor: ActorLike,
    channel: Channel,
    comment: str = "",
    approval_round: int | None = None,
    approval_step: int | None = None,
) -> Channel:
    """The approver of the current chain step approves (CH-1); the last step makes the
    channel approved, otherwise the next approver is notified. `approval_round` and
    `approval_step`, where given, are those the confirmation showed: another round or
    step decides nothing (`_require_shown`)."""
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_shown(channel, approval_round, approval_step)
        guard(channel, "approve")
        role = _require_current_approver(actor, channel)
        progress = workflow.after_approval(channel.approval_chain, channel.approval_step)
        _record_approval(
            channel, actor=actor, now=now, progress=progress, role=role, note=_clean_text(comment)
        )
    return channel


def channel_reject(
    *,
    actor: ActorLike,
    channel: Channel,
    reason: str,
    approval_round: int | None = None,
    approval_step: int | None = None,
) -> Channel:
    """The approver of the current step rejects, with a reason the proposer can act on;
    `approval_round` and `approval_step` as for `channel_approve`."""
    reason = _clean_text(reason)
    if not visible_text(reason):
        raise ServiceError(gettext_lazy("Skriv hvorfor forslaget avvises."), rule="CH-1")
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_shown(channel, approval_round, approval_step)
        guard(channel, "reject")
        role = _require_current_approver(actor, channel)
        channel.rejection_reason = reason
        transition(
            channel,
            action="reject",
            actor=actor,
            now=now,
            note=reason,
            approver_role=role,
            extra_fields=("rejection_reason",),
        )
        after_commit(tasks.channel_notify, channel_id=channel.pk, event="rejected")
    return channel


def channel_withdraw(*, actor: ActorLike, channel: Channel) -> Channel:
    """Take a submitted proposal back to draft (to change it before a decision)."""
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_proposal_editor(actor, channel)
        guard(channel, "withdraw")
        transition(channel, action="withdraw", actor=actor, now=now)
    return channel


def _require_manager(actor: ActorLike, channel: Channel) -> None:
    require(actor, channel.municipality, "read")
    if not has_channel_need(actor, channel, "manage"):
        raise NotPermitted(
            gettext_lazy("Bare kanalens hovedadministrator eller kommunikasjon kan gjøre dette.")
        )


def channel_activate(
    *, actor: ActorLike, channel: Channel, url: str | None = None, platform_id: str | None = None
) -> Channel:
    """Take an approved channel into use. It must have an active main administrator
    (CH-3); where the policy asks for reviews, the first one is scheduled (CH-6)."""
    now = timezone.now()
    policy = policy_for(municipality=channel.municipality)
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_manager(actor, channel)
        guard(channel, "activate")
        if active_main_admin_count(channel=channel) == 0:
            raise ServiceError(
                gettext_lazy("Kanalen må ha minst én aktiv hovedadministrator før den tas i bruk."),
                rule="CH-3",
            )
        fields: list[str] = ["activated_at"]
        if url is not None:
            channel.url = _clean_text(url, 500)
            fields.append("url")
        if platform_id is not None:
            channel.platform_id = _clean_text(platform_id, 120)
            fields.append("platform_id")
        channel.activated_at = now
        transition(channel, action="activate", actor=actor, now=now, extra_fields=tuple(fields))
        schedule_next_review(channel, policy=policy, after=timezone.localdate(now))
    return channel


def channel_pause(*, actor: ActorLike, channel: Channel, reason: str = "") -> Channel:
    """Stop using the channel for a while (no closure notice; see CH-9 for that)."""
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_manager(actor, channel)
        transition(channel, action="pause", actor=actor, now=now, note=_clean_text(reason))
    return channel


def channel_resume(*, actor: ActorLike, channel: Channel) -> Channel:
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        _require_manager(actor, channel)
        transition(channel, action="resume", actor=actor, now=now)
    return channel


@dataclass(frozen=True, slots=True)
class RetirePreview:
    """What retiring a channel will do, counted before anyone confirms it."""

    reason: str
    open_items: int  # open inbox items that will be closed
    queued_replies: int  # replies not yet sent that will be withdrawn
    crisis_replies: int  # replies waiting for the crisis leader, withdrawn too
    planned_closures: int  # scheduled closures that will be cancelled (CH-9)
    closure_in_effect: bool  # a closure in effect ends; comments stay off
    planned_posts: int  # posts still to go out here: not published here (other channels: yes)
    connected: bool  # its platform connection is disconnected and the token forgotten


def _retire_guard(actor: ActorLike, channel: Channel, reason: str) -> str:
    """The refusals of a retirement, for the confirmation and the act alike; the cleaned
    reason."""
    reason = _clean_text(reason)
    if not visible_text(reason):
        raise ServiceError(gettext_lazy("Skriv hvorfor kanalen avvikles."))
    _require_manager(actor, channel)
    guard(channel, "retire")
    return reason


def channel_retire_preview(*, actor: ActorLike, channel: Channel, reason: str) -> RetirePreview:
    """The consequence of `channel_retire`, shown on its confirmation page (retiring is a
    deliberate act: it cannot be undone). A read: it refuses where the service would, so
    nobody confirms what cannot happen, and writes nothing. The counts are what the
    service settles: the inbox items and replies of `channel_inbox_settle`, the closures
    of `cancel_open_closures`, the deliveries of `publishing.delivery.channel_deliveries_hold`
    and the connection of `platforms.connections.connection_disconnect`."""
    from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
    from ordstyrer.inbox.replies import PENDING
    from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection

    reason = _retire_guard(actor, channel, reason)
    replies = Reply.objects.filter(item__channel=channel, status__in=PENDING)
    crisis = replies.filter(status=ReplyStatus.AWAITING_CRISIS_APPROVAL).count()
    return RetirePreview(
        reason=reason,
        open_items=InboxItem.objects.filter(channel=channel, open=True, listed=True).count(),
        queued_replies=replies.count() - crisis,
        crisis_replies=crisis,
        planned_closures=channel.closures.filter(state=ClosureState.SCHEDULED).count(),
        closure_in_effect=channel.closures.filter(state=ClosureState.IN_EFFECT).exists(),
        planned_posts=_planned_posts(channel, now=timezone.now()),
        connected=PlatformConnection.objects.filter(channel=channel)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .exists(),
    )


def _planned_posts(channel: Channel, *, now: datetime) -> int:
    """The posts still to go out on the channel, which its retirement stops there: the
    deliveries `publishing.delivery.channel_deliveries_hold` fails once the channel is
    retired (queued or scheduled on a post under way, held for its time, or waiting on
    the platform's scheduler and not yet due)."""
    from ordstyrer.publishing.models import DeliveryStatus, PostChannel, PostStatus

    waiting = DeliveryStatus.SCHEDULED
    return (
        PostChannel.objects.filter(channel=channel)
        .filter(
            Q(
                status__in=(DeliveryStatus.QUEUED, waiting),
                post__status__in=(PostStatus.PUBLISHING, PostStatus.SCHEDULED),
            )
            | Q(status=waiting, platform_scheduled=True)
            | Q(status=waiting, post__status=PostStatus.FAILED)
        )
        .exclude(status=waiting, platform_scheduled=True, post__publish_at__lte=now)
        .values("post")
        .distinct()
        .count()
    )


def channel_retire(*, actor: ActorLike, channel: Channel, reason: str) -> Channel:
    """Retire the channel for good; planned closures are cancelled, one in effect ends
    (comments stay off on the platform: the channel is no longer followed up).

    Nothing is said in the municipality's name on it any longer (CH-1, CH-3): in the same
    transaction its inbox is settled (`inbox.services.channel_inbox_settle`: replies not
    yet sent are withdrawn, open items closed with the reason in their timeline), and
    the inbox refuses replies on it (`inbox.access.require_in_use`).

    Nor is anything published on it: the posts still to go out there are stopped at once
    (`publishing.delivery.channel_deliveries_hold`; their copies on other channels go out
    as planned), and, once committed, their copies on the platform's own scheduler are
    cancelled there while the channel's token still reaches it
    (`publishing.delivery.channel_cancel_scheduled`; one that cannot be says so on its
    post). The console disconnects its platform connection right after
    (`views._retire`), and the platforms' token sweep disconnects a retired channel's
    connection within the hour however it was retired
    (`platforms.connections.retired_connections_disconnect`); the platforms neither check
    a retired channel's connection nor ask anyone to connect it again (`platforms.health`,
    the start page)."""
    from ordstyrer.channels.closures import cancel_open_closures
    from ordstyrer.inbox.services import channel_inbox_settle
    from ordstyrer.publishing.delivery import channel_cancel_scheduled, channel_deliveries_hold

    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        reason = _retire_guard(actor, channel, reason)
        cancel_open_closures(channel, actor=actor, now=now)
        settled = channel_inbox_settle(channel=channel, actor=actor, now=now, reason=reason)
        channel.retired_at = now
        transition(
            channel,
            action="retire",
            actor=actor,
            now=now,
            note=reason,
            extra_fields=("retired_at",),
            data={"inbox_items_closed": settled},
        )
        # After the transition: it stops what is to go out on a channel not in use.
        channel_deliveries_hold(channel_id=channel.pk, now=now)
    # Before anyone disconnects the channel (CH-1): a platform call, never inside the
    # transaction.
    channel_cancel_scheduled(channel_id=channel.pk)
    return channel


def channel_record_activity(*, channel_id: int, at: datetime) -> bool:
    """Stamp "last activity" (CH-8) when a post, reply or moderation happened on the
    channel; called by publishing and the inbox. Only ever moves forward. Not audited:
    the action that caused it is."""
    updated = (
        Channel.objects.filter(pk=channel_id)
        .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at))
        .update(last_activity_at=at)
    )
    return bool(updated)
