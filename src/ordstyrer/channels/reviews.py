"""Periodic reviews of each channel by its main administrator (CH-6).

Where the policy asks for reviews (Midt-Telemark: "Ha gjerne en månedlig gjennomgang
av dine sider"), activation schedules the first one `review_interval_days` ahead and
every recorded review schedules the next. `reviews_sweep` makes sure every channel in
use has one open, and reminds the main administrators by e-mail when it falls due
and then every `REMIND_EVERY_DAYS` days, claiming each reminder with a compare-and-set
update so two workers never send the same one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.channels import rules, tasks, workflow
from ordstyrer.channels.models import Channel, ChannelReview
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel, log_event
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.services import after_commit, person
from ordstyrer.policy import PolicyError, load_policy
from ordstyrer.tenants.models import Municipality, PolicyVersion
from ordstyrer.tenants.selectors import policy_for

REMIND_EVERY_DAYS = 7
SWEEP_BATCH = 500

# The questions of a review; the answers are stored by code.
CHECKLIST: tuple[tuple[str, Any], ...] = (
    ("info_current", gettext_lazy("Informasjonen på siden er riktig og oppdatert")),
    ("roles_current", gettext_lazy("Administratorene og redaktørene er fortsatt de riktige")),
    ("followed_up", gettext_lazy("Spørsmål og kommentarer er fulgt opp")),
    ("house_rules", gettext_lazy("Husreglene for siden vises tydelig (CH-10)")),
    ("visual_profile", gettext_lazy("Siden bruker kommunens logo og farger (CH-7)")),
)


def schedule_next_review(channel: Channel, *, policy: Any, after: date) -> ChannelReview | None:
    """Open the next review `review_interval_days` after `after`, if the policy asks for
    reviews and none is open (inside the caller's transaction)."""
    interval = rules.review_interval_days(policy)
    if interval is None or channel.reviews.filter(completed_at__isnull=True).exists():
        return None
    review, _created = ChannelReview.objects.get_or_create(
        channel=channel, due_on=after + timedelta(days=interval)
    )
    return review


def review_record(
    *,
    actor: ActorLike,
    channel: Channel,
    answers: dict[str, bool],
    notes: str = "",
    now: datetime | None = None,
) -> ChannelReview:
    """Record a review of the channel (CH-6) and schedule the next one. A channel is
    reviewed once a day: a replayed or double-clicked form (or a second person the same
    day) finds the day's review and returns it unchanged (`completed_at` before `now`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = policy_for(municipality=channel.municipality)
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "review")
        if channel.status not in workflow.LIVE:
            raise ServiceError(gettext_lazy("Bare kanaler i bruk gjennomgås."), rule="CH-6")
        # Without this a second review the same day either broke the one-review-per-due-
        # date constraint (no review open: a new one due today, as the first) or completed
        # the next one, scheduled a whole interval ahead.
        day_start = timezone.make_aware(datetime.combine(today, time.min))
        done_today = (
            channel.reviews.filter(completed_at__gte=day_start).order_by("-completed_at").first()
        )
        if done_today is not None:
            return done_today
        review = channel.reviews.filter(completed_at__isnull=True).order_by("due_on").first()
        if review is None:
            review = ChannelReview(channel=channel, due_on=today)
        known = {code for code, _label in CHECKLIST}
        review.answers = {code: bool(value) for code, value in answers.items() if code in known}
        review.notes = str(notes or "").strip()[:5000]
        review.completed_at = now
        review.completed_by = person(actor)
        review.save()
        audit_record(
            actor=actor,
            action="channel_review",
            municipality=channel.municipality,
            obj=review,
            data={"channel_id": channel.pk, "due_on": review.due_on.isoformat()},
        )
        log_event(channel, action="review", actor=actor, now=now, note=review.notes)
        channel.last_activity_at = now
        channel.save(update_fields=["last_activity_at"])
        schedule_next_review(channel, policy=policy, after=today)
    return review


def _intervals_set(municipality: Municipality) -> set[int]:
    """Every CH-6 interval the municipality's policy has set: its preset's own and each
    saved version's (read as `policy_for` reads them)."""
    intervals = {rules.review_interval_days(load_policy(municipality.preset))}
    versions = PolicyVersion.objects.filter(municipality=municipality, preset=municipality.preset)
    for overrides in versions.values_list("overrides", flat=True):
        try:
            intervals.add(
                rules.review_interval_days(load_policy(municipality.preset, overrides, stored=True))
            )
        except PolicyError:  # a version the preset has outgrown is not in force anyway
            continue
    return {interval for interval in intervals if interval is not None}


def reviews_follow_policy(*, today: date) -> int:
    """Move each open review scheduled under a CH-6 interval no longer in force to the
    interval in force: due that many days after the channel's last completed review, or
    its activation where it has none. Returns how many moved.

    Without this a review scheduled monthly stayed due a month out after the policy said
    weekly (or a year out after it said monthly), until it was done. A review is moved
    only when its date is its channel's last review (or activation) plus an interval
    the policy once set, so one the sweep opened on its own day (a channel that went
    live before the reviews did) keeps its date. Each move is a compare-and-set update:
    a review completed meanwhile, or moved by another worker, is left alone."""
    live_open = ChannelReview.objects.filter(
        completed_at__isnull=True, channel__status__in=workflow.LIVE
    )
    places = Municipality.objects.filter(pk__in=live_open.values("channel__municipality")).order_by(
        "pk"
    )
    last_done = (
        ChannelReview.objects.filter(channel=OuterRef("channel"), completed_at__isnull=False)
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    moved = 0
    for municipality in places:
        interval = rules.review_interval_days(policy_for(municipality=municipality))
        if interval is None:
            continue
        earlier = _intervals_set(municipality) - {interval}
        if not earlier:  # the interval never changed: nothing was scheduled under another
            continue
        rows = (
            live_open.filter(channel__municipality=municipality)
            .annotate(last_done=Subquery(last_done))
            .values_list("pk", "due_on", "last_done", "channel__activated_at")
        )
        for pk, due_on, done_at, activated_at in list(rows):
            since = done_at or activated_at
            if since is None:
                continue
            start = timezone.localdate(since)
            if (due_on - start).days not in earlier:
                continue
            target = start + timedelta(days=interval)
            change: dict[str, Any] = {"due_on": target}
            if target > today:  # a new date ahead: its reminder is yet to come
                change["reminded_at"] = None
            try:
                with transaction.atomic():
                    moved += ChannelReview.objects.filter(
                        pk=pk, due_on=due_on, completed_at__isnull=True
                    ).update(**change)
            except IntegrityError:  # a completed review of the channel holds that date
                continue
    return moved


def reviews_sweep(*, now: datetime) -> int:
    """Move open reviews to the interval in force, open missing ones and send due
    reminders (CH-6); returns reminders claimed."""
    today = timezone.localdate(now)
    reviews_follow_policy(today=today)
    by_municipality: dict[int, list[Channel]] = defaultdict(list)
    open_review = ChannelReview.objects.filter(channel=OuterRef("pk"), completed_at__isnull=True)
    without_open = (
        Channel.objects.filter(status__in=workflow.LIVE)
        .annotate(has_open=Exists(open_review))
        .filter(has_open=False)
        .select_related("municipality")
    )
    for live in without_open[:SWEEP_BATCH]:
        by_municipality[live.municipality_id].append(live)
    for channels in by_municipality.values():
        policy = policy_for(municipality=channels[0].municipality)
        if rules.review_interval_days(policy) is None:
            continue
        for channel in channels:
            try:
                with transaction.atomic():
                    schedule_next_review(channel, policy=policy, after=today)
            except IntegrityError:  # another worker opened it at the same moment
                continue
    claimed = 0
    cutoff = now - timedelta(days=REMIND_EVERY_DAYS)
    due = ChannelReview.objects.filter(
        completed_at__isnull=True, due_on__lte=today, channel__status__in=workflow.LIVE
    ).values_list("pk", "reminded_at", "reminder_count")[:SWEEP_BATCH]
    for pk, reminded_at, count in list(due):
        if reminded_at is not None and reminded_at > cutoff:
            continue
        with transaction.atomic():
            won = ChannelReview.objects.filter(
                pk=pk, reminded_at=reminded_at, completed_at__isnull=True
            ).update(reminded_at=now, reminder_count=count + 1)
            if won:
                claimed += 1
                after_commit(tasks.review_remind, review_id=pk)
    return claimed
