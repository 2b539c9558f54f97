"""Single sign-on through OpenID Connect (issue #14, item 3), end to end against a real
provider on loopback: discovery, the code flow with PKCE, roles from the groups claim."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.models import GroupRoleMapping, SsoIdentity
from ordstyrer.sso.services import group_map, sso_login
from ordstyrer.tenants.models import Role, RoleAssignment, Unit
from tests.factories import MunicipalityFactory

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def provider_login(client, sub: str, *, next_url: str = "") -> httpx.Response:
    """Start at /oidc/authenticate/, pick `sub` at the provider, return to the callback."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize = start["Location"]
    assert "code_challenge=" in authorize  # PKCE
    chosen = httpx.post(authorize, data={"sub": sub}, follow_redirects=False, timeout=10)
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


# --- the flow ----------------------------------------------------------------------------


def test_a_mapped_group_logs_in_with_its_role(client, personas, sso):
    group_map(
        actor=personas.communications,
        municipality=personas.municipality,
        group="sg-testby-kommunikasjon",
        role=Role.COMMUNICATIONS,
    )

    done = provider_login(client, "entra-0001")

    assert done.status_code == 302
    identity = SsoIdentity.objects.get(subject="entra-0001")
    assert identity.issuer == sso
    assert identity.groups == ["sg-alle-ansatte", "sg-testby-kommunikasjon"]
    user = identity.user
    assert (user.first_name, user.last_name) == ("Kari", "Klepp")
    assert not user.has_usable_password()
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.COMMUNICATIONS
    }
    page = client.get(done["Location"], follow=True)
    assert page.status_code == 200
    assert page.wsgi_request.user == user
    assert page.wsgi_request.path == f"/m/{personas.municipality.slug}/"
    assert AuditEntry.objects.filter(action="sso_role_grant", actor=None).count() == 1


def test_no_mapped_group_gets_no_access_and_a_page_saying_whom_to_ask(client, personas, sso):
    done = provider_login(client, "entra-0002")

    assert done["Location"] == "/oidc/ingen-tilgang/"
    page = client.get(done["Location"])
    text = page.content.decode()
    assert "ingen tilgang" in text
    assert "kommunikasjonsrådgiveren i kommunen din" in text
    assert "sg-alle-ansatte-uten-rolle" in text
    assert client.get(f"/m/{personas.municipality.slug}/").status_code == 404


