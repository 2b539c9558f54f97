"""Which roles a group at the identity provider may give, and what removing a mapping
does (CH-1: a unit leader answers for one unit; CH-3: a municipality keeps an active
communications advisor)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.channels import services as channels
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.models import GroupRoleMapping
from ordstyrer.sso.services import group_map, group_unmap, sso_login
from ordstyrer.tenants.models import Role, RoleAssignment, Unit
from ordstyrer.tenants.services import role_assign
from tests.channels.conftest import FULL_PLAN
from tests.factories import MunicipalityFactory, person_with_roles

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


# --- CH-3: removing a mapping ------------------------------------------------------------


def remove_url(p, mapping) -> str:
    return f"{settings_url(p)}{mapping.pk}/fjern/"


@pytest.fixture
def sso_advisor(db):
    """A municipality whose only communications advisor got the role through a group."""
    place = MunicipalityFactory(slug="ssoby", name="Ssoby kommune")
    mapping = group_map(actor=None, municipality=place, group="sg-kom", role=Role.COMMUNICATIONS)
    group_map(actor=None, municipality=place, group="sg-alle", role=Role.EMPLOYEE)
    advisor = sso_login(
        issuer=ISSUER,
        claims={
            "sub": "s-kari",
            "given_name": "Kari",
            "family_name": "Klepp",
            "groups": ["sg-kom", "sg-alle"],
        },
        groups_claim="groups",
        now=NOW,
    )
    return place, mapping, advisor


def test_removing_a_mapping_asks_first_naming_the_role_and_who_loses_it(client, personas):
    place = personas.municipality
    mapping = group_map(actor=None, municipality=place, group="sg-krise", role=Role.CRISIS_LEADER)
    group_map(actor=None, municipality=place, group="sg-krise-2", role=Role.CRISIS_LEADER)
    sso_login(
        issuer=ISSUER,
        claims={"sub": "s-1", "given_name": "Ola", "family_name": "Krise", "groups": ["sg-krise"]},
        groups_claim="groups",
        now=NOW,
    )
    sso_login(  # keeps the role through the other group
        issuer=ISSUER,
        claims={
            "sub": "s-2",
            "given_name": "Per",
            "family_name": "Begge",
            "groups": ["sg-krise", "sg-krise-2"],
        },
        groups_claim="groups",
        now=NOW,
    )
    client.force_login(personas.communications)

    listing = client.get(settings_url(personas)).content.decode()
    page = client.get(remove_url(personas, mapping))
    text = page.content.decode()

    assert f'href="{remove_url(personas, mapping)}"' in listing
    assert f'action="{remove_url(personas, mapping)}"' not in listing  # no one-click removal
    assert page.status_code == 200
    assert "Kriseleder" in text
    assert "Ola Krise" in text
    assert "Per Begge" not in text
    assert "Ingenting er gjort ennå" in text
    assert "checked" not in text
    assert 'name="confirmed" value="1"' in text
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_a_post_without_the_confirmation_removes_nothing(client, personas):
    mapping = group_map(
        actor=None, municipality=personas.municipality, group="sg-x", role=Role.ARCHIVIST
    )
    client.force_login(personas.communications)

    response = client.post(remove_url(personas, mapping))

    assert response.status_code == 302
    assert response["Location"] == remove_url(personas, mapping)
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_a_confirmed_removal_is_done_once_on_a_double_submit(client, personas):
    mapping = group_map(
        actor=None, municipality=personas.municipality, group="sg-x", role=Role.ARCHIVIST
    )
    client.force_login(personas.communications)

    first = client.post(remove_url(personas, mapping), {"confirmed": "1"}, follow=True)
    second = client.post(remove_url(personas, mapping), {"confirmed": "1"}, follow=True)

    assert "Koblingen er fjernet" in first.content.decode()
    assert second.status_code == 200
    assert "Koblingen var allerede fjernet" in second.content.decode()
    assert not GroupRoleMapping.objects.exists()
    assert AuditEntry.objects.filter(action="sso_group_unmap").count() == 1


def test_the_confirmation_page_is_for_communications_of_the_municipality_only(client, personas):
    mapping = group_map(
        actor=None, municipality=personas.municipality, group="sg-x", role=Role.ARCHIVIST
    )
    client.force_login(personas.employee)
    assert client.get(remove_url(personas, mapping)).status_code == 403
    assert client.post(remove_url(personas, mapping), {"confirmed": "1"}).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(remove_url(personas, mapping)).status_code == 404
    assert client.post(remove_url(personas, mapping), {"confirmed": "1"}).status_code == 404
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_the_command_line_refuses_it_in_one_line_too(sso_advisor) -> None:
    """`manage.py sso unmap-group` (IT operations) says why, not a traceback (CH-3)."""
    from django.core.management import CommandError, call_command

    place, mapping, _ = sso_advisor
    args = ["--municipality", place.slug, "--group", "sg-kom", "--role", Role.COMMUNICATIONS]
    with pytest.raises(CommandError, match="ingen annen aktiv kommunikasjonsrådgiver"):
        call_command("sso", "unmap-group", *args)
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_the_last_communications_mapping_of_the_last_advisor_cannot_be_removed(sso_advisor):
    place, mapping, advisor = sso_advisor

    with pytest.raises(ServiceError, match="ingen annen aktiv kommunikasjonsrådgiver") as refused:
        group_unmap(actor=advisor, municipality=place, mapping_id=mapping.pk)

    assert refused.value.rule == "CH-3"
    assert "Kari Klepp" in str(refused.value.message)
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()
    assert not AuditEntry.objects.filter(action="sso_group_unmap").exists()


def test_the_confirmation_page_says_why_and_offers_no_removal(client, sso_advisor):
    place, mapping, advisor = sso_advisor
    client.force_login(advisor)
    url = f"/m/{place.slug}/innstillinger/sso/{mapping.pk}/fjern/"

    text = client.get(url).content.decode()
    posted = client.post(url, {"confirmed": "1"}, follow=True)

    assert "Kari Klepp" in text
    assert "ingen aktiv kommunikasjonsrådgiver" in text
    assert 'name="confirmed"' not in text
    assert "ingen annen aktiv kommunikasjonsrådgiver" in posted.content.decode()
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


@pytest.mark.parametrize("other", ["local advisor", "other group"])
def test_a_communications_mapping_goes_when_another_advisor_stays(sso_advisor, other):
    place, mapping, advisor = sso_advisor
    if other == "local advisor":
        person_with_roles(place, Role.COMMUNICATIONS, username="lokal")
    else:
        group_map(actor=None, municipality=place, group="sg-kom-2", role=Role.COMMUNICATIONS)
        login("s-per", "sg-kom-2")

    assert group_unmap(actor=advisor, municipality=place, mapping_id=mapping.pk)

    login("s-kari", "sg-kom", "sg-alle")
    assert not RoleAssignment.objects.filter(user=advisor, role=Role.COMMUNICATIONS).exists()


def test_a_login_never_takes_the_role_of_the_last_active_advisor(sso_advisor, caplog):
    place, mapping, advisor = sso_advisor
    inactive = person_with_roles(place, Role.COMMUNICATIONS, username="sluttet")
    inactive.is_active = False
    inactive.save()
    mapping.delete()  # as an older version let it, or IT in the database
    caplog.set_level("WARNING", logger="ordstyrer.sso.services")

    login("s-kari", "sg-alle")

    assert RoleAssignment.objects.filter(user=advisor, role=Role.COMMUNICATIONS).exists()
    kept = [r for r in caplog.records if r.getMessage() == "sso kept last communications advisor"]
    assert len(kept) == 1
    assert (kept[0].user_id, kept[0].municipality_id, kept[0].rule) == (
        advisor.pk,
        place.pk,
        "CH-3",
    )
    logged = repr(kept[0].__dict__)
    assert "Kari" not in logged
    assert "Klepp" not in logged
    assert not AuditEntry.objects.filter(action="sso_role_revoke").exists()


def test_a_login_takes_the_role_when_another_advisor_is_active(sso_advisor):
    place, mapping, advisor = sso_advisor
    person_with_roles(place, Role.COMMUNICATIONS, username="lokal")
    mapping.delete()

    login("s-kari", "sg-alle")

    assert not RoleAssignment.objects.filter(user=advisor, role=Role.COMMUNICATIONS).exists()
