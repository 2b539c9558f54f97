"""Who may write, see and approve posts (CH-3, CH-4), on top of `channels.permissions`.

`access_post(user=…, id=…, need=…)` is the one way views and services reach a post: an
outsider gets 404 (the post's existence does not leak), a member without the role 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelMembership
from ordstyrer.channels.permissions import fetch_in, has_channel_need
from ordstyrer.channels.selectors import is_unit_leader_for
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.permissions import actor_for, not_found, roles_in
from ordstyrer.publishing import rules
from ordstyrer.publishing.models import (
    ChannelPublishing,
    Consent,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostChannel,
    PostEvent,
    PostStatus,
)
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment

# Channels one may publish to: in use (CH-1: approved channels only). A closed channel
# (CH-9) still publishes its notices; a paused one does not.
PUBLISHABLE = frozenset({workflow.ACTIVE, workflow.CLOSED})


def may_publish_here(user: ActorLike, municipality: Municipality) -> bool:
    """Whether the person publishes on any channel of the municipality (the menu link)."""
    roles = roles_in(user, municipality)
    if not roles:
        return False
    if Role.COMMUNICATIONS in roles:
        return True
    return ChannelMembership.objects.filter(
        user=user_of(user), channel__municipality=municipality, channel__status__in=PUBLISHABLE
    ).exists()


def publishable_channels(user: ActorLike, municipality: Municipality) -> list[Channel]:
    """The channels this person may publish on (CH-3)."""
    if not roles_in(user, municipality):
        return []
    channels = Channel.objects.filter(
        municipality=municipality, status__in=PUBLISHABLE
    ).select_related("municipality", "unit")
    return [c for c in channels if has_channel_need(user, c, "publish")]


# Who sets a channel's approval, four eyes and main-page flag (CH-4, PU-10): the web
# editor and the holder of editorial responsibility, never the channel's own main
# administrator, who publishes there and would approve away their own check (the unit
# leader's approval, another person's eyes) or the weekly cap on the main page.
SETTINGS_ROLES = (Role.CHIEF_ADMINISTRATOR, Role.COMMUNICATIONS)
SETTINGS_LOCKED = _(
    "Bare kommunikasjon og kommunedirektøren/rådmannen kan endre godkjenning, fire øyne og "
    "hovedside for en kanal (CH-4, PU-10). Kanalens egne administratorer publiserer der, "
    "og skal ikke kunne slå av kontrollen av sine egne innlegg."
)


def may_set_publishing(user: ActorLike, municipality: Municipality) -> bool:
    """Whether `user` sets channels' publishing settings (`SETTINGS_ROLES`)."""
    return bool(roles_in(user, municipality) & set(SETTINGS_ROLES))


def settings_channels(user: ActorLike, municipality: Municipality) -> list[Channel]:
    """The channels in use whose publishing settings `user` sees on the settings page:
    those they manage ("manage": their main administrators, communications and the
    chief administrator, who publishes on none of them)."""
    if not roles_in(user, municipality):
        return []
    channels = Channel.objects.filter(
        municipality=municipality, status__in=PUBLISHABLE
    ).select_related("municipality", "unit", "publishing")
    return [c for c in channels if has_channel_need(user, c, "manage")]


# The channel's side of `ChannelPublishing.channel` (`Channel.publishing`).
_SETTINGS = Channel.publishing.related


def channel_settings(channel: Channel) -> ChannelPublishing:
    """The channel's publishing settings (the defaults where it has none): as loaded with
    the channel (`select_related("publishing")`, the lists and the calendar), else one
    query."""
    found: ChannelPublishing | None
    if _SETTINGS.is_cached(channel):
        found = cast("ChannelPublishing | None", _SETTINGS.get_cached_value(channel))
    else:
        found = ChannelPublishing.objects.filter(channel=channel).first()
    return found or ChannelPublishing(channel=channel)


