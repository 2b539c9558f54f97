"""Closure periods (CH-9): a clear notice of why and for how long, and no commenting.

A closure is scheduled with a reason and a period. When it starts, the channel is
`closed` and a task switches comments off on the platform (`CommentSwitch`), leaving out
posts whose comments were off already; where the platform cannot, new comments are
hidden as they arrive and listed for afterwards. A comment that still arrives during a
closure is hidden in every mode, and the post it came on (or one published during the
closure, `closure_post_published`) is switched off as well. Each such comment and post
is a row (`ClosureHiddenComment`, `ClosurePostSwitch`) written before the platform is
asked, so that one the platform failed on, or whose task was lost, is tried again by
`closures_platform_sweep` while the closure is in effect; one it refused for good is
shown on the closure page for people to act on.
Where the municipality's policy applies CH-9, a closure does not start before its notice
is marked published (`closure_mark_notice_published`): at its time it waits, shown as
waiting on its page and on the start page of the people who manage the channel (from
`NOTICE_REMINDER` before), and starts once the notice is out.
When it ends the channel opens again by itself: `closures_sweep` runs in every worker
and claims each row with a compare-and-set update, so several workers never start or
end the same closure twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ordstyrer.channels import platform, tasks, workflow
from ordstyrer.channels.models import (
    Channel,
    Closure,
    ClosureHiddenComment,
    ClosurePostSwitch,
    ClosureState,
    CommentMode,
)
from ordstyrer.channels.notice import closure_notice
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel, log_event, transition
from ordstyrer.connectors.base import Capability, ErrorCode
from ordstyrer.connectors.registry import connector_class
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.forms import visible_text
from ordstyrer.core.services import after_commit, person
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

logger = logging.getLogger("ordstyrer.channels")

SWEEP_BATCH = 200
# How long before a closure's start the people who manage the channel are reminded of
# a notice not yet published (where the policy applies CH-9: it does not start without).
NOTICE_REMINDER = timedelta(hours=24)
# How far from now a closure's start and end may lie: one that began up to a year ago is
# recorded (it closes the channel at once), and one is planned at most a year ahead, as
# a post is (`publishing.services._publish_at`). Further out it is a slip of the keyboard
# (year 1 cannot even be stored: converting it to UTC overflows) or a channel to retire.
CLOSURE_REACH = timedelta(days=366)


def notice_required(policy: Any) -> bool:
    """CH-9 applied: a closure starts only once its notice is marked published."""
    return bool(policy.applies("CH-9"))


def closure_waits_for_notice(closure: Closure, *, required: bool, now: datetime) -> bool:
    """Whether a closure whose time has come waits for its notice (`required`: the
    channel's policy applies CH-9, `notice_required`)."""
    return (
        required
        and closure.state == ClosureState.SCHEDULED
        and closure.notice_published_at is None
        and closure.starts_at <= now < closure.ends_at
    )


def closure_time_refusal(value: datetime, *, now: datetime) -> Any:
    """Why a closure may not start or end at `value` (an aware time), or None."""
    if now - CLOSURE_REACH <= value <= now + CLOSURE_REACH:
        return None
    return gettext_lazy("Velg et tidspunkt innen ett år fra nå.")


def closure_notice_text(closure: Closure, lang: str = "nb", *, policy: Any = None) -> str:
    """The notice for the editor to publish (CH-9), in Bokmål (`nb`) or Nynorsk (`nn`),
    pointing urgent questions to where the policy sends formal inquiries (DI-7). It says
    what the closure does on the channel's platform: commenting switched off, or (a
    Facebook Page, which has no comment switch) new comments hidden as they arrive."""
    channel = closure.channel
    # The connector's declared capabilities, as `platform.comments_off` asks them (no
    # platform call): without a switch the closure falls back to hiding.
    declared: frozenset[Capability] = getattr(
        connector_class(channel.kind), "capabilities", frozenset()
    )
    comments_off = {Capability.COMMENT_SWITCH, Capability.COMMENT_SOURCE} <= declared
    policy = policy or policy_for(municipality=channel.municipality)
    inquiry = policy.formal_inquiry
    return closure_notice(
        channel_name=channel.name,
        municipality_name=channel.municipality.name,
        reason=closure.reason,
        starts_at=closure.starts_at,
        ends_at=closure.ends_at,
        lang=lang,
        email=inquiry.email if inquiry else None,
        phone=inquiry.phone if inquiry else None,
        website=policy.domains[0] if policy.domains else None,
        comments_off=comments_off,
    )


def _audit(closure: Closure, action: str, actor: ActorLike, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        municipality=closure.channel.municipality,
        obj=closure,
        data={"channel_id": closure.channel_id, **data},
    )


def _clean_reason(reason: str) -> str:
    return " ".join(str(reason or "").split())


def _refuse_period(reason: str, starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    """A closure's reason and period as `closure_schedule` refuses them (CH-9)."""
    if not visible_text(reason):  # zero-width characters only say nothing either
        raise ServiceError(
            gettext_lazy("Skriv hvorfor kanalen stenges; det står i beskjeden."), rule="CH-9"
        )
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("closure times must be timezone-aware")
    for value in (starts_at, ends_at):
        refusal = closure_time_refusal(value, now=now)
        if refusal:
            raise ServiceError(refusal, rule="CH-9")
    if ends_at <= starts_at:
        raise ServiceError(gettext_lazy("Slutten må komme etter starten."), rule="CH-9")
    if ends_at <= now:
        raise ServiceError(gettext_lazy("Perioden er allerede over."), rule="CH-9")


def _refuse_on_channel(channel: Channel, starts_at: datetime, ends_at: datetime) -> None:
    """What about the channel stops a closure of this period (CH-9)."""
    if channel.status not in workflow.LIVE:
        raise ServiceError(gettext_lazy("Bare kanaler i bruk kan stenges."), rule="CH-9")
    overlapping = channel.closures.filter(
        state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT],
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if overlapping.exists():
        raise ServiceError(
            gettext_lazy("Kanalen er allerede stengt i en del av perioden."), rule="CH-9"
        )


@dataclass(frozen=True, slots=True)
class ClosurePreview:
    """What `closure_schedule` will do, for the confirmation of a closure that has begun."""

    reason: str
    starts_at: datetime
    ends_at: datetime
    # The policy applies CH-9: a closure whose period has begun does not close the
    # channel at once, but once its notice is marked published.
    waits_for_notice: bool


def closure_schedule_preview(
    *, actor: ActorLike, channel: Channel, reason: str, starts_at: datetime, ends_at: datetime
) -> ClosurePreview:
    """The consequence of `closure_schedule` with these values as things stand, refused
    as it would refuse them; writes nothing."""
    reason = _clean_reason(reason)
    now = timezone.now()
    _refuse_period(reason, starts_at, ends_at, now=now)
    require_channel_role(actor, channel, "manage")
    _refuse_on_channel(channel, starts_at, ends_at)
    return ClosurePreview(
        reason=reason[:2000],
        starts_at=starts_at,
        ends_at=ends_at,
        waits_for_notice=notice_required(policy_for(municipality=channel.municipality)),
    )


def closure_planned(
    *, channel: Channel, reason: str, starts_at: datetime, ends_at: datetime
) -> Closure | None:
    """The planned or running closure of exactly this reason and period, if there is one:
    what a replayed form (a double click, the browser's resend) finds once the first
    one went through."""
    return (
        channel.closures.filter(
            state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT],
            reason=_clean_reason(reason)[:2000],
            starts_at=starts_at,
            ends_at=ends_at,
        )
        .order_by("pk")
        .first()
    )


def closure_schedule(
    *, actor: ActorLike, channel: Channel, reason: str, starts_at: datetime, ends_at: datetime
) -> Closure:
    """Plan a closure (CH-9). A period that has already begun closes the channel at once
    (where the policy applies CH-9, once its notice is marked published); the console
    asks for a confirmation first (`closure_schedule_preview`)."""
    reason = _clean_reason(reason)
    now = timezone.now()
    _refuse_period(reason, starts_at, ends_at, now=now)
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        _refuse_on_channel(channel, starts_at, ends_at)
        closure = Closure.objects.create(
            channel=channel,
            reason=reason[:2000],
            starts_at=starts_at,
            ends_at=ends_at,
            state=ClosureState.SCHEDULED,
            created_by=person(actor),
            created_at=now,
        )
        closure.channel = channel
        _audit(
            closure,
            "closure_schedule",
            actor,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            reason=closure.reason,
        )
        if starts_at <= now:
            _start(closure.pk, now=now, actor=actor)
            closure.refresh_from_db()
    return closure


def _start(
    closure_id: int, *, now: datetime, actor: ActorLike, required: bool | None = None
) -> bool:
    """Claim a scheduled closure and close the channel (inside transaction.atomic).

    Where the policy applies CH-9 (`required`, looked up when None) a closure whose
    notice is not marked published is not claimed: it waits for its notice."""
    claim = Closure.objects.filter(pk=closure_id, state=ClosureState.SCHEDULED)
    if required is None:
        municipality = Municipality.objects.filter(channels__closures__pk=closure_id).first()
        required = municipality is not None and notice_required(
            policy_for(municipality=municipality)
        )
    if required:
        claim = claim.filter(notice_published_at__isnull=False)
    claimed = claim.update(state=ClosureState.IN_EFFECT, started_at=now)
    if not claimed:
        return False
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    channel = lock_channel(closure.channel_id)
    if channel.status == workflow.ACTIVE:
        transition(channel, action="close", actor=actor, now=now, note=closure.reason)
    _audit(closure, "closure_start", actor)
    after_commit(tasks.closure_platform_close, closure_id=closure_id)
    return True


def _finish(closure_id: int, *, now: datetime, actor: ActorLike) -> bool:
    """Claim a closure in effect and open the channel again (inside transaction.atomic)."""
    claimed = Closure.objects.filter(pk=closure_id, state=ClosureState.IN_EFFECT).update(
        state=ClosureState.ENDED, ended_at=now, ended_by=person(actor)
    )
    if not claimed:
        return False
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    channel = lock_channel(closure.channel_id)
    still_closed = channel.closures.filter(state=ClosureState.IN_EFFECT).exists()
    if channel.status == workflow.CLOSED and not still_closed:
        transition(channel, action="reopen", actor=actor, now=now)
    _audit(closure, "closure_end", actor, early=closure.ends_at > now)
    after_commit(tasks.closure_platform_reopen, closure_id=closure_id)
    return True


def _lapse(closure_id: int, *, now: datetime, waited: bool = False) -> bool:
    """A scheduled closure whose whole period passed without it starting: record it,
    and why (`waited`: its notice was never marked published, CH-9; otherwise no worker
    ran)."""
    note = (
        _("Perioden gikk ut uten at beskjeden ble publisert, så kanalen ble ikke stengt.")
        if waited
        else _("Perioden gikk ut før den ble startet (ingen bakgrunnsjobb kjørte).")
    )
    return bool(
        Closure.objects.filter(
            pk=closure_id, state=ClosureState.SCHEDULED, ends_at__lte=now
        ).update(state=ClosureState.ENDED, ended_at=now, platform_note=note)
    )


def closure_end(*, actor: ActorLike, closure: Closure) -> Closure:
    """End a closure now: one in effect opens the channel early, a planned one is cancelled."""
    now = timezone.now()
    with transaction.atomic():
        closure = Closure.objects.select_related("channel__municipality").get(pk=closure.pk)
        require_channel_role(actor, closure.channel, "manage")
        if closure.state == ClosureState.IN_EFFECT:
            _finish(closure.pk, now=now, actor=actor)
        elif closure.state == ClosureState.SCHEDULED:
            Closure.objects.filter(pk=closure.pk, state=ClosureState.SCHEDULED).update(
                state=ClosureState.CANCELLED, ended_at=now, ended_by=person(actor)
            )
            _audit(closure, "closure_cancel", actor)
        else:
            raise ServiceError(gettext_lazy("Stengingen er allerede avsluttet."), rule="CH-9")
        closure.refresh_from_db()
    return closure


def cancel_open_closures(channel: Channel, *, actor: ActorLike, now: datetime) -> None:
    """Used when a channel is retired (inside its transaction)."""
    for closure in channel.closures.filter(
        state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT]
    ):
        state = (
            ClosureState.CANCELLED
            if closure.state == ClosureState.SCHEDULED
            else ClosureState.ENDED
        )
        Closure.objects.filter(pk=closure.pk, state=closure.state).update(
            state=state, ended_at=now, ended_by=person(actor)
        )
        closure.channel = channel
        _audit(closure, "closure_cancel", actor, retired=True)


