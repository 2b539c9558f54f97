"""Session 19: a person who left the group that gave them their one role in the
municipality lost it at their next login, and the channels they were the last active
main administrator of were left with none, without a word (CH-3); the confirmation of a
mapping's removal named who loses the role, not which channels are then left unrun.

Now the login goes ahead (the identity provider's groups decide) but audits the channels
and e-mails their administrators and communications, and the confirmation page lists
the channels that would lose their last active main administrator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.roles import channel_role_remove, channel_role_set
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.services import group_map, group_unmap, sso_login
from ordstyrer.tenants.models import Role, RoleAssignment, Unit
from ordstyrer.tenants.services import role_assign
from tests.channels.conftest import active_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"
WARNING = "står da uten aktiv hovedadministrator"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def login(sub: str, *groups: str, **claims: str):
    return sso_login(
        issuer=ISSUER,
        claims={"sub": sub, "groups": list(groups), **claims},
        groups_claim="groups",
        now=NOW,
    )


@pytest.fixture
def world(personas):
    """«Skolen»: Ola, who logs in through SSO and is an employee by the group
    «sg-skole», is its one main administrator; Anne an administrator."""
    p = personas
    p.mapping = group_map(
        actor=None, municipality=p.municipality, group="sg-skole", role=Role.EMPLOYEE
    )
    p.ola = login("s-ola", "sg-skole", given_name="Ola", family_name="Nordmann")
    p.channel = active_channel(p)  # p.employee its main administrator
    channel_role_set(actor=p.employee, channel=p.channel, user=p.ola, role=ChannelRole.MAIN_ADMIN)
    channel_role_remove(actor=p.ola, channel=p.channel, user=p.employee)
    p.admin = person_with_roles(p.municipality, username="anne", first_name="Anne")
    channel_role_set(actor=p.ola, channel=p.channel, user=p.admin, role=ChannelRole.ADMIN)
    return p


def _confirmation(client, p) -> str:
    client.force_login(p.communications)
    url = f"/m/{p.municipality.slug}/innstillinger/sso/{p.mapping.pk}/fjern/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_unmap_confirmation_names_the_channels_left_without_main_admin(client, world):
    """CH-3: removing «sg-skole» takes Ola's only role, so «Skolen» has no active main
    administrator after his next login: the page says so, and still offers the removal."""
    page = _confirmation(client, world)
    assert WARNING in page
    link = f'href="/m/{world.municipality.slug}/kanaler/{world.channel.pk}/">«Skolen»</a>'
    assert link in page and "(Facebook-side)" in page
    assert 'name="confirmed"' in page


@pytest.mark.parametrize("keeps", ["another_role", "another_main_admin"])
def test_the_confirmation_lists_no_channel_that_stays_run(client, world, keeps):
    """CH-3: a unit role keeps Ola a member; Anne as a second main administrator runs
    the channel."""
    p = world
    if keeps == "another_role":
        unit = Unit.objects.create(municipality=p.municipality, name="Skolen")
        role_assign(
            actor=None, municipality=p.municipality, user=p.ola, role=Role.UNIT_LEADER, unit=unit
        )
    else:
        channel_role_set(actor=p.ola, channel=p.channel, user=p.admin, role=ChannelRole.MAIN_ADMIN)
    page = _confirmation(client, p)
    assert WARNING not in page and "Ola Nordmann" in page  # he still loses the role


def test_the_login_after_the_removal_goes_ahead_audits_and_mails(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3: the groups decide; the channel left is audited, its people told."""
    p = world
    group_unmap(actor=p.communications, municipality=p.municipality, mapping_id=p.mapping.pk)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login("s-ola")
    assert not RoleAssignment.objects.filter(user=p.ola).exists()
    assert active_main_admin_count(channel=p.channel) == 0
    [entry] = AuditEntry.objects.filter(action="channel_main_admin_gone")
    assert (entry.municipality, entry.object_id) == (p.municipality, str(p.channel.pk))
    assert entry.data == {"user_id": p.ola.pk, "cause": "sso_login", "rule": "CH-3"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([p.admin.email, p.communications.email])
    assert all("Ola Nordmann" in m.body and "«Skolen»" in m.subject for m in mailoutbox)


def test_a_login_that_leaves_a_unit_role_tells_no_one(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3: with a role for one unit Ola stays the channel's active main administrator."""
    p = world
    unit = Unit.objects.create(municipality=p.municipality, name="Skolen")
    role_assign(
        actor=None, municipality=p.municipality, user=p.ola, role=Role.UNIT_LEADER, unit=unit
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login("s-ola")
    assert active_main_admin_count(channel=p.channel) == 1
    assert not AuditEntry.objects.filter(action="channel_main_admin_gone").exists()
    assert mailoutbox == []