def channel_approval(channel: Channel, policy: Any) -> str:
    """Who approves this channel's posts: its own setting, else the preset's default
    (none in every preset: no guideline asks for each post to be approved, CH-3/CH-4)."""
    setting = channel_settings(channel).approval
    if setting:
        return setting
    return rules.default_approval()


# What the access rules read of a post's channels (`has_channel_need`: the municipality;
# `may_approve`: the unit and the settings). The lists prefetch the deliveries with these.
CHANNEL_RELATED = ("channel__municipality", "channel__unit", "channel__publishing")


def post_channels(post: Post) -> list[Channel]:
    """The post's channels: the prefetched deliveries where a list loaded them
    (`selectors`), else one query (QA s14: a query per row of the console's list)."""
    if "deliveries" in getattr(post, "_prefetched_objects_cache", {}):
        return [d.channel for d in post.deliveries.all()]
    return [d.channel for d in post.deliveries.select_related(*CHANNEL_RELATED)]


# PostEvent actions that write the post (its text, links, media, channels, time) or
# submit it for approval; and those that approve it (a new text after them needs another
# approval).
HANDS_ON = frozenset({"create", "update", "publish"})
APPROVED = frozenset({"approve", "crisis_approve"})


def hands_on(post: Post) -> set[int]:
    """Who wrote or submitted what now waits for approval (four eyes, CH-4): the author,
    whoever submitted the current round (`submitted_by`), and whoever created, changed or
    submitted the post since it was last approved (its `create`/`update`/`publish`
    events back to the last `approve`/`crisis_approve`) — the current round and the
    changes that led up to it, which nobody else has approved yet.

    QA 2026-12: a communications user withdrew someone else's waiting post, rewrote it,
    sent it again and approved it; comparing with the author alone let one person write,
    submit and approve the text."""
    return _hands_on(post, post.events.order_by("-pk").values_list("action", "actor_id"))


def _hands_on(
    post: Post, events: Iterable[tuple[str, int | None]], *, submitter: int | None = None
) -> set[int]:
    """`hands_on` from the post's events, newest first (action, actor id); with
    `submitter`, as it will be once that person submits it (the publishing confirmation:
    `post_publish` stamps them as `submitted_by` and logs their `publish`)."""
    ids = {post.author_id, post.submitted_by_id if submitter is None else submitter}
    for action, actor_id in events:
        if action in APPROVED:
            break
        if action in HANDS_ON:
            ids.add(actor_id)
    return {i for i in ids if i is not None}


class ListFacts:
    """What the rules read beyond a post and its channels, read once for a list of posts
    (`posts_visible`, `posts_approvable`) instead of once per post: whether the person
    leads a channel's unit (per person and channel), the municipality's unit leaders (the
    stand-in, one query), and every post's `hands_on` (one query, the first time a post
    needs it). The rules stay those of `may_view`/`may_approve`."""

    def __init__(self, posts: Sequence[Post]) -> None:
        self.posts = posts
        self._leads: dict[tuple[int | None, int], bool] = {}
        self._hands: dict[int, set[int]] | None = None
        self._leaders: dict[int, list[tuple[int | None, int]]] = {}

    def leads(self, user: ActorLike, channel: Channel) -> bool:
        # Keyed by the person too: `approvers` asks for everyone who may approve a post.
        key = (getattr(user_of(user), "pk", None), channel.pk)
        if key not in self._leads:
            self._leads[key] = is_unit_leader_for(user_of(user), channel=channel)
        return self._leads[key]

    def unit_leaders(self, channel: Channel) -> set[int]:
        """`unit_leaders(channel)`, from one query per municipality for the list."""
        found = self._leaders.get(channel.municipality_id)
        if found is None:
            found = self._leaders[channel.municipality_id] = list(
                _leader_rows(channel.municipality_id)
            )
        return {user for unit, user in found if unit is None or unit == channel.unit_id}

    def hands_on(self, post: Post) -> set[int]:
        if self._hands is None:
            wanted = [p for p in self.posts if rules.approver_roles(p.approval)]
            events: dict[int, list[tuple[str, int | None]]] = {p.pk: [] for p in wanted}
            rows = PostEvent.objects.filter(post__in=[p.pk for p in wanted]).order_by(
                "post_id", "-pk"
            )
            for post_id, action, actor_id in rows.values_list("post_id", "action", "actor_id"):
                events[post_id].append((action, actor_id))
            self._hands = {p.pk: _hands_on(p, events[p.pk]) for p in wanted}
        if post.pk not in self._hands:
            return hands_on(post)
        return self._hands[post.pk]


