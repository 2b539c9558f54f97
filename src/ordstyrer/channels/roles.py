"""Per-channel roles (CH-3): main administrator, administrators, editors.

Every channel has at least one active main administrator, always: a removal or demotion
that would leave none is refused. Only the people named here (and communications, see
`permissions.OVERSIGHT`) publish, reply and moderate in the municipality's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.channels.permissions import (
    CHANNEL_NEEDS,
    OVERSIGHT,
    forget_channel_roles,
    require_channel_role,
)
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.channels.transitions import lock_channel
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.permissions import roles_in
from ordstyrer.core.services import person
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import active_main_admin_q

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def check_member(user: User | None, municipality: Municipality, what: str) -> None:
    if user is None or not roles_in(user, municipality):
        raise ServiceError(
            lazy_interpolate(gettext_lazy("%(what)s må være ansatt i kommunen."), {"what": what}),
            rule="CH-3",
        )


def refuse_no_active_main_admin(channel: Channel) -> None:
    """Called after a removal or demotion, inside its transaction: refuse (and so roll it
    back) when the channel is left without an active main administrator (CH-3).

    "Active" is the selectors' one definition (`active_main_admin_count`: can still log in
    and still holds a role in the municipality), the same that flags the channel (CH-5)
    and that activation asks for; a deactivated or departed main administrator does not
    keep the channel run."""
    if active_main_admin_count(channel=channel) == 0:
        raise ServiceError(
            gettext_lazy(
                "Kanalen må alltid ha minst én hovedadministrator. Utnevn en ny "
                "hovedadministrator før du fjerner denne."
            ),
            rule="CH-3",
            code="last_main_admin",
        )


def channel_role_set(
    *, actor: ActorLike, channel: Channel, user: User, role: str
) -> ChannelMembership:
    """Give `user` a role on the channel, or change it (CH-3). Demoting the last main
    administrator is refused."""
    if role not in ChannelRole.values:
        raise ServiceError(
            lazy_interpolate(gettext_lazy("Ukjent rolle «%(role)s»."), {"role": role})
        )
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        check_member(user, channel.municipality, _("Den som får en rolle"))
        if channel.status == workflow.RETIRED:
            raise ServiceError(gettext_lazy("Kanalen er avviklet."))
        membership = channel.memberships.filter(user=user).first()
        previous = membership.role if membership else ""
        if membership is not None and previous == role:  # (role is never "")
            return membership
        if membership is None:
            membership = ChannelMembership(channel=channel, user=user)
        membership.role = role
        membership.granted_by = person(actor)
        membership.granted_at = now
        membership.save()
        if previous == ChannelRole.MAIN_ADMIN:
            refuse_no_active_main_admin(channel)
        audit_record(
            actor=actor,
            action="channel_role_set",
            municipality=channel.municipality,
            obj=channel,
            data={"user_id": user.pk, "role": role, "previous": previous},
        )
    forget_channel_roles(actor)
    return membership


# What a channel role lets its holder do (`permissions.CHANNEL_NEEDS`), as the removal's
# confirmation lists what is lost, in this order.
LOST_NEEDS = ("publish", "reply", "moderate", "manage", "review")


@dataclass(frozen=True)
class RoleRemoval:
    """What taking `user`'s role on the channel away does, as its confirmation page
    shows it before anything is done (CH-3)."""

    channel: Channel
    user: User
    role: str  # the role held now, which the confirmation sends back
    role_label: str
    active: bool  # can log in and holds a role in the municipality
    # What they can no longer do on the channel (`LOST_NEEDS`): none of what a role of
    # theirs in the municipality gives them anyway (`permissions.OVERSIGHT`).
    lost: tuple[str, ...]
    # The channel's active main administrators but them, for a main administrator.
    other_main_admins: tuple[User, ...]
    open_items: int  # open inbox items of the channel assigned to them
    # The last active main administrator (or one who has left, with none active): the
    # service refuses it (CH-3); the page says so and offers no confirmation.
    refused: bool


def _active_main_admins(channel: Channel) -> list[User]:
    ids = ChannelMembership.objects.filter(
        active_main_admin_q(municipality=channel.municipality_id), channel=channel
    ).values_list("user_id", flat=True)
    return list(
        get_user_model()
        .objects.filter(pk__in=ids)
        .order_by("first_name", "last_name", "username", "pk")
    )


def channel_role_remove_preview(
    *, actor: ActorLike, channel: Channel, user: User
) -> RoleRemoval | None:
    """The consequence of `channel_role_remove`, for its confirmation page (taking away
    access is a deliberate act): who loses which role on which channel, what they can no
    longer do there, their open inbox items on it, and — for a main administrator — who
    still runs the channel, or that it cannot be done (CH-3). None when they hold no role
    on the channel (removed already). A read: writes nothing."""
    from ordstyrer.inbox.models import InboxItem

    require_channel_role(actor, channel, "manage")
    membership = channel.memberships.filter(user=user).first()
    if membership is None:
        return None
    admins = _active_main_admins(channel)
    others = tuple(admin for admin in admins if admin.pk != user.pk)
    municipal = roles_in(user, channel.municipality)
    active = bool(user.is_active and municipal)
    kept = {
        need for role in (municipal if user.is_active else ()) for need in OVERSIGHT.get(role, ())
    }
    lost = tuple(
        need
        for need in LOST_NEEDS
        if membership.role in (CHANNEL_NEEDS[need] or ()) and need not in kept
    )
    is_main = membership.role == ChannelRole.MAIN_ADMIN
    return RoleRemoval(
        channel=channel,
        user=user,
        role=membership.role,
        role_label=str(membership.get_role_display()),
        active=active,
        lost=lost,
        other_main_admins=others if is_main else (),
        open_items=InboxItem.objects.filter(
            channel=channel, assignee=user, open=True, listed=True
        ).count(),
        refused=is_main and not others,
    )


def channel_role_remove(
    *, actor: ActorLike, channel: Channel, user: User, role: str | None = None
) -> bool:
    """Take away `user`'s role on the channel; the last main administrator stays (CH-3).
    False when they hold no role on it (removed already: a replayed confirmation).

    `role` is the role the confirmation showed (`channel_role_remove_preview`): when they
    hold another one now (someone changed it since), nothing is done and a
    `ServiceError` (code "role_changed") says so — the confirmation takes away only what
    it showed."""
    with transaction.atomic():
        # The channel's row before counting its main administrators: a person's going
        # at the same instant (`tenants.services.channels_lock`) waits for this, or this
        # for it, so both cannot see the other still active (CH-3).
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        membership = channel.memberships.filter(user=user).first()
        if membership is None:
            return False
        previous = membership.role
        if role is not None and previous != role:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy(
                        "%(person)s har nå rollen «%(role)s» på kanalen, ikke den siden viste. "
                        "Ingenting er endret. Se over og bekreft på nytt."
                    ),
                    {
                        "person": user.get_full_name() or user.get_username(),
                        "role": membership.get_role_display(),
                    },
                ),
                rule="CH-3",
                code="role_changed",
            )
        membership.delete()
        if previous == ChannelRole.MAIN_ADMIN:
            refuse_no_active_main_admin(channel)
        audit_record(
            actor=actor,
            action="channel_role_remove",
            municipality=channel.municipality,
            obj=channel,
            data={"user_id": user.pk, "previous": previous},
        )
    forget_channel_roles(actor)
    return True
