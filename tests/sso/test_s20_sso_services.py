"""Single sign-on's writes: a group already mapped in another municipality is not
mapped again by a municipality's own advisors (its people would be brought in); a
deactivated person's login attempt changes nothing; two first logins of one person at
once make one person."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.db import connection, connections, transaction

from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso.models import GroupRoleMapping, SsoIdentity
from ordstyrer.sso.services import group_map, sso_login
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from tests.sso.conftest import KARI
from tests.sso.test_sso import provider_login

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"
STAFF = "sg-testby-ansatte"


def login(sub: str, *groups: str, **claims: str):
    return sso_login(
        issuer=ISSUER,
        claims={"sub": sub, "groups": list(groups), **claims},
        groups_claim="groups",
        now=NOW,
    )


# --- a group mapped in another municipality -------------------------------------------------


@pytest.fixture
def testby_staff(personas):
    """Testby's staff group gives its members the employee role in Testby."""
    return group_map(
        actor=personas.communications,
        municipality=personas.municipality,
        group=STAFF,
        role=Role.EMPLOYEE,
    )


def test_another_municipalitys_advisor_cannot_map_a_group_mapped_here(personas, testby_staff):
    neighbour = Municipality.objects.get(slug="testby-nabo")  # the outsider's

    with pytest.raises(ServiceError) as refused:
        group_map(actor=personas.outsider, municipality=neighbour, group=STAFF, role=Role.EMPLOYEE)

    message = str(refused.value.message)
    assert "annen kommune" in message and "driftsansvarlig" in message
    assert personas.municipality.name not in message and "Testby" not in message
    assert not GroupRoleMapping.objects.filter(municipality=neighbour).exists()
    # So a Testby employee's login brings them into Testby only.
    user = login("s-ola", STAFF, given_name="Ola", family_name="Testbyansatt")
    assert list(
        RoleAssignment.objects.filter(user=user).values_list("municipality", flat=True)
    ) == [personas.municipality.pk]


def test_the_settings_page_says_why_without_naming_the_other_municipality(
    client, personas, testby_staff
):
    neighbour = Municipality.objects.get(slug="testby-nabo")  # the outsider's
    client.force_login(personas.outsider)

    page = client.post(
        f"/m/{neighbour.slug}/innstillinger/sso/", {"group": STAFF, "role": Role.EMPLOYEE}
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "allerede koblet til en rolle i en annen kommune" in text
    assert "Testby" not in text.split("<main", 1)[1]
    assert not GroupRoleMapping.objects.filter(municipality=neighbour).exists()


def test_it_operations_may_map_a_group_shared_by_municipalities(personas, testby_staff):
    neighbour = Municipality.objects.get(slug="testby-nabo")  # the outsider's
    operator = User.objects.create(username="drift-s20", is_superuser=True)

    group_map(actor=None, municipality=neighbour, group=STAFF, role=Role.EMPLOYEE)
    group_map(actor=operator, municipality=neighbour, group=STAFF, role=Role.ARCHIVIST)

    assert set(GroupRoleMapping.objects.filter(group=STAFF).values_list("role", flat=True)) == {
        Role.EMPLOYEE,
        Role.ARCHIVIST,
    }


def test_a_municipality_maps_its_own_group_to_more_roles(personas, testby_staff):
    group_map(
        actor=personas.communications,
        municipality=personas.municipality,
        group=STAFF,
        role=Role.ARCHIVIST,
    )
    assert GroupRoleMapping.objects.filter(group=STAFF).count() == 2


# --- a deactivated person ------------------------------------------------------------------


def test_a_deactivated_persons_login_changes_nothing(personas, testby_staff):
    user = login("s-per", STAFF, given_name="Per", family_name="Før", email="per@testby.no")
    user.is_active = False
    user.save()
    audited = AuditEntry.objects.count()

    again = login("s-per", "sg-noe-annet", given_name="Pål", family_name="Etter", email="x@y.no")

    assert again.pk == user.pk and not again.is_active
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == ("Per", "Før", "per@testby.no")
    assert RoleAssignment.objects.filter(
        user=user, municipality=personas.municipality, role=Role.EMPLOYEE
    ).exists()
    identity = SsoIdentity.objects.get(subject="s-per")
    assert identity.groups == [STAFF]
    assert AuditEntry.objects.count() == audited


def test_a_deactivated_person_is_refused_at_the_callback(client, personas, kari_may_log_in):
    assert provider_login(client, KARI).status_code == 302
    kari = SsoIdentity.objects.get(subject=KARI).user
    client.logout()
    # A role her groups do not give: a login of hers, active, would take it.
    RoleAssignment.objects.create(
        user=kari, municipality=personas.municipality, role=Role.ARCHIVIST
    )
    kari.is_active = False
    kari.save()

    refused = provider_login(client, KARI)

    assert refused.headers["Location"] == "/logg-inn/"
    assert SESSION_KEY not in client.session
    assert set(RoleAssignment.objects.filter(user=kari).values_list("role", flat=True)) == {
        Role.COMMUNICATIONS,
        Role.ARCHIVIST,
    }


# --- two first logins at once (PostgreSQL: SQLite runs one writer at a time) -----------------


@pytest.mark.django_db(transaction=True)
def test_two_first_logins_at_once_make_one_person(personas):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises the two writers")
    first_done = threading.Event()
    release = threading.Event()
    results: dict[str, Any] = {}
    claims = {"preferred_username": "samtidig@testby.no", "given_name": "Sam"}

    def first() -> None:
        try:
            with transaction.atomic():  # committed only when released
                results["first"] = login("s-samtidig", STAFF, **claims)
                first_done.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 (reported to the test thread)
            results["first"] = exc
            first_done.set()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            results["second"] = login("s-samtidig", STAFF, **claims)
        except Exception as exc:  # noqa: BLE001
            results["second"] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert first_done.wait(20)
    b = threading.Thread(target=second)
    b.start()
    # The second login waits on the first's uncommitted row (the unique username).
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    a.join(30)
    b.join(30)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    assert results["first"].pk == results["second"].pk
    assert SsoIdentity.objects.filter(subject="s-samtidig").count() == 1