def posts_visible(user: ActorLike, municipality: Municipality, posts: Iterable[Post]) -> list[Post]:
    """The posts of `posts` (of `municipality`) that `may_view` lets `user` see, in order:
    each post asked the one rule, with the facts read once for the list (`ListFacts`) —
    with the deliveries prefetched (`CHANNEL_RELATED`) a constant number of queries."""
    actor = actor_for(user, municipality)
    found = list(posts)
    facts = ListFacts(found)
    return [p for p in found if may_view(actor, p, facts=facts)]


def posts_approvable(
    user: ActorLike, municipality: Municipality, posts: Iterable[Post]
) -> list[Post]:
    """The posts of `posts` that `user` may approve (`may_approve`), as `posts_visible`."""
    actor = actor_for(user, municipality)
    found = list(posts)
    facts = ListFacts(found)
    return [p for p in found if may_approve(actor, p, facts=facts)]


def may_approve(
    user: ActorLike,
    post: Post,
    channels: Iterable[Channel] | None = None,
    *,
    facts: ListFacts | None = None,
) -> bool:
    """An approver the post's channels name (unit leader of each unit page, or
    communications, also standing in for the unit leader: `_approves_on`); with four
    eyes, never the author, nor whoever submitted the post or changed it since it was
    last approved (`hands_on`)."""
    if not rules.approver_roles(post.approval) or not roles_in(user, post.municipality):
        return False  # before reading the channels: most posts need no approval
    chans = list(channels) if channels is not None else post_channels(post)

    def hands() -> set[int]:
        return facts.hands_on(post) if facts is not None else hands_on(post)

    return _may_approve(user, post, chans, approval=post.approval, hands=hands, facts=facts)


def _may_approve(
    user: ActorLike,
    post: Post,
    chans: Sequence[Channel],
    *,
    approval: str,
    hands: Callable[[], set[int]],
    facts: ListFacts | None,
) -> bool:
    """`may_approve` for the chain `approval`, with `hands` the people four eyes excludes
    (read only when a rule needs them)."""
    municipal = roles_in(user, post.municipality)
    if not municipal:
        return False
    wanted = rules.approver_roles(approval)
    if not wanted:
        return False
    four_eyes = any(channel_settings(c).four_eyes for c in chans)

    def excluded() -> set[int]:
        return hands() if four_eyes else set()

    # The chain is the strictest of the channels' own; a channel that asks for no
    # approval of its own asks nothing of the approver. Else a post on a unit's page
    # (unit leader) and the main page (none) waited for ever: the unit leader does not
    # answer for the main page, and communications does not stand in where the unit
    # has a leader (CH-4). Were none to ask any more, every channel is asked as before.
    asking = [c for c in chans if rules.approver_roles(channel_approval(c, None))] or chans
    for channel in asking:
        if not _approves_on(user, municipal, channel, wanted, excluded, facts):
            return False
    if four_eyes:
        return getattr(user_of(user), "pk", None) not in hands()
    return True


