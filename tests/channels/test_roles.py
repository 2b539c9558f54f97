"""Per-channel roles (CH-3): at least one main administrator, always; permission in services."""

from __future__ import annotations

import pytest

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.permissions import access_channel, has_channel_need, require_channel_role
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from tests.channels.conftest import active_channel, propose
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

MAIN, ADMIN, EDITOR = ChannelRole.MAIN_ADMIN, ChannelRole.ADMIN, ChannelRole.EDITOR


def roles_of(channel):
    return dict(channel.memberships.values_list("user__username", "role"))


def test_removing_the_last_main_admin_is_refused(personas):
    p = personas
    channel = active_channel(p)
    with pytest.raises(ServiceError) as refused:
        services.channel_role_remove(actor=p.communications, channel=channel, user=p.employee)
    assert refused.value.rule == "CH-3"
    # Demoting the last one is removing it too.
    with pytest.raises(ServiceError):
        services.channel_role_set(actor=p.employee, channel=channel, user=p.employee, role=EDITOR)
    assert roles_of(channel) == {p.employee.username: MAIN}


def test_hand_over_main_admin_then_remove_the_old_one(personas):
    p = personas
    channel = active_channel(p)
    successor = person_with_roles(p.municipality, username="etterfolger")
    services.channel_role_set(actor=p.employee, channel=channel, user=successor, role=MAIN)
    services.channel_role_remove(actor=successor, channel=channel, user=p.employee)
    assert roles_of(channel) == {"etterfolger": MAIN}
    with pytest.raises(ServiceError):
        services.channel_role_remove(actor=successor, channel=channel, user=successor)


def test_last_main_admin_rule_holds_for_a_draft_too(personas):
    p = personas
    channel = propose(p)
    with pytest.raises(ServiceError):
        services.channel_role_remove(actor=p.communications, channel=channel, user=p.employee)


def test_roles_only_for_people_of_the_municipality(personas):
    p = personas
    channel = active_channel(p)
    with pytest.raises(ServiceError):
        services.channel_role_set(actor=p.employee, channel=channel, user=p.outsider, role=EDITOR)
    with pytest.raises(ServiceError):
        services.channel_role_set(actor=p.employee, channel=channel, user=p.archivist, role="owner")


def test_only_main_admin_or_communications_gives_roles(personas):
    p = personas
    channel = active_channel(p)
    editor = person_with_roles(p.municipality, username="redaktor")
    services.channel_role_set(actor=p.employee, channel=channel, user=editor, role=EDITOR)
    with pytest.raises(NotPermitted):
        services.channel_role_set(actor=editor, channel=channel, user=p.archivist, role=EDITOR)
    with pytest.raises(NotFound):
        services.channel_role_set(actor=p.outsider, channel=channel, user=editor, role=ADMIN)
    services.channel_role_set(actor=p.communications, channel=channel, user=editor, role=ADMIN)
    assert roles_of(channel)["redaktor"] == ADMIN


# need → (main admin, admin, editor, communications, chief administrator, other employee)
NEEDS = {
    "view": (True, True, True, True, True, True),
    "publish": (True, True, True, True, False, False),
    "reply": (True, True, True, True, False, False),
    "moderate": (True, True, False, True, False, False),
    "manage": (True, False, False, True, True, False),
    "review": (True, False, False, True, False, False),
}


@pytest.mark.parametrize(("need", "expected"), NEEDS.items())
def test_channel_needs_are_enforced_in_the_service_layer(personas, need, expected):
    p = personas
    channel = active_channel(p)
    admin = person_with_roles(p.municipality, username="admin")
    editor = person_with_roles(p.municipality, username="redaktor")
    services.channel_role_set(actor=p.employee, channel=channel, user=admin, role=ADMIN)
    services.channel_role_set(actor=p.employee, channel=channel, user=editor, role=EDITOR)
    people = (p.employee, admin, editor, p.communications, p.chief_administrator, p.archivist)
    for person, allowed in zip(people, expected, strict=True):
        assert has_channel_need(person, channel, need) is allowed, (person.username, need)
        if allowed:
            require_channel_role(person, channel, need)
            assert access_channel(user=person, id=channel.pk, need=need) == channel
        else:
            with pytest.raises(NotPermitted):
                require_channel_role(person, channel, need)
    with pytest.raises(NotFound):
        require_channel_role(p.outsider, channel, need)
    with pytest.raises(NotFound):
        access_channel(user=p.outsider, id=channel.pk, need=need)


def test_removed_editor_loses_publishing_at_once(personas):
    p = personas
    channel = active_channel(p)
    editor = person_with_roles(p.municipality, username="redaktor")
    services.channel_role_set(actor=p.employee, channel=channel, user=editor, role=EDITOR)
    assert has_channel_need(editor, channel, "publish")
    services.channel_role_remove(actor=p.employee, channel=channel, user=editor)
    assert not has_channel_need(editor, channel, "publish")


def test_access_channel_checks_the_municipality_in_the_url(personas):
    p = personas
    channel = active_channel(p)
    with pytest.raises(NotFound):
        access_channel(user=p.employee, id=channel.pk, slug="annen-kommune")
    with pytest.raises(NotFound):
        access_channel(user=p.employee, id=999999)
