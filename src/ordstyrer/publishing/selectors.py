"""Reads about posts: lists, the approval queues, the calendar with the PU-10 count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import channel_ids_with_need
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import NotFound
from ordstyrer.core.permissions import roles_in
from ordstyrer.crisis.selectors import crisis_requiring_approval
from ordstyrer.policy import CheckContext, Draft, Finding, Policy, check
from ordstyrer.publishing import access, checks, rules
from ordstyrer.publishing.models import (
    Approval,
    Consent,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostChannel,
    PostMedia,
    PostStatus,
)
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.worktime import OSLO

# Municipality roles that see every post (`access.may_view`).
SEES_EVERY_POST = frozenset({Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR, Role.CRISIS_LEADER})
CONSOLE_LIST_SIZE = 500


def _deliveries() -> Prefetch:
    """A post's deliveries with what the access rules read of their channels
    (`access.CHANNEL_RELATED`): `access.post_channels` reads them from here."""
    return Prefetch(
        "deliveries", queryset=PostChannel.objects.select_related(*access.CHANNEL_RELATED)
    )


def _with_channels(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.select_related("author", "municipality").prefetch_related(_deliveries())


def text_check(
    *,
    municipality: Municipality,
    kind: Literal["post", "reply"],
    draft: Draft,
    signer_first_name: str | None,
    now: datetime,
    policy: Policy | None = None,
) -> list[Finding]:
    """The findings on a text checked on its own (the console's «Sjekk tekst», the API's
    `POST /check`): under the municipality's effective policy as posting uses it (PU-9
    with its own website, `checks.publishing_policy`) and, while a crisis holds texts of
    this kind for the crisis leader, PU-12. One function, so both doors say the same.
    `policy` is `checks.publishing_policy(municipality)` where the caller has it."""
    context = CheckContext(
        kind=kind,
        now=now,
        signer_first_name=signer_first_name or None,
        crisis_active=crisis_requiring_approval(municipality=municipality, kind=kind) is not None,
    )
    return check(draft, policy or checks.publishing_policy(municipality), context)


def _may_view_narrowed(
    qs: QuerySet[Post], *, municipality: Municipality, user: ActorLike
) -> QuerySet[Post]:
    """`qs` narrowed in SQL to the posts `access.may_view` can allow (a superset of
    them): all for the roles that see every post; otherwise the person's own posts,
    those on a channel they publish on, and — for a unit leader — those a unit leader
    approves (`Post.approval`) whose channels that ask for an approval are all of the
    units they lead (`may_approve`; four eyes is left to the rule).
    The lists still ask `access.may_view` of each row (`access.posts_visible`, a constant
    number of queries): it stays the one rule, this keeps it from reading the whole
    municipality (QA 2026-12: a window of the 500 newest posts, filtered afterwards, lost
    the posts waiting for an approver) and the API's pages from reading batch after
    batch of posts it then drops (QA s14)."""
    roles = roles_in(user, municipality)
    if not roles:
        return qs.none()
    if roles & SEES_EVERY_POST:
        return qs
    channels = Channel.objects.filter(
        pk__in=channel_ids_with_need(user, municipality, "publish") or []
    )
    on_channels = PostChannel.objects.filter(channel__in=channels.values("pk")).values("post_id")
    visible = Q(author=user_of(user)) | Q(pk__in=on_channels)
    if Role.UNIT_LEADER in roles:
        led = list(
            RoleAssignment.objects.filter(
                user=user_of(user), municipality=municipality, role=Role.UNIT_LEADER
            ).values_list("unit_id", flat=True)
        )
        # A leader without a unit leads across units (`channels.selectors.eligible_approvers`).
        units = Q(unit__isnull=False) if None in led else Q(unit__in=[u for u in led if u])
        theirs = Channel.objects.filter(Q(municipality=municipality) & units).values("pk")
        # A channel whose own setting asks for no approval asks nothing of the approver
        # (`access._may_approve`), so only the asking channels must be the leader's.
        asking = [a for a in Approval.values if rules.approver_roles(a)]
        others = (
            PostChannel.objects.exclude(channel__in=theirs)
            .filter(channel__publishing__approval__in=asking)
            .values("post_id")
        )
        on_theirs = PostChannel.objects.filter(channel__in=theirs).values("post_id")
        by_leader = [a for a in Approval.values if "unit_leader" in rules.approver_roles(a)]
        visible |= Q(approval__in=by_leader, pk__in=on_theirs) & ~Q(pk__in=others)
    return qs.filter(visible)


def posts_list(
    *, municipality: Municipality, user: ActorLike, status: str | None = None
) -> list[Post]:
    """The console's list: the most recently changed posts this person may see (their
    own, their channels', or all for oversight), at most `CONSOLE_LIST_SIZE`."""
    qs = _may_view_narrowed(
        Post.objects.filter(municipality=municipality), municipality=municipality, user=user
    )
    if status:
        qs = qs.filter(status=status)
    rows = _with_channels(qs).order_by("-updated_at", "-id")
    return access.posts_visible(user, municipality, rows[:CONSOLE_LIST_SIZE])


