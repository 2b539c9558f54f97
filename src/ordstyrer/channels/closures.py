"""Closure periods (CH-9): a clear notice of why and for how long, and no commenting.

A closure is scheduled with a reason and a period. When it starts, the channel is
`closed` and a task switches comments off on the platform (`CommentSwitch`), leaving out
posts whose comments were off already; where the platform cannot, new comments are
hidden as they arrive and listed for afterwards. A comment that still arrives during a
closure is hidden in every mode, and the post it came on (or one published during the
closure, `closure_post_published`) is switched off as well.
When it ends the channel opens again by itself: `closures_sweep` runs in every worker
and claims each row with a compare-and-set update, so several workers never start or
end the same closure twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import platform, tasks, workflow
from ordstyrer.channels.models import (
    Channel,
    Closure,
    ClosureHiddenComment,
    ClosureState,
    CommentMode,
)
from ordstyrer.channels.notice import closure_notice
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel, log_event, transition
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.forms import visible_text
from ordstyrer.core.services import after_commit, person
from ordstyrer.tenants.selectors import policy_for

logger = logging.getLogger("ordstyrer.channels")

SWEEP_BATCH = 200
# How far from now a closure's start and end may lie: one that began up to a year ago is
# recorded (it closes the channel at once), and one is planned at most a year ahead, as
# a post is (`publishing.services._publish_at`). Further out it is a slip of the keyboard
# (year 1 cannot even be stored: converting it to UTC overflows) or a channel to retire.
CLOSURE_REACH = timedelta(days=366)


def closure_time_refusal(value: datetime, *, now: datetime) -> str | None:
    """Why a closure may not start or end at `value` (an aware time), or None."""
    if now - CLOSURE_REACH <= value <= now + CLOSURE_REACH:
        return None
    return _("Velg et tidspunkt innen ett år fra nå.")


def closure_notice_text(closure: Closure, lang: str = "nb", *, policy: Any = None) -> str:
    """The notice for the editor to publish (CH-9), in Bokmål (`nb`) or Nynorsk (`nn`),
    pointing urgent questions to where the policy sends formal inquiries (DI-7)."""
    channel = closure.channel
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
    )


def _audit(closure: Closure, action: str, actor: ActorLike, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        municipality=closure.channel.municipality,
        obj=closure,
        data={"channel_id": closure.channel_id, **data},
    )


def closure_schedule(
    *, actor: ActorLike, channel: Channel, reason: str, starts_at: datetime, ends_at: datetime
) -> Closure:
    """Plan a closure (CH-9). A period that has already begun closes the channel at once."""
    reason = " ".join(str(reason or "").split())
    if not visible_text(reason):  # zero-width characters only say nothing either
        raise ServiceError(_("Skriv hvorfor kanalen stenges; det står i beskjeden."), rule="CH-9")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("closure times must be timezone-aware")
    now = timezone.now()
    for value in (starts_at, ends_at):
        refusal = closure_time_refusal(value, now=now)
        if refusal:
            raise ServiceError(refusal, rule="CH-9")
    if ends_at <= starts_at:
        raise ServiceError(_("Slutten må komme etter starten."), rule="CH-9")
    if ends_at <= now:
        raise ServiceError(_("Perioden er allerede over."), rule="CH-9")
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        if channel.status not in workflow.LIVE:
            raise ServiceError(_("Bare kanaler i bruk kan stenges."), rule="CH-9")
        overlapping = channel.closures.filter(
            state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT],
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        if overlapping.exists():
            raise ServiceError(_("Kanalen er allerede stengt i en del av perioden."), rule="CH-9")
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


def _start(closure_id: int, *, now: datetime, actor: ActorLike) -> bool:
    """Claim a scheduled closure and close the channel (inside transaction.atomic)."""
    claimed = Closure.objects.filter(pk=closure_id, state=ClosureState.SCHEDULED).update(
        state=ClosureState.IN_EFFECT, started_at=now
    )
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


def _lapse(closure_id: int, *, now: datetime) -> bool:
    """A scheduled closure whose whole period passed unseen (no worker ran): record it."""
    return bool(
        Closure.objects.filter(
            pk=closure_id, state=ClosureState.SCHEDULED, ends_at__lte=now
        ).update(
            state=ClosureState.ENDED,
            ended_at=now,
            platform_note=_("Perioden gikk ut før den ble startet (ingen bakgrunnsjobb kjørte)."),
        )
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
            raise ServiceError(_("Stengingen er allerede avsluttet."), rule="CH-9")
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


def closure_mark_notice_published(*, actor: ActorLike, closure: Closure) -> Closure:
    """The editor confirms the notice is on the channel (CH-9: a clear notice)."""
    now = timezone.now()
    with transaction.atomic():
        closure = Closure.objects.select_related("channel__municipality").get(pk=closure.pk)
        require_channel_role(actor, closure.channel, "manage")
        if closure.state not in (ClosureState.SCHEDULED, ClosureState.IN_EFFECT):
            raise ServiceError(_("Stengingen er allerede avsluttet."), rule="CH-9")
        closure.notice_published_at = now
        closure.notice_published_by = person(actor)
        closure.save(update_fields=["notice_published_at", "notice_published_by"])
        _audit(closure, "closure_notice_published", actor)
        log_event(closure.channel, action="closure_notice", actor=actor, now=now)
    return closure


def closures_sweep(*, now: datetime) -> int:
    """Start closures whose time has come and end those that are over (CH-9).

    Safe with several workers: each row is claimed with a compare-and-set update.
    Returns how many closures this worker started, ended or recorded as lapsed.
    """
    handled = 0
    due_start = Closure.objects.filter(
        state=ClosureState.SCHEDULED, starts_at__lte=now, ends_at__gt=now
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    for pk in list(due_start):
        with transaction.atomic():
            handled += _start(pk, now=now, actor=None)
    due_end = Closure.objects.filter(state=ClosureState.IN_EFFECT, ends_at__lte=now).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]
    for pk in list(due_end):
        with transaction.atomic():
            handled += _finish(pk, now=now, actor=None)
    lapsed = Closure.objects.filter(state=ClosureState.SCHEDULED, ends_at__lte=now).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]
    for pk in list(lapsed):
        handled += _lapse(pk, now=now)
    return handled


# --- the platform side (tasks call these, outside any transaction) ----------------------


def closure_apply_platform_close(*, closure_id: int) -> str:
    """Switch comments off on the platform, or fall back to hiding new comments."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.IN_EFFECT:
        return "skipped"
    outcome = platform.comments_off(closure.channel)
    now = timezone.now()
    with transaction.atomic():
        # Posts switched off one by one meanwhile (`closure_post_switch_off`) are kept.
        earlier = Closure.objects.select_for_update().get(pk=closure_id).switched_post_ids
        Closure.objects.filter(pk=closure_id).update(
            comment_mode=outcome.mode,
            switched_post_ids=_merged(earlier, outcome.post_ids),
            platform_note=outcome.note,
            platform_closed_at=now,
        )
        _audit(
            closure, "closure_platform_close", None, mode=outcome.mode, posts=len(outcome.post_ids)
        )
    return outcome.mode


