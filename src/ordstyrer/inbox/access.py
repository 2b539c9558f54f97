"""Who may see and work on inbox items, on top of the channels' per-channel roles (CH-3).

Reading the inbox of a channel is for the people who answer on it (its main
administrator, administrators and editors) and for communications and the chief
administrator, who oversee every channel (CH-4). Replying and changing items is for
the people with the channel's "reply" need (`channels.permissions`): its appointed
administrators/editors and communications. An outsider gets 404 everywhere.

Each helper takes the request's `Actor` (no query for the roles) or a bare user (the
roles looked up once per call, `core.permissions.actor_for`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel, ChannelMembership
from ordstyrer.channels.permissions import (
    CHANNEL_NEEDS,
    OVERSIGHT,
    channel_ids_with_need,
    fetch_in,
    has_channel_need,
    require_channel_role,
    sees_every_channel,
)
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.permissions import actor_for, not_found, roles_in
from ordstyrer.inbox.models import InboxItem
from ordstyrer.tenants.models import Municipality

REPLY_ROLES = CHANNEL_NEEDS["reply"] or frozenset()


def visible_channel_ids(user: ActorLike, municipality: Municipality) -> list[int] | None:
    """The channels whose inbox `user` reads; None means every channel (oversight)."""
    return channel_ids_with_need(actor_for(user, municipality), municipality, "reply")


def may_view_channel(user: ActorLike, channel: Channel) -> bool:
    actor = actor_for(user, channel.municipality)
    return sees_every_channel(actor, actor.municipality) or has_channel_need(
        actor, channel, "reply"
    )


def may_work(user: ActorLike, channel: Channel) -> bool:
    """Reply, assign, change status, refer (CH-3)."""
    return has_channel_need(user, channel, "reply")


def works_anywhere(user: ActorLike, municipality: Municipality, *, readable: int) -> bool:
    """Whether `user` may work on the items of at least one channel of `municipality`, given
    how many channels' inboxes they read (`readable`): the work list shows its actions
    only then. An appointed person works where they read; the chief administrator reads
    every inbox (CH-4) and works in none unless appointed to a channel."""
    actor = actor_for(user, municipality)
    if not sees_every_channel(actor, municipality):
        return readable > 0
    if any("reply" in OVERSIGHT.get(role, ()) for role in roles_in(actor, municipality)):
        return True
    return ChannelMembership.objects.filter(
        user=user_of(actor), channel__municipality=municipality, role__in=REPLY_ROLES
    ).exists()


def require_work(user: ActorLike, channel: Channel) -> None:
    """Raise unless `user` may reply on and change items of `channel` (CH-3)."""
    require_channel_role(actor_for(user, channel.municipality), channel, "reply")


# Channels on which the municipality still speaks: replies go out (CH-1, CH-3). A paused
# channel is one the municipality stops using *for a while* (docs/channels.md): its
# comments are still read (`inbox.polls` polls it) and owed an answer (DI-1, CH-5), so
# replies go out there, as they do on a closed one (CH-9) to what came before the
# closure. A channel not yet in use, or retired, is not spoken on.
SPOKEN_ON = channel_workflow.LIVE


def require_in_use(channel: Channel) -> None:
    """Raise unless `channel` is in use, so that a reply may go out on it in the
    municipality's name (CH-1, CH-3): active, paused or closed; never retired or not yet
    activated."""
    if channel.status not in SPOKEN_ON:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "Kanalen «%(name)s» er ikke i bruk, så ingen svar kan sendes der i kommunens navn."
                ),
                {"name": channel.name},
            ),
            rule="CH-1",
            code="channel_inactive",
        )


def access_item(
    *, user: ActorLike, id: int, slug: str | None = None, need: str = "view"
) -> InboxItem:
    """The inbox item `id` if `user` may `view` it or `work` on it; 404 for outsiders
    (and for an item of another municipality than the URL's), 403 for members."""
    objects = InboxItem.objects.select_related("channel__municipality", "channel__unit", "assignee")
    item = fetch_in(objects, id, slug, lambda i: i.channel.municipality)
    municipality = item.channel.municipality
    if item.municipality_id == municipality.pk:  # always: joined once, not twice
        item.municipality = municipality
    actor = actor_for(user, municipality)  # the roles once (none asked for `request.actor`)
    if not actor.roles:
        raise not_found()
    if need == "work":
        require_work(actor, item.channel)
    elif need == "view":
        if not may_view_channel(actor, item.channel):
            raise NotPermitted(_("Du har ikke tilgang til innboksen for denne kanalen (CH-3)."))
    else:
        raise ValueError(f"unknown inbox need {need!r}")
    return item