def _locked_to_manage(actor: ActorLike, closure: Closure) -> Closure:
    """The closure locked for update (inside transaction.atomic), refused to anyone who
    may not manage its channel."""
    locked = (
        Closure.objects.select_for_update()
        .select_related("channel__municipality")
        .get(pk=closure.pk)
    )
    require_channel_role(actor, locked.channel, "manage")
    return locked


def closure_mark_notice_published(*, actor: ActorLike, closure: Closure) -> Closure:
    """The editor confirms the notice is on the channel (CH-9: a clear notice). A closure
    whose time has come and that waited for its notice starts at once (the sweep would
    within half a minute). Idempotent: marked once, a second click changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        closure = _locked_to_manage(actor, closure)
        if closure.state not in (ClosureState.SCHEDULED, ClosureState.IN_EFFECT):
            raise ServiceError(gettext_lazy("Stengingen er allerede avsluttet."), rule="CH-9")
        if closure.notice_published_at is not None:
            return closure
        closure.notice_published_at = now
        closure.notice_published_by = person(actor)
        closure.save(update_fields=["notice_published_at", "notice_published_by"])
        _audit(closure, "closure_notice_published", actor)
        log_event(closure.channel, action="closure_notice", actor=actor, now=now)
        if closure.state == ClosureState.SCHEDULED and closure.starts_at <= now < closure.ends_at:
            _start(closure.pk, now=now, actor=actor, required=False)
            closure.refresh_from_db()
    return closure


def closures_sweep(*, now: datetime) -> int:
    """Start closures whose time has come (where the policy applies CH-9, once their
    notice is marked published) and end those that are over (CH-9).

    Safe with several workers: each row is claimed with a compare-and-set update.
    Returns how many closures this worker started, ended or recorded as lapsed.
    """
    handled = 0
    due = Closure.objects.filter(state=ClosureState.SCHEDULED, starts_at__lte=now, ends_at__gt=now)
    # Those whose notice is out start whatever the policy; the others only where it does
    # not apply CH-9 (the policy read once per municipality), or they wait for it.
    for pk in list(
        due.exclude(notice_published_at=None).values_list("pk", flat=True)[:SWEEP_BATCH]
    ):
        with transaction.atomic():
            handled += _start(pk, now=now, actor=None, required=False)
    required = _notice_required_by_municipality()
    unannounced = due.filter(notice_published_at=None).values_list(
        "pk", "channel__municipality_id"
    )[:SWEEP_BATCH]
    for pk, municipality_id in list(unannounced):
        if not required(municipality_id):
            with transaction.atomic():
                handled += _start(pk, now=now, actor=None, required=False)
    due_end = Closure.objects.filter(state=ClosureState.IN_EFFECT, ends_at__lte=now).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]
    for pk in list(due_end):
        with transaction.atomic():
            handled += _finish(pk, now=now, actor=None)
    lapsed = Closure.objects.filter(state=ClosureState.SCHEDULED, ends_at__lte=now).values_list(
        "pk", "channel__municipality_id", "notice_published_at"
    )[:SWEEP_BATCH]
    for pk, municipality_id, notice in list(lapsed):
        handled += _lapse(pk, now=now, waited=notice is None and required(municipality_id))
    return handled


def _notice_required_by_municipality() -> Callable[[int], bool]:
    """`notice_required` of a municipality by id, each policy read once."""
    known: dict[int, bool] = {}

    def required(municipality_id: int) -> bool:
        if municipality_id not in known:
            municipality = Municipality.objects.get(pk=municipality_id)
            known[municipality_id] = notice_required(policy_for(municipality=municipality))
        return known[municipality_id]

    return required


# --- the platform side (tasks call these, outside any transaction) ----------------------

# How long after a closure started or ended its queued platform step has to run before
# `closures_platform_sweep` takes over (a transient failure, or a task that was lost).
PLATFORM_GRACE = timedelta(minutes=2)
# How many closures the start page lists at most (`closures_for_people`).
MAX_FOR_PEOPLE = 20
# Per run of `closures_platform_sweep`, at most this many comments to hide and as many
# posts to switch off are tried again (each is a platform call or two).
RETRY_BATCH = 50
# Seconds to wait after the 1st, 2nd, … failed try of such a row, or longer when the
# platform says so (`retry_after`). The comment stays public meanwhile, so never more
# than an hour (CH-9).
RETRY_BACKOFF_SECONDS = (300, 900, 1800, 3600)
# A row the sweep claimed comes back after this long if its worker died mid-try.
RETRY_LEASE = timedelta(minutes=10)


def closure_apply_platform_close(*, closure_id: int) -> str:
    """Switch comments off on the platform, or fall back to hiding new comments.

    The posts switched off are recorded whatever the outcome (the end switches them on
    again). A transient failure leaves the step `PENDING`, and `closures_platform_sweep`
    tries again for the rest; a permanent one is recorded as `FAILED`, with the
    platform's message, for people to follow up (CH-9)."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.IN_EFFECT:
        return "skipped"
    outcome = platform.comments_off(closure.channel)
    mode = CommentMode.PENDING if outcome.retry else outcome.mode
    now = timezone.now()
    with transaction.atomic():
        # Posts switched off one by one meanwhile (`closure_post_switch_off`) are kept.
        locked = Closure.objects.select_for_update().get(pk=closure_id)
        in_effect = locked.state == ClosureState.IN_EFFECT
        fields: dict[str, Any] = {
            "switched_post_ids": _merged(locked.switched_post_ids, outcome.post_ids)
        }
        if in_effect:
            fields.update(
                comment_mode=mode,
                platform_note=outcome.note,
                platform_closed_at=None if outcome.retry else now,
            )
        elif outcome.post_ids:  # ended while we switched: the end must see these too
            fields["platform_reopened_at"] = None
        Closure.objects.filter(pk=closure_id).update(**fields)
        _audit(
            closure,
            "closure_platform_close",
            None,
            mode=mode,
            posts=len(outcome.post_ids),
            post_ids=list(outcome.post_ids),
        )
    if not in_effect and outcome.post_ids:
        closure_apply_platform_reopen(closure_id=closure_id)
    return mode