def test_login_is_repeatable_and_follows_group_changes(client, personas, sso):
    mapping = group_map(
        actor=None,
        municipality=personas.municipality,
        group="sg-alle-ansatte",
        role=Role.EMPLOYEE,
    )
    provider_login(client, "entra-0001")
    user = SsoIdentity.objects.get(subject="entra-0001").user
    assert RoleAssignment.objects.filter(user=user, role=Role.EMPLOYEE).exists()

    mapping.delete()
    client.logout()
    provider_login(client, "entra-0001")

    assert SsoIdentity.objects.count() == 1
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_replayed_callback_logs_nobody_in(client, personas, sso):
    group_map(
        actor=None, municipality=personas.municipality, group="sg-alle-ansatte", role="employee"
    )
    start = client.get("/oidc/authenticate/")
    chosen = httpx.post(start["Location"], data={"sub": "entra-0001"}, follow_redirects=False)
    back = urlsplit(chosen.headers["location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.logout()

    replay = client.get(f"{back.path}?{back.query}", follow=True)

    assert replay.wsgi_request.path == "/logg-inn/"
    assert not replay.wsgi_request.user.is_authenticated


def test_an_unreachable_provider_is_one_message_not_a_traceback(client, settings, db):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OIDC_RP_CLIENT_ID = "x"
    settings.OIDC_RP_CLIENT_SECRET = "y"

    response = client.get("/oidc/authenticate/", follow=True)

    assert response.status_code == 200
    assert response.wsgi_request.path == "/logg-inn/"
    assert "felles pålogging virket ikke nå" in response.content.decode()


def test_without_an_issuer_sso_is_off(client, settings, db):
    settings.OIDC_ISSUER = ""
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    assert "felles pålogging" not in client.get("/logg-inn/").content.decode()


def test_the_login_page_offers_sso_when_configured(client, sso, db):
    page = client.get("/logg-inn/?next=/m/testby/").content.decode()
    assert 'href="/oidc/authenticate/?next=/m/testby/"' in page


# --- services ----------------------------------------------------------------------------


def test_unit_roles_given_in_the_console_survive_a_login(personas):
    unit = Unit.objects.create(municipality=personas.municipality, name="Rissa skole")
    user = sso_login(
        issuer="https://login.example", claims={"sub": "s-1"}, groups_claim="groups", now=NOW
    )
    RoleAssignment.objects.create(
        user=user, municipality=personas.municipality, role=Role.UNIT_LEADER, unit=unit
    )

    sso_login(issuer="https://login.example", claims={"sub": "s-1"}, groups_claim="groups", now=NOW)

    assert RoleAssignment.objects.filter(user=user, unit=unit).exists()


@pytest.mark.parametrize("claim", [None, 42, {"a": 1}, ["ok", 7, "", None, "x" * 300]])
def test_odd_group_claims_are_read_safely(personas, claim):
    group_map(actor=None, municipality=personas.municipality, group="ok", role=Role.EMPLOYEE)
    user = sso_login(
        issuer="https://login.example",
        claims={"sub": "s-2", "groups": claim},
        groups_claim="groups",
        now=NOW,
    )
    expected = {Role.EMPLOYEE} if isinstance(claim, list) else set()
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == expected


def test_the_same_subject_at_another_issuer_is_another_person(db):
    a = sso_login(issuer="https://a.example", claims={"sub": "1"}, groups_claim="groups", now=NOW)
    b = sso_login(issuer="https://b.example", claims={"sub": "1"}, groups_claim="groups", now=NOW)
    assert a != b


# --- the settings page and the command line ----------------------------------------------


def test_settings_page_maps_and_unmaps_with_the_role_chosen_from_a_list(client, personas):
    url = f"/m/{personas.municipality.slug}/innstillinger/sso/"
    client.force_login(personas.communications)
    form = client.get(url).content.decode()
    assert '<option value="" selected>Velg rolle</option>' in form

    empty = client.post(url, {"group": "sg-x", "role": ""})
    assert empty.status_code == 200
    assert 'value="sg-x"' in empty.content.decode()  # what was typed is kept

    assert client.post(url, {"group": "sg-x", "role": "crisis_leader"}).status_code == 302
    mapping = GroupRoleMapping.objects.get()
    assert client.post(f"{url}{mapping.pk}/fjern/", {"confirmed": "1"}).status_code == 302
    assert not GroupRoleMapping.objects.exists()


def test_settings_page_refuses_employees_and_outsiders(client, personas):
    url = f"/m/{personas.municipality.slug}/innstillinger/sso/"
    client.force_login(personas.employee)
    assert client.get(url).status_code == 200
    assert client.post(url, {"group": "g", "role": "communications"}).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"group": "g", "role": "communications"}).status_code == 404
    assert not GroupRoleMapping.objects.exists()


def test_cli_maps_lists_and_unmaps(capsys, db):
    place = MunicipalityFactory(slug="clikommune")
    call_command(
        "sso", "map-group", "--municipality", "clikommune", "--group", "G1", "--role", "archivist"
    )
    call_command("sso", "list", "--municipality", "clikommune")
    assert "G1\tarchivist" in capsys.readouterr().out
    call_command(
        "sso", "unmap-group", "--municipality", "clikommune", "--group", "G1", "--role", "archivist"
    )
    assert not GroupRoleMapping.objects.filter(municipality=place).exists()
    with pytest.raises(CommandError, match="Fant ingen kommune"):
        call_command("sso", "list", "--municipality", "finnes-ikke")