def closure_apply_platform_reopen(*, closure_id: int) -> str:
    """Switch comments on again for the posts switched off when the closure began."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.ENDED or closure.platform_reopened_at is not None:
        return "skipped"
    if closure.comment_mode != CommentMode.SWITCHED_OFF or not closure.switched_post_ids:
        result = "nothing_to_switch"
        note = ""
    else:
        outcome = platform.comments_on(closure.channel, closure.switched_post_ids)
        result, note = outcome.mode, outcome.note
    with transaction.atomic():
        Closure.objects.filter(pk=closure_id).update(
            platform_reopened_at=timezone.now(),
            platform_note=(closure.platform_note + "\n" + note).strip()
            if note
            else closure.platform_note,
        )
        _audit(closure, "closure_platform_reopen", None, result=result)
    return result


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
            closure_id=closure_id, comment_id=str(comment_id)[:200], defaults={"arrived_at": now}
        )
        if created:
            after_commit(tasks.closure_hide_comment, hidden_id=row.pk, post_id=post_id or "")
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
    after_commit(tasks.closure_post_switch_off, closure_id=closure_id, post_id=str(post_id))
    return True


def closure_post_switch_off(*, closure_id: int, post_id: str) -> bool:
    """Switch comments off on one post for a closure in effect and record it in the
    closure's `switched_post_ids` (the end switches it on again). A closure that ended
    meanwhile gets the post switched on again at once. True when the post is off for
    the closure."""
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure_id)
    if closure.state != ClosureState.IN_EFFECT or not post_id:
        return False
    if post_id in (closure.switched_post_ids or []):
        return True
    outcome = platform.post_comments_off(closure.channel, post_id)
    if not outcome.post_ids:  # off already, no switch, or the platform failed
        if not outcome.ok:
            logger.warning("closure post switch failed", extra={"closure_id": closure_id})
        return outcome.ok and outcome.mode == CommentMode.SWITCHED_OFF
    with transaction.atomic():
        locked = Closure.objects.select_for_update().get(pk=closure_id)
        in_effect = locked.state == ClosureState.IN_EFFECT
        if in_effect:
            locked.switched_post_ids = _merged(locked.switched_post_ids, outcome.post_ids)
            locked.save(update_fields=["switched_post_ids"])
            _audit(closure, "closure_post_switched_off", None, post_id=post_id)
    if not in_effect:  # ended while we switched: the end may have read the list already
        platform.comments_on(closure.channel, outcome.post_ids)
        return False
    return True


def closure_hide_comment_on_platform(*, hidden_id: int, post_id: str = "") -> bool:
    """Hide a comment that arrived during a closure; where the closure switched comments
    off, switch off the post it came on first (`closure_post_switch_off`)."""
    row = ClosureHiddenComment.objects.select_related("closure__channel").get(pk=hidden_id)
    closure = row.closure
    if closure.comment_mode == CommentMode.SWITCHED_OFF and closure.state == ClosureState.IN_EFFECT:
        post = post_id or platform.comment_post_id(closure.channel, row.comment_id)
        if post:
            closure_post_switch_off(closure_id=closure.pk, post_id=post)
    if row.hidden:
        return True
    outcome = platform.hide_comment(closure.channel, row.comment_id)
    ClosureHiddenComment.objects.filter(pk=hidden_id).update(hidden=outcome.ok, note=outcome.note)
    return outcome.ok