def closure_apply_platform_reopen(*, closure_id: int) -> str:
    """Switch comments on again for the posts the closure switched off (CH-9).

    `switched_post_ids` keeps the posts still to switch on, and `platform_reopened_at` is
    stamped only once none is left. A transient failure leaves the rest `PENDING` for
    `closures_platform_sweep` to try again; a permanent one marks the closure `FAILED`
    with the platform's message, for people to follow up. A retired channel's comments
    stay off (`channel_retire`)."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.ENDED or closure.platform_reopened_at is not None:
        return "skipped"
    if closure.channel.status == workflow.RETIRED:
        return "skipped"
    outcome = None
    if closure.switched_post_ids:
        outcome = platform.comments_on(closure.channel, closure.switched_post_ids)
    with transaction.atomic():
        locked = Closure.objects.select_for_update().get(pk=closure_id)
        if locked.platform_reopened_at is not None:  # another worker got there first
            return "skipped"
        done = set(outcome.post_ids) if outcome else set()
        remaining = [post for post in locked.switched_post_ids or [] if post not in done]
        fields: dict[str, Any] = {"switched_post_ids": remaining}
        if outcome is None:
            result = "nothing_to_switch"
        elif outcome.ok:
            result = outcome.mode
            if locked.comment_mode == CommentMode.PENDING:
                # An earlier try failed for now (or the start's had not finished): they
                # were switched off on the platform, and are on again.
                fields["comment_mode"] = CommentMode.SWITCHED_OFF
                fields["platform_note"] = _with_note(
                    locked.platform_note, _("Kommentarene er slått på igjen.")
                )
        else:
            result = CommentMode.PENDING if outcome.retry else CommentMode.FAILED
            fields["comment_mode"] = result
            fields["platform_note"] = _with_note(
                locked.platform_note,
                ngettext(
                    "Kommentarene på %(n)s innlegg er ikke slått på igjen: %(error)s",
                    "Kommentarene på %(n)s innlegg er ikke slått på igjen: %(error)s",
                    len(remaining),
                )
                % {"n": len(remaining), "error": outcome.note},
            )
        if not remaining:
            fields["platform_reopened_at"] = timezone.now()
        Closure.objects.filter(pk=closure_id).update(**fields)
        _audit(
            closure,
            "closure_platform_reopen",
            None,
            result=result,
            reopened=sorted(done),
            remaining=remaining,
        )
    return result


def closures_platform_sweep(*, now: datetime) -> int:
    """Try the platform steps again that a transient failure (or a lost task) left
    undone (CH-9): switching comments off for a closure in effect whose step is still
    `PENDING`, and switching them on again for an ended closure with posts left off.
    A step that failed for good (`FAILED`) waits for a person (`closure_platform_retry`);
    a retired channel's comments stay off. Both steps are safe to run twice at once
    (switching a post to the state it has is a no-op), so no claim is needed. Then the
    comments to hide and the posts to switch off of closures in effect (`_retry_rows`).
    Returns how many closures and rows were tried."""
    before = now - PLATFORM_GRACE
    closing = Closure.objects.filter(
        state=ClosureState.IN_EFFECT, comment_mode=CommentMode.PENDING, started_at__lte=before
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    reopening = (
        Closure.objects.filter(
            state=ClosureState.ENDED, platform_reopened_at__isnull=True, ended_at__lte=before
        )
        .exclude(comment_mode=CommentMode.FAILED)
        .exclude(switched_post_ids=[])
        .exclude(channel__status=workflow.RETIRED)
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    tried = 0
    for pk in list(closing):
        closure_apply_platform_close(closure_id=pk)
        tried += 1
    for pk in list(reopening):
        closure_apply_platform_reopen(closure_id=pk)
        tried += 1
    return tried + _retry_rows(now=now)


def _retry_rows(*, now: datetime) -> int:
    """Hide the comments and switch off the posts of closures in effect that a transient
    failure, a crash or a lost task left undone, once their `retry_at` has come (CH-9):
    at most `RETRY_BATCH` of each, every row claimed with a compare-and-set update. A
    row that raises fails alone: logged, and tried again after its backoff. Rows of a
    closure that has ended are left: commenting is open again. Returns how many rows
    were tried."""
    tried = 0
    steps: tuple[tuple[type[ClosureHiddenComment | ClosurePostSwitch], str, Any], ...] = (
        (ClosureHiddenComment, "hidden", _hide_again),
        (ClosurePostSwitch, "switched_off", _switch_off_again),
    )
    for model, done, attempt in steps:
        due = (
            model.objects.filter(
                closure__state=ClosureState.IN_EFFECT,
                failed=False,
                retry_at__lte=now,
                **{done: False},
            )
            .order_by("retry_at", "pk")
            .values_list("pk", "retry_at", "attempts")[:RETRY_BATCH]
        )
        for pk, retry_at, attempts in list(due):
            # A rate limit met by an earlier row moved this one's `retry_at` on: not ours.
            claimed = model.objects.filter(pk=pk, retry_at=retry_at, **{done: False}).update(
                retry_at=now + RETRY_LEASE
            )
            if not claimed:
                continue
            tried += 1
            try:
                attempt(pk)
            except Exception:  # noqa: BLE001 — one poisoned row must not stall the rest; logged with its trace
                logger.exception(
                    "closure platform retry failed", extra={"row": f"{model.__name__}:{pk}"}
                )
                model.objects.filter(pk=pk, **{done: False}).update(
                    attempts=F("attempts") + 1,
                    retry_at=now + timedelta(seconds=_backoff(attempts + 1, None)),
                    note=_("Uventet feil i Ordstyrer."),
                )
    return tried


def _hide_again(hidden_id: int) -> None:
    row = ClosureHiddenComment.objects.select_related("closure__channel").get(pk=hidden_id)
    if not row.hidden and row.closure.state == ClosureState.IN_EFFECT:
        _hide(row)


def _switch_off_again(switch_id: int) -> None:
    row = ClosurePostSwitch.objects.get(pk=switch_id)
    closure_post_switch_off(closure_id=row.closure_id, post_id=row.post_id)


def _backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before a closure row is tried again after `attempts` failed tries."""
    wait = RETRY_BACKOFF_SECONDS[min(max(attempts, 1), len(RETRY_BACKOFF_SECONDS)) - 1]
    return max(float(wait), float(retry_after or 0))


