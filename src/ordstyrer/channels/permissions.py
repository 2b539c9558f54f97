"""Who may do what on one channel (CH-3), on top of `core.permissions`.

`access_channel(user=…, id=…, need=…)` is the one way views, services and later apps
(publishing, inbox, moderation) reach a channel: an outsider gets 404 (the channel's
existence does not leak), a member without the role gets 403 (`NotPermitted`).
Every helper here (`access_channel`, `require_channel_role`, `has_channel_need`,
`channel_role_of`, `may_edit_proposal`, `may_decide`) takes the request's `Actor` as well
as a bare user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.core.actor import Actor, ActorLike, user_of
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.tenants.models import Municipality, Role

M = TypeVar("M", bound=Model)

MAIN = ChannelRole.MAIN_ADMIN
ADMIN = ChannelRole.ADMIN
EDITOR = ChannelRole.EDITOR

# need → the channel roles that have it. None: any member of the municipality.
CHANNEL_NEEDS: dict[str, frozenset[str] | None] = {
    "view": None,
    # CH-3: only appointed administrators/editors publish, reply and comment.
    "publish": frozenset({MAIN, ADMIN, EDITOR}),
    "reply": frozenset({MAIN, ADMIN, EDITOR}),
    "moderate": frozenset({MAIN, ADMIN}),
    # Roles on the channel, activation, pause, closures (CH-9), house rules.
    "manage": frozenset({MAIN}),
    # CH-6: the main administrator reviews the channel.
    "review": frozenset({MAIN}),
}

# Municipality roles that hold a need on every channel of the municipality: the
# communications advisor runs the whole thing (web editor, CH-4 M); the chief
# administrator holds editorial responsibility (CH-4) and may manage and retire.
OVERSIGHT: dict[str, frozenset[str]] = {
    Role.COMMUNICATIONS: frozenset(CHANNEL_NEEDS),
    Role.CHIEF_ADMINISTRATOR: frozenset({"view", "manage"}),
}


# Municipality roles that read every channel's inbox and moderation log (CH-4:
# editorial responsibility).
OVERSIGHT_ROLES = frozenset({Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR})


def sees_every_channel(user: ActorLike, municipality: Municipality) -> bool:
    return bool(roles_in(user, municipality) & OVERSIGHT_ROLES)


def channel_ids_with_need(
    user: ActorLike, municipality: Municipality, need: str
) -> list[int] | None:
    """The channels of `municipality` where `user` holds `need` by appointment; None
    means every channel (the oversight roles, CH-4), [] an outsider."""
    if sees_every_channel(user, municipality):
        return None
    if not roles_in(user, municipality):
        return []
    wanted = CHANNEL_NEEDS[need]
    if wanted is None:  # "view" needs no appointment; Django would fail on `role__in=None`
        raise ValueError(f"channel need {need!r} is not held by appointment")
    return list(
        ChannelMembership.objects.filter(
            user=user_of(user), channel__municipality=municipality, role__in=wanted
        )
        .values_list("channel_id", flat=True)
        .order_by("channel_id")
    )


def channel_role_of(user: ActorLike, channel: Channel) -> str | None:
    """The person's role on the channel, or None; remembered by the request's `Actor`
    (a bare user asks the database each time)."""
    person = user_of(user)
    if not getattr(person, "is_authenticated", False):
        return None
    cache = user.channel_roles if isinstance(user, Actor) else {}
    if channel.pk not in cache:
        cache[channel.pk] = (
            ChannelMembership.objects.filter(channel=channel, user=person)
            .values_list("role", flat=True)
            .first()
        )
    return cache[channel.pk]


def forget_channel_roles(actor: ActorLike) -> None:
    """After a change of channel roles: the acting `Actor` asks again."""
    if isinstance(actor, Actor):
        actor.channel_roles.clear()


def has_channel_need(user: ActorLike, channel: Channel, need: str) -> bool:
    """Whether `user` has `need` on `channel` (False for outsiders)."""
    if need not in CHANNEL_NEEDS:
        raise ValueError(f"unknown channel need {need!r}")
    municipal = roles_in(user, channel.municipality)
    if not municipal:
        return False
    wanted = CHANNEL_NEEDS[need]
    if wanted is None:
        return True
    if any(need in OVERSIGHT.get(role, ()) for role in municipal):
        return True
    return channel_role_of(user, channel) in wanted


def require_channel_role(user: ActorLike, channel: Channel, need: str) -> None:
    """Raise unless `user` may do `need` on `channel`: 404 outsider, 403 member (CH-3)."""
    if not roles_in(user, channel.municipality):
        raise not_found()
    if not has_channel_need(user, channel, need):
        raise NotPermitted(
            _("Bare utpekte administratorer og redaktører for kanalen kan gjøre dette (CH-3).")
        )


def fetch_in(
    objects: QuerySet[M], id: Any, slug: str | None, municipality: Callable[[M], Municipality]
) -> M:
    """The row `id` of `objects` — with `slug`, only if `municipality(row)` is the URL's —
    or the outsider's 404 (an id that is no number included). The first step of every
    `access_*` helper; each then checks its own need."""
    try:
        row = objects.get(pk=id)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise not_found() from None
    if slug is not None and municipality(row).slug != slug:
        raise not_found()
    return row


def access_channel(
    *, user: ActorLike, id: int, need: str = "view", slug: str | None = None
) -> Channel:
    """The channel `id` if `user` may do `need` on it. With `slug`, the channel must also
    belong to that municipality (the URL's), otherwise 404."""
    objects = Channel.objects.select_related("municipality", "unit")
    channel = fetch_in(objects, id, slug, lambda c: c.municipality)
    require_channel_role(user, channel, need)
    return channel


def may_edit_proposal(user: ActorLike, channel: Channel) -> bool:
    """The proposer, the unit's leader, the channel's main administrator or
    communications may edit and submit a proposal."""
    from ordstyrer.channels.selectors import is_unit_leader_for

    if not roles_in(user, channel.municipality):
        return False
    return (
        getattr(user_of(user), "pk", None) == channel.proposed_by_id
        or has_channel_need(user, channel, "manage")
        or is_unit_leader_for(user, channel=channel)
    )


def may_decide(user: ActorLike, channel: Channel) -> bool:
    """Whether `user` may approve or reject the proposal's current step (CH-1): an
    eligible approver who neither proposed nor submitted it (`barred_from_deciding`) and has
    not approved an earlier step."""
    from ordstyrer.channels.selectors import (
        barred_from_deciding,
        is_eligible_approver,
        round_approvals,
    )

    role = channel.current_approver_role
    person = user_of(user)
    if role is None or barred_from_deciding(
        getattr(person, "pk", None), channel=channel, chain_role=role
    ):
        return False
    if not is_eligible_approver(user, channel=channel, chain_role=role):
        return False
    return not round_approvals(channel=channel).filter(actor=person).exists()