def _approves_on(
    user: ActorLike,
    municipal: frozenset[str],
    channel: Channel,
    wanted: frozenset[str],
    excluded: Callable[[], set[int]],
    facts: ListFacts | None,
) -> bool:
    """Whether `user` holds the step `wanted` names for `channel` (four eyes aside).

    Communications stands in for the unit leader (CH-3, CH-4) on a page without a unit,
    and on a unit's page that has no unit leader left who may approve the post: none,
    or only people four eyes excludes (QA 2026-12: the unit's only leader wrote her own
    post and it waited for ever, with nobody told). While another leader of the unit
    (or one without a unit) may approve it, that leader is asked, not communications."""
    if "communications" in wanted and Role.COMMUNICATIONS in municipal:
        return True
    if "unit_leader" not in wanted:
        return False
    if not channel.unit_id:
        return Role.COMMUNICATIONS in municipal  # a page without a unit
    leads = (
        facts.leads(user, channel)
        if facts is not None
        else is_unit_leader_for(user_of(user), channel=channel)
    )
    if leads:
        return True
    if Role.COMMUNICATIONS not in municipal:
        return False
    leaders = facts.unit_leaders(channel) if facts is not None else unit_leaders(channel)
    return not leaders - excluded()


def _leader_rows(municipality_id: int) -> Iterable[tuple[int | None, int]]:
    """(unit id or None, user id) of the municipality's active unit leaders."""
    return RoleAssignment.objects.filter(
        municipality=municipality_id, role=Role.UNIT_LEADER, user__is_active=True
    ).values_list("unit_id", "user_id")


def unit_leaders(channel: Channel) -> set[int]:
    """The ids of the channel's unit leaders (`is_unit_leader_for`): the active leaders of
    its unit and those assigned without a unit."""
    return {
        user
        for unit, user in _leader_rows(channel.municipality_id)
        if unit is None or unit == channel.unit_id
    }


def approvers(
    post: Post,
    channels: Iterable[Channel] | None = None,
    *,
    approval: str | None = None,
    submitter: ActorLike | None = None,
) -> list[Any]:
    """Everyone who may approve the post (`may_approve`, stand-ins included), by e-mail
    address: the people `awaiting_notify` writes to. With `approval` and `submitter`, who
    could approve it once `submitter` sends it on the chain `approval` (the publishing
    confirmation, before `post_publish` sets them). Empty: nobody can approve it (the
    caller says so; it would wait for ever)."""
    chans = list(channels) if channels is not None else post_channels(post)
    approval = post.approval if approval is None else approval
    if not rules.approver_roles(approval):
        return []
    facts = ListFacts([post])
    found: set[int] | None = None

    def hands() -> set[int]:
        nonlocal found
        if found is None:
            events = post.events.order_by("-pk").values_list("action", "actor_id")
            sender = getattr(user_of(submitter), "pk", None) if submitter is not None else None
            found = _hands_on(post, events, submitter=sender)
        return found

    people = {
        ra.user
        for ra in RoleAssignment.objects.filter(
            municipality=post.municipality,
            role__in=(Role.UNIT_LEADER, Role.COMMUNICATIONS),
            user__is_active=True,
        ).select_related("user")
    }
    return sorted(
        (
            u
            for u in people
            if _may_approve(u, post, chans, approval=approval, hands=hands, facts=facts)
        ),
        key=lambda u: (u.email or "", u.pk),
    )


def may_edit(user: ActorLike, post: Post, channels: Iterable[Channel] | None = None) -> bool:
    """The author or communications, if they may publish on every channel of the post."""
    chans = list(channels) if channels is not None else post_channels(post)
    municipal = roles_in(user, post.municipality)
    if not municipal:
        return False
    if (
        getattr(user_of(user), "pk", None) != post.author_id
        and Role.COMMUNICATIONS not in municipal
    ):
        return False
    return all(has_channel_need(user, c, "publish") for c in chans)


def may_decide_paused_posts(user: ActorLike, municipality: Municipality) -> bool:
    """Who decides on every post a crisis paused here (PU-12): the crisis leader,
    communications and whoever approves in a crisis (a named deputy, a role the preset's
    `approvers` names). Not the chief administrator as such: where they declare and end
    the crisis (Birkenes «hvor rådmannen har satt kriseledelse», Gausdal) they set up the
    crisis management, and declaring is not approving (docs/crisis.md); publishing a
    paused post now or at a time is a decision on what goes out. The console sends them
    neither the forms nor, after ending a crisis, to the page of paused posts."""
    municipal = roles_in(user, municipality)
    if not municipal:
        return False
    if municipal & {Role.CRISIS_LEADER, Role.COMMUNICATIONS}:
        return True
    from ordstyrer.crisis.selectors import may_approve_in_crisis

    return may_approve_in_crisis(user=user, municipality=municipality)