def _settle(
    row: ClosureHiddenComment | ClosurePostSwitch,
    outcome: platform.PlatformOutcome,
    *,
    done: str,
    gone: str,
) -> None:
    """Record what the platform did with a closure row (`done`: the field that says it
    is done). Done, or the comment or post is gone (`gone`, the note then): no more
    tries. A permanent failure stops the tries and keeps the platform's message for
    people (`failed`). A transient one is tried again after `_backoff`, and so are the
    closure's other rows waiting for the platform: a rate limit or an outage is the
    platform's, so they wait as long."""
    model = type(row)
    if outcome.ok or outcome.code == ErrorCode.NOT_FOUND:
        model.objects.filter(pk=row.pk).update(
            **{done: True}, failed=False, retry_at=None, note="" if outcome.ok else gone
        )
        return
    now = timezone.now()
    pending = model.objects.filter(pk=row.pk, **{done: False})
    failure: dict[str, Any] = {"attempts": F("attempts") + 1, "note": outcome.note[:2000]}
    if not outcome.retry:
        pending.update(failed=True, retry_at=None, **failure)
        return
    until = now + timedelta(seconds=_backoff(row.attempts + 1, outcome.retry_after))
    pending.update(retry_at=until, **failure)
    ClosureHiddenComment.objects.filter(
        closure_id=row.closure_id, hidden=False, failed=False, retry_at__lt=until
    ).update(retry_at=until)
    ClosurePostSwitch.objects.filter(
        closure_id=row.closure_id, switched_off=False, failed=False, retry_at__lt=until
    ).update(retry_at=until)


