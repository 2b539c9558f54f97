"""Who may write, see and approve posts (CH-3, CH-4), on top of `channels.permissions`.

`access_post(user=…, id=…, need=…)` is the one way views and services reach a post: an
outsider gets 404 (the post's existence does not leak), a member without the role 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelMembership
from ordstyrer.channels.permissions import fetch_in, has_channel_need
from ordstyrer.channels.selectors import is_unit_leader_for
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.publishing import rules
from ordstyrer.publishing.models import ChannelPublishing, Post
from ordstyrer.tenants.models import Municipality, Role

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


def channel_settings(channel: Channel) -> ChannelPublishing:
    found = ChannelPublishing.objects.filter(channel=channel).first()
    return found or ChannelPublishing(channel=channel)


def channel_approval(channel: Channel, policy: Any) -> str:
    """Who approves this channel's posts: its own setting, else the preset's default
    (none in every preset: no guideline asks for each post to be approved, CH-3/CH-4)."""
    setting = channel_settings(channel).approval
    if setting:
        return setting
    return rules.default_approval()


def post_channels(post: Post) -> list[Channel]:
    return [
        d.channel for d in post.deliveries.select_related("channel__municipality", "channel__unit")
    ]


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
    ids = {post.author_id, post.submitted_by_id}
    for action, actor_id in post.events.order_by("-pk").values_list("action", "actor_id"):
        if action in APPROVED:
            break
        if action in HANDS_ON:
            ids.add(actor_id)
    return {i for i in ids if i is not None}


def may_approve(user: ActorLike, post: Post, channels: Iterable[Channel] | None = None) -> bool:
    """An approver the post's channels name (unit leader of each unit page, or
    communications); with four eyes, never the author, nor whoever submitted the post
    or changed it since it was last approved (`hands_on`)."""
    if not roles_in(user, post.municipality):
        return False
    wanted = rules.approver_roles(post.approval)
    if not wanted:
        return False
    chans = list(channels) if channels is not None else post_channels(post)
    municipal = roles_in(user, post.municipality)
    for channel in chans:
        ok = False
        if "communications" in wanted and Role.COMMUNICATIONS in municipal:
            ok = True
        if (
            "unit_leader" in wanted
            and channel.unit_id
            and is_unit_leader_for(user_of(user), channel=channel)
        ):
            ok = True
        if "unit_leader" in wanted and not channel.unit_id and Role.COMMUNICATIONS in municipal:
            ok = True  # a page without a unit: communications stands in for the leader
        if not ok:
            return False
    if any(channel_settings(c).four_eyes for c in chans):
        return getattr(user_of(user), "pk", None) not in hands_on(post)
    return True


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


def may_decide_paused(user: ActorLike, post: Post) -> bool:
    """Who decides what happens to a post a crisis paused (PU-12): the crisis leader,
    communications, whoever approves in the crisis, and whoever may edit the post."""
    municipal = roles_in(user, post.municipality)
    if not municipal:
        return False
    if municipal & {Role.CRISIS_LEADER, Role.COMMUNICATIONS}:
        return True
    from ordstyrer.crisis.selectors import may_approve_in_crisis

    if may_approve_in_crisis(user=user, municipality=post.municipality):
        return True
    return may_edit(user, post)


def may_view(user: ActorLike, post: Post) -> bool:
    municipal = roles_in(user, post.municipality)
    if not municipal:
        return False
    if municipal & {Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR, Role.CRISIS_LEADER}:
        return True
    if getattr(user_of(user), "pk", None) == post.author_id:
        return True
    chans = post_channels(post)
    return any(has_channel_need(user, c, "publish") for c in chans) or may_approve(
        user, post, chans
    )


def access_post(*, user: ActorLike, id: Any, slug: str | None = None, need: str = "view") -> Post:
    """The post `id` if `user` may do `need` (view, edit, approve) on it."""
    objects = Post.objects.select_related("municipality", "author")
    post = fetch_in(objects, id, slug, lambda p: p.municipality)
    if not roles_in(user, post.municipality):
        raise not_found()
    check = {"view": may_view, "edit": may_edit, "approve": may_approve}[need]
    if not check(user, post):
        raise NotPermitted(_("Du har ikke rollen som trengs for dette innlegget."))
    return post
