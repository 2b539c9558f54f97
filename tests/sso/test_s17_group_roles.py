"""Which roles a group at the identity provider may give, and what removing a mapping
does (CH-1: a unit leader answers for one unit; CH-3: a municipality keeps an active
communications advisor)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.channels import services as channels
from ordstyrer.core.errors import ServiceError
from ordstyrer.sso.models import GroupRoleMapping
from ordstyrer.sso.services import group_map, sso_login
from ordstyrer.tenants.models import Role, RoleAssignment, Unit
from ordstyrer.tenants.services import role_assign
from tests.channels.conftest import FULL_PLAN

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"


def login(sub: str, *groups: str):
    return sso_login(
        issuer=ISSUER, claims={"sub": sub, "groups": list(groups)}, groups_claim="groups", now=NOW
    )


def settings_url(p) -> str:
    return f"/m/{p.municipality.slug}/innstillinger/sso/"


# --- CH-1: no unit leader through a group ------------------------------------------------


def test_a_group_cannot_be_mapped_to_unit_leader(personas):
    with pytest.raises(ServiceError, match="utnevnes for én enhet") as refused:
        group_map(
            actor=personas.communications,
            municipality=personas.municipality,
            group="sg-ledere",
            role=Role.UNIT_LEADER,
        )

    assert refused.value.rule == "CH-1"
    assert not GroupRoleMapping.objects.exists()


def test_the_settings_page_neither_offers_nor_takes_unit_leader(client, personas):
    client.force_login(personas.communications)

    page = client.get(settings_url(personas)).content.decode()
    posted = client.post(settings_url(personas), {"group": "sg-ledere", "role": "unit_leader"})

    assert 'value="unit_leader"' not in page
    assert 'value="crisis_leader"' in page
    assert posted.status_code == 200
    assert not GroupRoleMapping.objects.exists()


def test_a_login_through_an_old_unit_leader_mapping_leads_no_unit(personas, caplog):
    """A mapping made before the refusal gives nothing: a leader of one unit who
    proposes a channel for another unit does not endorse it as that unit's leader."""
    place = personas.municipality
    school = Unit.objects.create(municipality=place, name="Rissa skole")
    nursing_home = Unit.objects.create(municipality=place, name="Rissa sykehjem")
    old = GroupRoleMapping.objects.create(
        municipality=place, group="sg-ledere", role=Role.UNIT_LEADER
    )
    group_map(actor=None, municipality=place, group="sg-ansatte", role=Role.EMPLOYEE)
    leader = login("s-leder", "sg-ledere", "sg-ansatte")
    role_assign(actor=None, municipality=place, user=leader, role=Role.UNIT_LEADER, unit=school)

    caplog.set_level("WARNING", logger="ordstyrer.sso.services")
    caplog.clear()
    leader = login("s-leder", "sg-ledere", "sg-ansatte")
    channel = channels.channel_propose(
        actor=leader,
        municipality=place,
        name="Sykehjemmet",
        kind="facebook",
        unit=nursing_home,
        purpose="Informasjon til pårørende.",
        audience="Pårørende",
        plan=FULL_PLAN,
        main_admin=leader,
    )
    channels.channel_submit(actor=leader, channel=channel)

    channel.refresh_from_db()
    assert channel.approval_chain[0] == "unit_leader"
    assert channel.approval_step == 0
    assert channel.current_approver_role == "unit_leader"
    assert set(
        RoleAssignment.objects.filter(user=leader, role=Role.UNIT_LEADER).values_list(
            "unit", flat=True
        )
    ) == {school.pk}
    ignored = [r for r in caplog.records if r.getMessage() == "sso mapping ignored"]
    assert [(r.mapping_id, r.role) for r in ignored] == [(old.pk, Role.UNIT_LEADER)]


def test_a_unit_leader_role_an_old_mapping_gave_goes_at_the_next_login(personas):
    place = personas.municipality
    user = login("s-gammel")
    RoleAssignment.objects.create(user=user, municipality=place, role=Role.UNIT_LEADER)
    GroupRoleMapping.objects.create(municipality=place, group="sg-ledere", role=Role.UNIT_LEADER)

    login("s-gammel", "sg-ledere")

    assert not RoleAssignment.objects.filter(user=user, role=Role.UNIT_LEADER).exists()


def test_the_settings_page_marks_an_old_unit_leader_mapping_as_unused(client, personas):
    GroupRoleMapping.objects.create(
        municipality=personas.municipality, group="sg-ledere", role=Role.UNIT_LEADER
    )
    client.force_login(personas.communications)

    page = client.get(settings_url(personas)).content.decode()

    assert "Ikke i bruk" in page
