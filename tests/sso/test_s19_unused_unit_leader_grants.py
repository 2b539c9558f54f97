"""The unit leader roles an old group mapping gave stop counting at the upgrade, not at
each person's next login (CH-1: a unit leader decides the channel proposals of their
own unit; CH-3). `ordstyrer migrate` takes them, audited, and leaves unit leaders
appointed for a unit and local leaders without a unit as they are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from ordstyrer.channels import services as channels
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.models import GroupRoleMapping, SsoIdentity
from ordstyrer.sso.services import group_map
from ordstyrer.tenants.models import Role, RoleAssignment, Unit
from ordstyrer.tenants.services import role_assign
from tests.channels.conftest import FULL_PLAN
from tests.conftest import make_personas
from tests.factories import UserFactory

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"


def sso_person(username: str, *groups: str):
    user = UserFactory(username=username)
    SsoIdentity.objects.create(
        user=user, issuer=ISSUER, subject=f"s-{username}", groups=list(groups), last_login_at=NOW
    )
    return user


def old_login_grant(user, municipality) -> RoleAssignment:
    """What a login through a unit leader mapping did before session 17: the role without
    a unit, audited as a login's grant."""
    assignment = RoleAssignment.objects.create(
        user=user, municipality=municipality, role=Role.UNIT_LEADER, unit=None
    )
    audit_record(
        actor=None,
        action="sso_role_grant",
        municipality=municipality,
        obj=assignment,
        data={"user_id": user.pk, "role": Role.UNIT_LEADER},
    )
    return assignment


def upgrade() -> None:
    """`ordstyrer migrate` onto this version, from a database before it."""
    call_command("migrate", "sso", "0001_initial", verbosity=0)
    call_command("migrate", verbosity=0)


def leader_roles(user) -> set[int | None]:
    return set(
        RoleAssignment.objects.filter(user=user, role=Role.UNIT_LEADER).values_list(
            "unit", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_takes_the_unit_leader_roles_old_mappings_gave():
    """CH-1: a person made leader of every unit by a group decides no unit's proposal
    from the upgrade on, without waiting for their next login; the revocation is in the
    audit log."""
    p = make_personas()
    place = p.municipality
    school = Unit.objects.create(municipality=place, name="Rissa skole")
    nursing_home = Unit.objects.create(municipality=place, name="Rissa sykehjem")
    GroupRoleMapping.objects.create(municipality=place, group="sg-ledere", role=Role.UNIT_LEADER)
    group_map(actor=None, municipality=place, group="sg-ansatte", role=Role.EMPLOYEE)
    # Logged in through the old mapping, and appointed for the school too.
    via_group = sso_person("via-gruppe", "sg-ledere", "sg-ansatte")
    RoleAssignment.objects.create(user=via_group, municipality=place, role=Role.EMPLOYEE)
    granted = old_login_grant(via_group, place)
    role_assign(actor=None, municipality=place, user=via_group, role=Role.UNIT_LEADER, unit=school)
    # Held the role before the mapping existed; the mapping kept it at every login.
    kept_by_group = sso_person("holdt-av-gruppe", "sg-ledere")
    RoleAssignment.objects.create(user=kept_by_group, municipality=place, role=Role.UNIT_LEADER)
    # Logged in through a mapping that was removed since (the removal gave nothing back).
    removed_mapping = sso_person("fjernet-kobling", "sg-ansatte")
    old_login_grant(removed_mapping, place)
    # Untouched: a local leader across units, and an SSO leader appointed for a unit.
    local = p.unit_leader
    appointed = sso_person("utnevnt", "sg-ansatte")
    role_assign(
        actor=None, municipality=place, user=appointed, role=Role.UNIT_LEADER, unit=nursing_home
    )
    proposal = channels.channel_propose(
        actor=p.employee,
        municipality=place,
        name="Sykehjemmet",
        kind="facebook",
        unit=nursing_home,
        purpose="Informasjon til pårørende.",
        audience="Pårørende",
        plan=FULL_PLAN,
        main_admin=p.employee,
    )
    channels.channel_submit(actor=p.employee, channel=proposal)
    try:
        upgrade()

        assert leader_roles(via_group) == {school.pk}
        assert leader_roles(kept_by_group) == set()
        assert leader_roles(removed_mapping) == set()
        assert leader_roles(local) == {None}
        assert leader_roles(appointed) == {nursing_home.pk}
        with pytest.raises(NotPermitted):
            channels.channel_approve(actor=via_group, channel=proposal)
        revoked = AuditEntry.objects.filter(action="sso_role_revoke").order_by("id")
        assert str(granted.pk) in {e.object_id for e in revoked}
        assert revoked.count() == 3
        assert {(e.actor_id, e.municipality_id) for e in revoked} == {(None, place.pk)}
        assert {e.data["user_id"] for e in revoked} == {
            via_group.pk,
            kept_by_group.pk,
            removed_mapping.pk,
        }
        assert all(
            e.data["reason"] == "mapping_not_in_use" and e.data["rule"] == "CH-1" for e in revoked
        )
        # The leader of the channel's unit decides it, as before.
        channels.channel_approve(actor=appointed, channel=proposal)
        proposal.refresh_from_db()
        assert proposal.approval_step == 1
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_leaves_other_municipalities_and_roles_alone():
    """A group's unit leader mapping in one municipality takes nothing in another, nor
    a role the mapping does not give (CH-1, CH-3)."""
    p = make_personas()
    other = make_personas(slug="annenby")
    GroupRoleMapping.objects.create(
        municipality=p.municipality, group="sg-ledere", role=Role.UNIT_LEADER
    )
    group_map(actor=None, municipality=p.municipality, group="sg-kom", role=Role.COMMUNICATIONS)
    person = sso_person("to-kommuner", "sg-ledere", "sg-kom")
    RoleAssignment.objects.create(
        user=person, municipality=other.municipality, role=Role.UNIT_LEADER
    )
    RoleAssignment.objects.create(
        user=person, municipality=p.municipality, role=Role.COMMUNICATIONS
    )
    try:
        upgrade()

        assert leader_roles(person) == {None}
        assert RoleAssignment.objects.filter(
            user=person, municipality=p.municipality, role=Role.COMMUNICATIONS
        ).exists()
        assert not AuditEntry.objects.filter(action="sso_role_revoke").exists()
        # The mappings themselves stay for communications to see and remove.
        assert GroupRoleMapping.objects.filter(role=Role.UNIT_LEADER).count() == 1
    finally:
        call_command("migrate", verbosity=0)
