"""Session 20: "an active main administrator" had copies. The flags, the removal check
and a person's going counted one who can log in and still holds a role in the
municipality (`tenants.selectors.active_main_admin_q`); `main_admin_users`, whom a
channel's notices go to (approval, review due, re-authorisation), counted anyone whose
account was active. A main administrator who had left the municipality (their last role
revoked, the account still active for another municipality) kept getting its channel's
e-mails, though the channel is flagged as having no active main administrator (CH-3).

Now the registry's account list, `main_admin_users` and the people offered a channel
role (`forms.members_of`) read the one definition."""

from __future__ import annotations

import pytest
from django.core import mail
from django.forms import ModelChoiceField
from django.utils import timezone

from ordstyrer.channels.forms import RoleForm
from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.roles import channel_role_set
from ordstyrer.channels.selectors import channel_registry, main_admin_users
from ordstyrer.platforms.notices import notify_reauth
from ordstyrer.tenants.models import Municipality, Role
from ordstyrer.tenants.selectors import policy_for
from ordstyrer.tenants.services import role_assign, role_revoke
from tests.channels.conftest import active_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    """«Skolen» with three main administrators: p.employee; «Zebedeus», who also works
    for the neighbour municipality; and «Åse», who holds two roles here."""
    p = personas
    p.channel = active_channel(p)  # p.employee its main administrator
    p.zeb = person_with_roles(p.municipality, username="zebedeus", first_name="Zebedeus")
    p.ase = person_with_roles(p.municipality, Role.ARCHIVIST, username="ase", first_name="Åse")
    neighbour = Municipality.objects.exclude(pk=p.municipality.pk).get(slug__endswith="-nabo")
    role_assign(actor=None, municipality=neighbour, user=p.zeb, role=Role.EMPLOYEE)
    for user in (p.zeb, p.ase):
        channel_role_set(
            actor=p.communications, channel=p.channel, user=user, role=ChannelRole.MAIN_ADMIN
        )
    return p


def _zebedeus_leaves(p) -> None:
    """His one role here goes; his account stays active (he works for the neighbour)."""
    role_revoke(actor=p.communications, municipality=p.municipality, user=p.zeb, role=Role.EMPLOYEE)
    p.zeb.refresh_from_db()
    assert p.zeb.is_active


def test_ch3_main_admin_users_leaves_out_one_who_left_the_municipality(world):
    """CH-3: Zebedeus holds no role in the municipality any more: he is no active main
    administrator of «Skolen», and its notices are not his to get."""
    p = world
    assert {u.pk for u in main_admin_users(channel=p.channel)} == {
        p.employee.pk,
        p.zeb.pk,
        p.ase.pk,
    }
    _zebedeus_leaves(p)
    admins = main_admin_users(channel=p.channel)
    assert sorted(u.pk for u in admins) == sorted([p.employee.pk, p.ase.pk])  # Åse once


def test_ch3_a_reauthorisation_notice_goes_to_no_one_who_left(world):
    """CH-3: the e-mail that the channel must be connected again goes to the main
    administrators still here, not to Zebedeus at his address (another municipality's
    business now)."""
    p = world
    _zebedeus_leaves(p)
    mail.outbox.clear()
    assert notify_reauth(channel_id=p.channel.pk)
    recipients = {address for message in mail.outbox for address in message.to}
    assert p.zeb.email not in recipients
    assert {p.employee.email, p.ase.email} <= recipients


def test_ch8_the_account_list_names_each_main_admin_still_here_once(world):
    """CH-8: the registry names Åse once (two roles), and not Zebedeus once he left."""
    p = world
    _zebedeus_leaves(p)
    policy = policy_for(municipality=p.municipality)
    (channel,) = [
        c
        for c in channel_registry(
            municipality=p.municipality, policy=policy, today=timezone.localdate()
        )
        if c.pk == p.channel.pk
    ]
    assert sorted(m.user_id for m in channel.main_admins) == sorted([p.employee.pk, p.ase.pk])
    assert channel.active_main_admins == 2


def test_ch3_a_channel_role_is_offered_to_people_still_here_once(world):
    """CH-3: the role form offers Åse once, and not Zebedeus once he left."""
    p = world
    _zebedeus_leaves(p)
    field = RoleForm(municipality=p.municipality).fields["user"]
    assert isinstance(field, ModelChoiceField)
    offered = list(field.queryset or [])
    assert p.zeb not in offered
    assert [u.pk for u in offered].count(p.ase.pk) == 1
    assert p.outsider not in offered
