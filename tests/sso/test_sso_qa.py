"""Findings of the security QA pass in single sign-on: a deactivated person's session,
how long an SSO session lasts, and Entra ID's groups overage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import BACKEND_SESSION_KEY
from django.utils import timezone

from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.models import GroupRoleMapping, SsoIdentity
from ordstyrer.sso.services import group_map, groups_overage, sso_login
from ordstyrer.tenants.models import Role, RoleAssignment
from tests.sso.test_sso import provider_login

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
OVERAGE = {
    "_claim_names": {"groups": "src1"},
    "_claim_sources": {"src1": {"endpoint": "https://graph.microsoft.com/v1.0/me/memberOf"}},
}


@pytest.fixture
def kari(client, personas, sso):
    """Kari logged in through the provider, communications in Testby by her group."""
    group_map(
        actor=None,
        municipality=personas.municipality,
        group="sg-testby-kommunikasjon",
        role=Role.COMMUNICATIONS,
    )
    assert provider_login(client, "entra-0001").status_code == 302
    return SsoIdentity.objects.get(subject="entra-0001").user


# --- 1. a deactivated person is out at the next request ----------------------------------


def test_a_deactivated_sso_user_is_logged_out_at_the_next_request(client, personas, kari):
    url = f"/m/{personas.municipality.slug}/innstillinger/sso/"
    assert client.session[BACKEND_SESSION_KEY] == "ordstyrer.sso.backend.OidcBackend"
    assert client.get(url).status_code == 200

    kari.is_active = False
    kari.save()

    page = client.get(url)
    assert page.status_code == 302
    assert page["Location"].startswith("/logg-inn/")
    client.post(url, {"group": "sg-angrep", "role": Role.CHIEF_ADMINISTRATOR})
    assert not GroupRoleMapping.objects.filter(group="sg-angrep").exists()


def test_an_active_sso_user_stays_in(client, personas, kari):
    assert client.get(f"/m/{personas.municipality.slug}/").wsgi_request.user == kari


# --- 2. an SSO session lasts a working day ------------------------------------------------


def test_an_sso_session_ends_after_a_working_day(client, personas, kari, settings):
    settings.ORDSTYRER_SSO_SESSION_HOURS = 10
    logged_in = timezone.now()
    ends = client.session.get_expiry_date()
    assert timedelta(hours=10) - timedelta(minutes=1) < ends - logged_in <= timedelta(hours=10)
    url = f"/m/{personas.municipality.slug}/"

    with time_machine.travel(logged_in + timedelta(hours=9, minutes=55), tick=False):
        assert client.get(url).wsgi_request.user == kari
    # Using the console does not push the end further out: a fixed end, not an idle one.
    with time_machine.travel(logged_in + timedelta(hours=10, minutes=1), tick=False):
        assert not client.get(url).wsgi_request.user.is_authenticated


def test_a_local_login_keeps_djangos_session_age(client, personas, settings):
    client.force_login(personas.employee)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


# --- 3. Entra ID's groups overage -----------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "overage"),
    [
        ({"groups": ["a"]}, False),
        ({"groups": []}, False),  # in no group at all: a real answer
        ({}, False),  # no groups claim configured at the provider
        (OVERAGE, True),
        ({"hasgroups": True}, True),  # the implicit flow's form
        ({"_claim_names": {"roles": "src1"}}, False),
        ({"_claim_names": "groups"}, False),
        ({"groups": ["a"], **OVERAGE}, False),  # the claim itself wins
    ],
)
def test_groups_overage_is_recognised(claims, overage):
    assert groups_overage(claims, "groups") is overage


def test_an_overage_token_changes_no_role(personas):
    group_map(actor=None, municipality=personas.municipality, group="g1", role=Role.EMPLOYEE)
    user = sso_login(
        issuer="https://login.example",
        claims={"sub": "s-9", "groups": ["g1"]},
        groups_claim="groups",
        now=NOW,
    )
    before = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))

    with pytest.raises(ServiceError, match="så mange grupper") as refused:
        sso_login(
            issuer="https://login.example",
            claims={"sub": "s-9", **OVERAGE},
            groups_claim="groups",
            now=NOW + timedelta(days=1),
        )

    assert refused.value.code == "sso_groups_overage"
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == before
    assert before == {Role.EMPLOYEE}
    assert not AuditEntry.objects.filter(action="sso_role_revoke").exists()
    assert SsoIdentity.objects.get(subject="s-9").last_login_at == NOW


def test_an_overage_login_is_refused_with_a_message_and_keeps_the_roles(client, personas, sso):
    group_map(actor=None, municipality=personas.municipality, group="g-kom", role="employee")
    earlier = sso_login(
        issuer=sso,
        claims={"sub": "entra-0003", "groups": ["g-kom"]},
        groups_claim="groups",
        now=NOW,
    )

    done = provider_login(client, "entra-0003")
    page = client.get(done["Location"])

    assert done["Location"] == "/logg-inn/"
    assert not page.wsgi_request.user.is_authenticated
    text = page.content.decode()
    assert "rollene dine er ikke endret" in text
    assert "Groups assigned to the application" in text
    assert RoleAssignment.objects.filter(user=earlier, role="employee").exists()
    assert not AuditEntry.objects.filter(action="sso_role_revoke").exists()
