"""Per-channel roles (CH-3): main administrator, administrators, editors.

Every channel has at least one active main administrator, always: a removal or demotion
that would leave none is refused. Only the people named here (and communications, see
`permissions.OVERSIGHT`) publish, reply and moderate in the municipality's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.channels.permissions import forget_channel_roles, require_channel_role
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.channels.transitions import lock_channel
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import roles_in
from ordstyrer.core.services import person
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def check_member(user: User | None, municipality: Municipality, what: str) -> None:
    if user is None or not roles_in(user, municipality):
        raise ServiceError(_("%(what)s må være ansatt i kommunen.") % {"what": what}, rule="CH-3")


def refuse_no_active_main_admin(channel: Channel) -> None:
    """Called after a removal or demotion, inside its transaction: refuse (and so roll it
    back) when the channel is left without an active main administrator (CH-3).

    "Active" is the selectors' one definition (`active_main_admin_count`: can still log in
    and still holds a role in the municipality), the same that flags the channel (CH-5)
    and that activation asks for; a deactivated or departed main administrator does not
    keep the channel run."""
    if active_main_admin_count(channel=channel) == 0:
        raise ServiceError(
            _(
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
        raise ServiceError(_("Ukjent rolle «%(role)s».") % {"role": role})
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        check_member(user, channel.municipality, _("Den som får en rolle"))
        if channel.status == workflow.RETIRED:
            raise ServiceError(_("Kanalen er avviklet."))
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


def channel_role_remove(*, actor: ActorLike, channel: Channel, user: User) -> None:
    """Take away `user`'s role on the channel; the last main administrator stays (CH-3)."""
    with transaction.atomic():
        # The channel's row before counting its main administrators: a person's going
        # at the same instant (`tenants.services.channels_lock`) waits for this, or this
        # for it, so both cannot see the other still active (CH-3).
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        membership = channel.memberships.filter(user=user).first()
        if membership is None:
            return
        previous = membership.role
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