def closure_platform_retry(*, actor: ActorLike, closure: Closure) -> bool:
    """A person asks for a failed platform step to be tried again (CH-9), e.g. after the
    channel was connected anew: switching comments off for a closure in effect, or on
    again for an ended one; for a closure in effect also the comments to hide and the
    posts to switch off that the platform refused for good (`_retry_refused_rows`). True
    when queued; idempotent: a step already pending or done (a second click) changes
    nothing and says False."""
    with transaction.atomic():
        closure = _locked_to_manage(actor, closure)
        task = None
        if closure_platform_failed(closure):
            in_effect = closure.state == ClosureState.IN_EFFECT
            task = tasks.closure_platform_close if in_effect else tasks.closure_platform_reopen
        if task is not None:
            closure.comment_mode = CommentMode.PENDING
            closure.save(update_fields=["comment_mode"])
            after_commit(task, closure_id=closure.pk)
        rows = 0
        if closure.state == ClosureState.IN_EFFECT:
            rows = _retry_refused_rows(closure.pk)
        if task is not None or rows:
            _audit(closure, "closure_platform_retry", actor, state=closure.state, rows=rows)
    return task is not None or rows > 0


def _retry_refused_rows(closure_id: int) -> int:
    """The comments and posts of a closure in effect that the platform refused for good,
    tried again (inside the retry's transaction): at once after commit, up to
    `RETRY_BATCH` of each, the rest by `closures_platform_sweep`. Returns how many."""
    soon = timezone.now() + PLATFORM_GRACE
    comments = ClosureHiddenComment.objects.filter(closure_id=closure_id, hidden=False, failed=True)
    posts = ClosurePostSwitch.objects.filter(closure_id=closure_id, switched_off=False, failed=True)
    comment_rows = list(comments.values_list("pk", "post_id"))
    post_ids = list(posts.values_list("post_id", flat=True))
    comments.update(failed=False, attempts=0, retry_at=soon)
    posts.update(failed=False, attempts=0, retry_at=soon)
    for pk, post_id in comment_rows[:RETRY_BATCH]:
        after_commit(tasks.closure_hide_comment, hidden_id=pk, post_id=post_id)
    for post_id in post_ids[:RETRY_BATCH]:
        after_commit(tasks.closure_post_switch_off, closure_id=closure_id, post_id=post_id)
    return len(comment_rows) + len(post_ids)


