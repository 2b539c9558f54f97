"""Session 17 fixes on the channel page (CH-1, CH-3): the last *active* main administrator
stays, a retirement is confirmed before it happens, and editing a proposal keeps the
main administrators the roles panel added."""

from __future__ import annotations

import pytest

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.models import RoleAssignment
from tests.channels.conftest import active_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

MAIN, EDITOR = ChannelRole.MAIN_ADMIN, ChannelRole.EDITOR


def roles_of(channel):
    return dict(channel.memberships.values_list("user__username", "role"))


# --- CH-3: a deactivated or departed main administrator does not count ------------------


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _depart(user):
    RoleAssignment.objects.filter(user=user).delete()


@pytest.mark.parametrize("gone", [_deactivate, _depart], ids=["deactivated", "departed"])
@pytest.mark.parametrize("change", ["remove", "demote"])
def test_the_last_active_main_admin_stays(personas, gone, change):
    p = personas
    channel = active_channel(p)  # p.employee is main administrator
    second = person_with_roles(p.municipality, username="nestemann")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    gone(second)
    with pytest.raises(ServiceError) as refused:
        if change == "remove":
            services.channel_role_remove(actor=p.communications, channel=channel, user=p.employee)
        else:
            services.channel_role_set(
                actor=p.communications, channel=channel, user=p.employee, role=EDITOR
            )
    assert refused.value.code == "last_main_admin" and refused.value.rule == "CH-3"
    assert roles_of(channel) == {p.employee.username: MAIN, "nestemann": MAIN}


def test_an_inactive_main_admin_goes_while_an_active_one_stays(personas):
    p = personas
    channel = active_channel(p)
    second = person_with_roles(p.municipality, username="nestemann")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    _deactivate(second)
    services.channel_role_remove(actor=p.communications, channel=channel, user=second)
    assert roles_of(channel) == {p.employee.username: MAIN}