def posts_page(
    *,
    municipality: Municipality,
    user: ActorLike,
    limit: int,
    status: str | None = None,
    before: int | None = None,
) -> tuple[list[Post], bool]:
    """One page of the posts this person may see, newest first by id, and whether more
    follow: keyset paging on the id (api.md "Lists": stable under inserts and edits —
    a new post has a higher id, an edit changes no id). `before` is the last id of the
    previous page. Who may see a post is decided before the page is cut. With the
    deliveries and the files prefetched (the API's post bodies)."""
    qs = _may_view_narrowed(
        Post.objects.filter(municipality=municipality), municipality=municipality, user=user
    )
    if status:
        qs = qs.filter(status=status)
    qs = (
        _with_channels(qs)
        .prefetch_related(
            Prefetch("attachments", queryset=PostMedia.objects.order_by("position", "id"))
        )
        .order_by("-id")
    )
    found: list[Post] = []
    while True:
        batch = list((qs.filter(pk__lt=before) if before else qs)[: limit + 1])
        found += access.posts_visible(user, municipality, batch)
        if len(found) > limit:
            return found[:limit], True
        if len(batch) <= limit:
            return found, False
        before = batch[-1].pk


def posts_awaiting_approval(*, municipality: Municipality, user: ActorLike) -> list[Post]:
    """The approval queue: posts this person may approve (never their own, four eyes),
    with each file's register (who is in it, consents, the photographer's permission)."""
    qs = (
        _with_channels(
            Post.objects.filter(municipality=municipality, status=PostStatus.AWAITING_APPROVAL)
        )
        .prefetch_related("attachments__asset__consents")
        .order_by("submitted_at", "id")
    )
    return access.posts_approvable(user, municipality, qs)


def posts_awaiting_crisis_approval(*, municipality: Municipality) -> list[Post]:
    """What waits for the crisis leader (PU-12), oldest first."""
    return list(
        _with_channels(
            Post.objects.filter(
                municipality=municipality, status=PostStatus.AWAITING_CRISIS_APPROVAL
            )
        ).order_by("submitted_at", "id")
    )


def posts_paused(*, municipality: Municipality) -> list[Post]:
    """Posts paused by a crisis, for a decision once it ends."""
    return list(
        _with_channels(
            Post.objects.filter(municipality=municipality, status=PostStatus.PAUSED)
        ).order_by("publish_at", "id")
    )


def resume_status(post: Post) -> PostStatus:
    """Where a paused post goes when it is resumed (`services.post_resume`): back to the
    approval it was waiting for when the crisis came, else released (scheduled or
    publishing; what `_release` decides).

    A post that waited for a crisis leader (left over from an earlier crisis) waits for
    the crisis leader again: nobody has approved it, and its channels' normal chain may
    name no approver (the main page), which would put it out with nobody's approval.
    The crisis queue stays open after a crisis (`crisis:decide`)."""
    if post.paused_from == PostStatus.AWAITING_APPROVAL and post.approved_at is None:
        return PostStatus.AWAITING_APPROVAL
    if post.paused_from == PostStatus.AWAITING_CRISIS_APPROVAL and post.crisis_approved_at is None:
        return PostStatus.AWAITING_CRISIS_APPROVAL
    return PostStatus.PUBLISHING


def resumes_to_approval(post: Post) -> bool:
    """Whether a resumed post waits for an approval (its approver's or the crisis
    leader's) instead of being released."""
    return resume_status(post) != PostStatus.PUBLISHING


def post_events(*, post: Post) -> list[Any]:
    return list(post.events.select_related("actor").order_by("at", "id"))


@dataclass
class CalendarDay:
    day: date
    working: bool
    entries: list[tuple[Post, PostChannel, datetime]] = field(default_factory=list)