def closure_unsettled(
    closure: Closure,
) -> tuple[list[ClosureHiddenComment], list[ClosurePostSwitch]]:
    """The comments the closure has not hidden and the posts whose comments it has not
    switched off (CH-9), for its page; from the prefetched rows (`channel_closures`)."""
    return (
        [row for row in closure.hidden_comments.all() if not row.hidden],
        [row for row in closure.post_switches.all() if not row.switched_off],
    )


def closure_platform_failed(closure: Closure) -> bool:
    """Whether a platform step of the closure failed for good and waits for a person:
    comments not switched off while it is in effect, or posts left switched off after it
    ended (CH-9). `closure_platform_retry` tries it again."""
    if closure.comment_mode != CommentMode.FAILED or closure.channel.status == workflow.RETIRED:
        return False  # a retired channel's comments stay off (`channel_retire`)
    if closure.state == ClosureState.IN_EFFECT:
        return True
    return (
        closure.state == ClosureState.ENDED
        and closure.platform_reopened_at is None
        and bool(closure.switched_post_ids)
    )


def closures_for_people(
    *, municipality: Any, channel_ids: list[int] | None, now: datetime
) -> list[tuple[Closure, str]]:
    """Closures that wait for the people who manage their channel (CH-9), with why:
    `notice_waiting` (its time has come, and it waits for its notice), `notice_due` (it
    starts within `NOTICE_REMINDER` and its notice is not marked published; both only
    where the policy applies CH-9), `platform_failed` (`closure_platform_failed`),
    `steps_failed` (in effect, with comments it could not hide or posts whose comments
    it could not switch off, refused for good: `closure_platform_retry` tries them
    again), in that order. `channel_ids` None: every channel of the municipality. For
    the start page: one query, and the policy read only when a notice is missing."""
    if channel_ids is not None and not channel_ids:
        return []
    failed = Q(
        comment_mode=CommentMode.FAILED,
        state__in=[ClosureState.IN_EFFECT, ClosureState.ENDED],
    )
    unannounced = Q(
        state=ClosureState.SCHEDULED,
        notice_published_at=None,
        starts_at__lte=now + NOTICE_REMINDER,
        ends_at__gt=now,
    )
    rows = (
        Closure.objects.annotate(
            comments_refused=Exists(
                ClosureHiddenComment.objects.filter(
                    closure=OuterRef("pk"), hidden=False, failed=True
                )
            ),
            posts_refused=Exists(
                ClosurePostSwitch.objects.filter(
                    closure=OuterRef("pk"), switched_off=False, failed=True
                )
            ),
        )
        .filter(
            failed
            | unannounced
            | Q(state=ClosureState.IN_EFFECT, comments_refused=True)
            | Q(state=ClosureState.IN_EFFECT, posts_refused=True),
            channel__municipality=municipality,
            channel__status__in=workflow.LIVE,
        )
        .select_related("channel")
    )
    if channel_ids is not None:
        rows = rows.filter(channel_id__in=channel_ids)
    found = list(rows.order_by("starts_at", "pk")[:SWEEP_BATCH])
    required = any(c.state == ClosureState.SCHEDULED for c in found) and notice_required(
        policy_for(municipality=municipality)
    )
    waiting: list[tuple[Closure, str]] = []
    due: list[tuple[Closure, str]] = []
    failures: list[tuple[Closure, str]] = []
    for closure in found:
        if closure.state == ClosureState.SCHEDULED:
            if closure_waits_for_notice(closure, required=required, now=now):
                waiting.append((closure, "notice_waiting"))
            elif required and closure.starts_at > now:
                due.append((closure, "notice_due"))
        elif closure_platform_failed(closure):
            failures.append((closure, "platform_failed"))
        elif closure.state == ClosureState.IN_EFFECT and (
            closure.comments_refused or closure.posts_refused
        ):
            failures.append((closure, "steps_failed"))
    return [*waiting, *due, *failures][:MAX_FOR_PEOPLE]


