"""Session 19: a person who has left (account deactivated, or their roles in the
municipality revoked) can be taken off a channel from its page, and is no longer offered
or mailed about it (CH-3, CH-8).

The channel page lists such a person «(ikke aktiv)» with a «Fjern …» button; the button
used to look them up among the municipality's active members, find nobody and redirect
without a word, so they stayed on the channel (and on the CH-8 account list) for good."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.inbox.digest import digest_lines
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.selectors import assignable_people
from ordstyrer.tenants.models import Role, RoleAssignment
from tests.channels.conftest import active_channel
from tests.factories import MunicipalityFactory, RoleAssignmentFactory, person_with_roles
from tests.inbox.conftest import InboxWorld, comment, ingest, make_world

pytestmark = pytest.mark.django_db

MAIN, EDITOR = ChannelRole.MAIN_ADMIN, ChannelRole.EDITOR


def _deactivated(user, municipality):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _departed(user, municipality):
    """Roles here revoked; the account stays active, for a job in another municipality."""
    RoleAssignmentFactory(user=user, municipality=MunicipalityFactory(), role=Role.EMPLOYEE)
    RoleAssignment.objects.filter(user=user, municipality=municipality).delete()


GONE = pytest.mark.parametrize("gone", [_deactivated, _departed], ids=["deactivated", "departed"])


@pytest.fixture
def world(db) -> InboxWorld:
    """The inbox's world: «Skolen» with p.employee as main administrator and an editor."""
    return make_world("avgang")


def _roles(channel):
    return dict(channel.memberships.values_list("user__username", "role"))


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _remove(client: Client, channel, user, role: str):
    """The removal's confirmation, posted (CH-3: confirmed on a page of its own since
    session 20, tests/channels/test_s20_role_remove.py)."""
    url = reverse("channels:role_remove", args=[channel.municipality.slug, channel.pk, user.pk])
    return client.post(url, {"role": role, "confirmed": "1"}, follow=True)


@GONE
def test_the_remove_button_takes_a_departed_main_admin_off_the_channel(personas, gone):
    """CH-3, CH-8: communications removes a main administrator who has left; the page
    says so, and only the active main administrator is left."""
    p = personas
    channel = active_channel(p)  # p.employee is main administrator
    # A first name no factory draws: the row is found by it («Nils» matched «Nilsen»).
    second = person_with_roles(p.municipality, username="nestemann", first_name="Zebedeus")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    gone(second, p.municipality)
    client = _signed_in(p.communications)
    detail = reverse("channels:detail", args=[p.municipality.slug, channel.pk])
    row = client.get(detail).content.decode().split("Zebedeus", 1)[1].split("</td>", 1)[0]
    assert "ikke aktiv" in row
    page = _remove(client, channel, second, MAIN).content.decode()
    assert "Rollen er fjernet." in page
    assert _roles(channel) == {p.employee.username: MAIN}
    # A replayed form changes nothing and says so, calmly.
    page = _remove(client, channel, second, MAIN).content.decode()
    assert "Rollen er allerede fjernet. Ingenting er endret." in page
    assert _roles(channel) == {p.employee.username: MAIN}


@GONE
def test_a_departed_editor_is_removed_by_the_main_admin(personas, gone):
    """CH-3: the main administrator removes an editor who has left."""
    p = personas
    channel = active_channel(p)
    editor = person_with_roles(p.municipality, username="redaktoren")
    services.channel_role_set(actor=p.employee, channel=channel, user=editor, role=EDITOR)
    gone(editor, p.municipality)
    page = _remove(_signed_in(p.employee), channel, editor, EDITOR).content.decode()
    assert "Rollen er fjernet." in page
    assert _roles(channel) == {p.employee.username: MAIN}


@GONE
def test_removing_the_only_main_admin_who_left_is_refused_with_a_message(personas, gone):
    """CH-3: the channel keeps a main administrator on record until a new one is
    appointed; the refusal is said on the page, not a silent redirect."""
    p = personas
    channel = active_channel(p)
    gone(p.employee, p.municipality)
    page = _remove(_signed_in(p.communications), channel, p.employee, MAIN).content.decode()
    assert "Utnevn en ny hovedadministrator" in page
    assert _roles(channel) == {p.employee.username: MAIN}


@GONE
def test_a_departed_editor_is_not_offered_in_the_assign_list(world, gone):
    """CH-3: items are assigned only to people still active in the municipality."""
    gone(world.editor, world.municipality)
    people = assignable_people(channel=world.channel)
    assert world.editor not in people
    assert world.p.employee in people and world.p.communications in people


def test_a_departed_member_gets_no_digest_about_the_channel(world):
    """CH-3, CH-5: a main administrator and an editor whose roles here were revoked (their
    accounts active for another municipality) get no digest lines about its channels;
    the people still here do."""
    main = person_with_roles(world.municipality, username="hovedadm2")
    services.channel_role_set(actor=world.p.employee, channel=world.channel, user=main, role=MAIN)
    overdue = ingest(world.channel, comment("c1"))
    soon = ingest(world.channel, comment("c2"))
    soon.refresh_from_db()
    now = soon.warn_at + timedelta(minutes=1)
    InboxItem.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=1))
    for person in (main, world.editor):
        _departed(person, world.municipality)
    lines = digest_lines(now=now)
    assert main.pk not in lines and world.editor.pk not in lines
    assert [i.pk for i in lines[world.p.employee.pk]["overdue"]] == [overdue.pk]
    assert [i.pk for i in lines[world.p.employee.pk]["soon"]] == [soon.pk]