@dataclass
class CalendarWeek:
    start: date
    days: list[CalendarDay]
    channels: list[Channel]
    # PU-10 on the main page(s): planned + published this week against the cap.
    main_count: int
    cap: int | None
    daily_cap: int | None
    working_days: int

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.main_count > self.cap

    @property
    def rows(self) -> list[tuple[Channel, list[list[tuple[Post, PostChannel, datetime]]]]]:
        """The week per channel: one row per channel, one cell per day."""
        out = []
        for channel in self.channels:
            cells = [[e for e in d.entries if e[1].channel_id == channel.pk] for d in self.days]
            out.append((channel, cells))
        return out


CALENDAR_STATUSES = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SCHEDULED,
    DeliveryStatus.PUBLISHING,
    DeliveryStatus.PUBLISHED,
    DeliveryStatus.FAILED,
)


def calendar_week(*, municipality: Municipality, user: ActorLike, day: date) -> CalendarWeek:
    """A week (Monday–Sunday, Europe/Oslo) of planned and published posts per channel,
    with the main page's count against the preset's weekly cap (PU-10): the deliveries
    PU-10's check counts (`checks.counted`: a draft's copy out is on the page still).

    Only the week's deliveries are read, by PU-10's own time (`checks.planned_at_sql`),
    with their posts, channels and channels' settings; who may see a post on a channel
    they do not publish on is asked for those posts together (`access.posts_visible`).
    A constant number of queries (QA s14: every delivery ever made, one query an entry)."""
    start = rules.week_start(day)
    begin = datetime.combine(start, time(0), tzinfo=OSLO)
    end = begin + timedelta(days=7)
    policy = checks.publishing_policy(municipality, day=begin + timedelta(days=3))
    visible = {c.pk for c in access.publishable_channels(user, municipality)}
    rows = list(
        PostChannel.objects.filter(post__municipality=municipality, status__in=CALENDAR_STATUSES)
        .filter(checks.counted(timezone.now()))
        .alias(planned=checks.planned_at_sql())
        .filter(planned__gte=begin, planned__lt=end)
        .select_related("post__author", "post__municipality", *access.CHANNEL_RELATED)
        .order_by("id")
    )
    from ordstyrer.worktime import DEFAULT

    days = [
        CalendarDay(
            day=start + timedelta(days=n), working=DEFAULT.is_working_day(start + timedelta(days=n))
        )
        for n in range(7)
    ]
    # The posts on a channel this person does not publish on: asked together.
    elsewhere = {row.post_id: row.post for row in rows if row.channel_id not in visible}
    prefetch_related_objects(list(elsewhere.values()), _deliveries())
    seen = {p.pk for p in access.posts_visible(user, municipality, elsewhere.values())}
    channels: dict[int, Channel] = {}
    main_count = 0
    for row in rows:
        at = checks.planned_at(row)  # as PU-10's check counts
        if at is None or not begin <= at < end:
            continue
        # The cap counts every post on the main page, also those this person does not
        # see: the same count as PU-10's check on their next post.
        if checks._is_main(row.channel) and row.status != DeliveryStatus.FAILED:
            main_count += 1
        if row.channel_id not in visible and row.post_id not in seen:
            continue
        channels[row.channel_id] = row.channel
        local = at.astimezone(OSLO)
        days[local.weekday()].entries.append((row.post, row, local))
    for d in days:
        d.entries.sort(key=lambda e: e[2])
    cap = daily = None
    if policy.applies("PU-10"):
        cap = int(policy.params("PU-10")["weekly_cap"])
        daily = int(policy.params("PU-10")["daily_cap"])
    return CalendarWeek(
        start=start,
        days=days,
        channels=sorted(channels.values(), key=lambda c: c.name),
        main_count=main_count,
        cap=cap,
        daily_cap=daily,
        working_days=rules.working_days_in_week(start),
    )


def media_list(*, municipality: Municipality) -> list[MediaAsset]:
    return list(
        MediaAsset.objects.filter(municipality=municipality)
        .defer("content")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("person_name")))
        .order_by("-created_at", "-id")[:300]
    )


def media_detail(*, municipality: Municipality, asset_id: Any) -> MediaAsset:
    try:
        return MediaAsset.objects.defer("content").get(pk=int(asset_id), municipality=municipality)
    except (MediaAsset.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