def _with_note(note: str, line: str) -> str:
    """`note` with `line` added, once (a step tried again says the same thing again)."""
    lines = [kept for kept in (note or "").splitlines() if kept.strip()]
    if line not in lines:
        lines.append(line)
    return "\n".join(lines)


def _merged(post_ids: list[str] | None, more: tuple[str, ...] | list[str]) -> list[str]:
    return list(dict.fromkeys([*(post_ids or []), *more]))


def comments_closed(*, channel_id: int) -> bool:
    """Whether the channel has a closure in effect, so that `closure_comment_arrived`
    acts on each new comment (CH-9): whatever the closure's comment mode, a comment that
    still arrives is hidden. The inbox's bulk path must send each new comment through
    `closure_comment_arrived` while this is True."""
    return Closure.objects.filter(channel_id=channel_id, state=ClosureState.IN_EFFECT).exists()


def closure_comment_arrived(
    *, channel_id: int, comment_id: str, now: datetime, post_id: str | None = None
) -> bool:
    """Called by the inbox for every new comment: while the channel is closed, commenting
    must be impossible (CH-9), so the comment is hidden and listed for afterwards.

    Where comments were switched off on the platform, a comment that still arrives came
    on a post that was not switched off (published after the closure began, or older than
    the latest `platform.MAX_POSTS`): that post is switched off too and added to the
    closure's `switched_post_ids`, so the end of the closure switches it on again.
    `post_id` is the comment's post when the caller knows it; otherwise the task asks
    the platform. Returns True when the comment is to be hidden."""
    closure_id = (
        Closure.objects.filter(channel_id=channel_id, state=ClosureState.IN_EFFECT)
        .order_by("-started_at")
        .values_list("pk", flat=True)
        .first()
    )  # the id only: this runs for every new comment, and a closure is rare
    if closure_id is None:
        return False
    with transaction.atomic():
        row, created = ClosureHiddenComment.objects.get_or_create(
            closure_id=closure_id,
            comment_id=str(comment_id)[:200],
            defaults={
                "arrived_at": now,
                "post_id": str(post_id or "")[:200],
                # Past this, `closures_platform_sweep` takes over from a lost task.
                "retry_at": timezone.now() + PLATFORM_GRACE,
            },
        )
        if created:
            after_commit(tasks.closure_hide_comment, hidden_id=row.pk, post_id=row.post_id)
    return True


