"""Who may moderate, on top of the channels' per-channel needs (CH-3, MO-5).

Hiding, deleting and banning is for the channel's administrators (main administrator
and administrators) and communications: the channels' `moderate` need. Editors answer
but do not moderate. Where the preset has MO-5 (Midt-Telemark: "Hovedadministrator er
ansvarlig for å slette"), a deletion or ban is the main administrator's (or
communications', the web editor's) to make. The chief administrator reads the
moderation log (editorial responsibility, CH-4). An outsider gets 404 everywhere.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from ordstyrer.channels.models import Channel, ChannelRole
from ordstyrer.channels.permissions import (
    CHANNEL_NEEDS,
    channel_ids_with_need,
    channel_role_of,
    has_channel_need,
    require_channel_role,
)
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.moderation.models import ModerationAction
from ordstyrer.tenants.models import Municipality, Role

MODERATE_ROLES = CHANNEL_NEEDS["moderate"] or frozenset()


def may_moderate(user: ActorLike, channel: Channel) -> bool:
    return has_channel_need(user, channel, "moderate")


def require_moderate(user: ActorLike, channel: Channel) -> None:
    """404 for an outsider, 403 for a member who is not the channel's administrator."""
    require_channel_role(user, channel, "moderate")


def may_remove(user: ActorLike, channel: Channel, policy: Any) -> bool:
    """Delete or ban: the `moderate` need, and under MO-5 the main administrator's."""
    if not may_moderate(user, channel):
        return False
    if not policy.applies("MO-5"):
        return True
    if Role.COMMUNICATIONS in roles_in(user, channel.municipality):
        return True
    return channel_role_of(user, channel) == ChannelRole.MAIN_ADMIN


def require_remove(user: ActorLike, channel: Channel, policy: Any) -> None:
    require_moderate(user, channel)
    if not may_remove(user, channel, policy):
        raise NotPermitted(
            gettext_lazy(
                "Hovedadministratoren for kanalen har ansvar for å slette og følge opp "
                "innlegg (MO-5). Be hovedadministratoren eller kommunikasjon om å gjøre det."
            )
        )


def log_channel_ids(user: ActorLike, municipality: Municipality) -> list[int] | None:
    """The channels whose moderation log `user` reads; None means every channel."""
    return channel_ids_with_need(user, municipality, "moderate")


def access_action(*, user: ActorLike, id: int, municipality: Municipality) -> ModerationAction:
    """The action `id` of the URL's municipality if `user` reads its channel's log."""
    action = (
        ModerationAction.objects.select_related("channel__municipality", "item", "archive_record")
        .defer("archive_record__canonical")
        .filter(pk=id, municipality=municipality)
        .first()
    )
    if action is None or not roles_in(user, municipality):
        raise not_found()
    visible = log_channel_ids(user, municipality)
    if visible is not None and action.channel_id not in visible:
        raise NotPermitted(
            gettext_lazy("Bare kanalens administratorer og kommunikasjon ser dette.")
        )
    return action