def may_decide_paused(user: ActorLike, post: Post) -> bool:
    """Who decides what happens to a post a crisis paused (PU-12): those who decide on
    every paused post (`may_decide_paused_posts`), and whoever may edit the post."""
    return may_decide_paused_posts(user, post.municipality) or may_edit(user, post)


def may_view(user: ActorLike, post: Post, *, facts: ListFacts | None = None) -> bool:
    """Communications, the chief administrator and the crisis leader see every post;
    others their own, those on a channel they publish on, and those they may approve."""
    municipal = roles_in(user, post.municipality)
    if not municipal:
        return False
    if municipal & {Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR, Role.CRISIS_LEADER}:
        return True
    if getattr(user_of(user), "pk", None) == post.author_id:
        return True
    chans = post_channels(post)
    return any(has_channel_need(user, c, "publish") for c in chans) or may_approve(
        user, post, chans, facts=facts
    )


def access_post(*, user: ActorLike, id: Any, slug: str | None = None, need: str = "view") -> Post:
    """The post `id` if `user` may do `need` (view, edit, approve) on it."""
    objects = Post.objects.select_related("municipality", "author")
    post = fetch_in(objects, id, slug, lambda p: p.municipality)
    if not roles_in(user, post.municipality):
        raise not_found()
    checks: dict[str, Callable[[ActorLike, Post], bool]] = {
        "view": may_view,
        "edit": may_edit,
        "approve": may_approve,
    }
    check = checks[need]
    if not check(user, post):
        raise NotPermitted(_("Du har ikke rollen som trengs for dette innlegget."))
    return post


# --------------------------------------------------------------------------- public file

# The platforms that may fetch a post's media from its public URL: Instagram always does
# (Graph §4.5, `delivery.build_draft`); Facebook's API takes a URL too
# (`connectors.facebook`). Nobody else is given the URL.
FETCHED_BY_URL = ("instagram", "facebook")


def fetching_deliveries(*, exclude_post_id: int | None = None) -> QuerySet[PostChannel]:
    """The deliveries for which a platform may fetch the file `OuterRef("pk")` now: its
    post is released (publishing, or scheduled and come due) and not taken down, and the
    copy for Instagram or Facebook is still to go out or under way (retries included)."""
    rows = PostChannel.objects.filter(
        post__attachments__asset=OuterRef("pk"),
        channel__kind__in=FETCHED_BY_URL,
        status__in=(DeliveryStatus.QUEUED, DeliveryStatus.PUBLISHING),
        post__status__in=(PostStatus.PUBLISHING, PostStatus.SCHEDULED),
        post__taken_down_at__isnull=True,
    )
    return rows.exclude(post_id=exclude_post_id) if exclude_post_id is not None else rows


def public_media_asset(*, slug: str, token: str) -> MediaAsset | None:
    """The file behind a public URL (no login, `views.public_media`), only while a
    platform needs to fetch it for a post (`fetching_deliveries`), and never once a
    consent to it is withdrawn (PU-6). Otherwise None: a link Meta (or anyone it reached)
    has seen leads nowhere once the post is out, stopped or taken down. Withdrawal and
    take-down also give the file a new token (`media.new_public_token`), so the old link
    never works again."""
    withdrawn = Consent.objects.filter(asset=OuterRef("pk"), withdrawn_at__isnull=False)
    return (
        MediaAsset.objects.filter(public_token=token, municipality__slug=slug)
        .filter(Exists(fetching_deliveries()))
        .exclude(Exists(withdrawn))
        .only("content", "mime", "filename")
        .first()
    )