def closure_post_published(*, channel_id: int, post_id: str) -> bool:
    """Publishing calls this after a post went out on the channel: while a closure is in
    effect with comments switched off on the platform (or about to be), the new post's
    comments are switched off too (CH-9: commenting must be impossible during the
    closure, the closure notice included), after commit. Returns True when queued."""
    closure_id = (
        Closure.objects.filter(channel_id=channel_id, state=ClosureState.IN_EFFECT)
        .exclude(comment_mode__in=[CommentMode.HIDE_NEW, CommentMode.FAILED])
        .order_by("-started_at")
        .values_list("pk", flat=True)
        .first()
    )
    if closure_id is None or not post_id:
        return False
    row = _post_switch(closure_id, str(post_id))
    after_commit(tasks.closure_post_switch_off, closure_id=closure_id, post_id=row.post_id)
    return True


def _post_switch(closure_id: int, post_id: str) -> ClosurePostSwitch:
    """The row of a post the closure switches off, written before the platform is asked:
    past `PLATFORM_GRACE`, `closures_platform_sweep` takes over from a lost task."""
    now = timezone.now()
    row, _created = ClosurePostSwitch.objects.get_or_create(
        closure_id=closure_id,
        post_id=post_id[:200],
        defaults={"queued_at": now, "retry_at": now + PLATFORM_GRACE},
    )
    return row


def closure_post_switch_off(*, closure_id: int, post_id: str) -> bool:
    """Switch comments off on one post for a closure in effect and record it in the
    closure's `switched_post_ids` (the end switches it on again). A closure that ended
    meanwhile gets the post switched on again at once. True when the post is off for
    the closure. Its `ClosurePostSwitch` row records the outcome: a failure is tried
    again by `closures_platform_sweep`, or, refused for good, shown on the closure page
    (CH-9)."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.IN_EFFECT or not post_id:
        return False
    post_id = str(post_id)[:200]
    if post_id in (closure.switched_post_ids or []):  # e.g. by a retried start since
        ClosurePostSwitch.objects.filter(
            closure_id=closure_id, post_id=post_id, switched_off=False
        ).update(switched_off=True, failed=False, retry_at=None, note="")
        return True
    row = _post_switch(closure_id, post_id)
    if row.switched_off:  # its comments were off already
        return True
    outcome = platform.post_comments_off(closure.channel, post_id)
    if not outcome.post_ids:  # off already, no switch, or the platform failed
        _settle(row, outcome, done="switched_off", gone=_("Innlegget finnes ikke lenger."))
        if not outcome.ok:
            logger.warning("closure post switch failed", extra={"closure_id": closure_id})
        return outcome.ok and outcome.mode == CommentMode.SWITCHED_OFF
    with transaction.atomic():
        locked = Closure.objects.select_for_update().get(pk=closure_id)
        in_effect = locked.state == ClosureState.IN_EFFECT
        locked.switched_post_ids = _merged(locked.switched_post_ids, outcome.post_ids)
        if not in_effect:  # the end must see this post too
            locked.platform_reopened_at = None
        locked.save(update_fields=["switched_post_ids", "platform_reopened_at"])
        # In the same transaction: never done without the end knowing to switch it on.
        _settle(row, outcome, done="switched_off", gone="")
        _audit(closure, "closure_post_switched_off", None, post_id=post_id)
    if not in_effect:
        # Ended while we switched: the end may have read the list already. Switched on
        # like the others (and tried again by the sweep if the platform fails now).
        closure_apply_platform_reopen(closure_id=closure_id)
        return False
    return True


def closure_hide_comment_on_platform(*, hidden_id: int, post_id: str = "") -> bool:
    """Hide a comment that arrived during a closure; where the closure switched comments
    off, switch off the post it came on first (`closure_post_switch_off`). The row
    records the outcome: a failure is tried again by `closures_platform_sweep` while the
    closure is in effect, or, refused for good, shown on the closure page (CH-9)."""
    row = ClosureHiddenComment.objects.select_related("closure__channel").get(pk=hidden_id)
    outcome = _hide(row, post_id=post_id)
    return outcome is None or outcome.ok


def _hide(row: ClosureHiddenComment, *, post_id: str = "") -> platform.PlatformOutcome | None:
    """One try at hiding the row's comment (None: it was hidden already); `post_id`:
    the post it came on, if the row does not know it."""
    closure = row.closure
    switching = closure.comment_mode in (CommentMode.SWITCHED_OFF, CommentMode.PENDING)
    if switching and closure.state == ClosureState.IN_EFFECT:
        post = row.post_id or post_id
        post = post or platform.comment_post_id(closure.channel, row.comment_id) or ""
        if post and post != row.post_id:  # kept for the next try
            ClosureHiddenComment.objects.filter(pk=row.pk).update(post_id=post[:200])
        if post:
            closure_post_switch_off(closure_id=closure.pk, post_id=post)
    if row.hidden:
        return None
    outcome = platform.hide_comment(closure.channel, row.comment_id)
    _settle(row, outcome, done="hidden", gone=_("Kommentaren finnes ikke lenger."))
    return outcome
