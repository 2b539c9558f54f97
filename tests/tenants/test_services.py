"""Municipalities, roles and versioned policy overrides through their services."""

from __future__ import annotations

import pytest

from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.core.permissions import access_municipality, municipalities_for
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.selectors import policy_for, policy_versions
from ordstyrer.tenants.services import municipality_create, policy_update, role_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_outsider_gets_404_and_member_without_role_403(personas):
    slug = personas.municipality.slug
    with pytest.raises(NotFound):
        access_municipality(user=personas.outsider, slug=slug)
    with pytest.raises(NotPermitted):
        access_municipality(user=personas.employee, slug=slug, need="manage_policy")
    assert access_municipality(user=personas.communications, slug=slug, need="manage_policy")
    assert access_municipality(user=personas.employee, slug=slug) == personas.municipality


def test_unknown_municipality_is_404(personas):
    with pytest.raises(NotFound):
        access_municipality(user=personas.communications, slug="finnes-ikke")


def test_membership_lists_only_own_municipalities(personas):
    assert list(municipalities_for(personas.employee)) == [personas.municipality]
    assert personas.municipality not in municipalities_for(personas.outsider)


def test_policy_update_versions_overrides_with_who_and_why(personas):
    municipality = personas.municipality
    assert policy_for(municipality=municipality).params("DI-1")["answer_hours"] == 7.5
    v1 = policy_update(
        actor=personas.communications,
        municipality=municipality,
        overrides={"DI-1": {"answer_hours": 4.0}},
        reason="Raskere svar i valgkampen",
    )
    v2 = policy_update(
        actor=personas.chief_administrator,
        municipality=municipality,
        overrides={"DI-1": {"first_response_hours": 1.0}},
        reason="Bekreft innen en time",
    )
    assert (v1.number, v2.number) == (1, 2)
    # The second version keeps the first change (overrides merge).
    assert v2.overrides == {"DI-1": {"answer_hours": 4.0, "first_response_hours": 1.0}}
    policy = policy_for(municipality=municipality)
    assert policy.response_targets().answer_hours == 4.0
    assert policy.response_targets().first_response_hours == 1.0
    assert [v.changed_by for v in policy_versions(municipality=municipality)] == [
        personas.chief_administrator,
        personas.communications,
    ]
    assert AuditEntry.objects.filter(action="policy_update", municipality=municipality).count() == 2


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"DI-1": {"answer_hours": "fort"}}, "feil type"),
        ({"DI-1": {"ukjent": 1}}, "ukjent parameter"),
        ({"XX-1": {"a": 1}}, "ukjent regel"),
        ({"DI-1": {"answer_hours": 4.0}}, "   "),
    ],
)
def test_bad_policy_update_is_refused_and_nothing_stored(personas, overrides, reason):
    with pytest.raises(ServiceError):
        policy_update(
            actor=personas.communications,
            municipality=personas.municipality,
            overrides=overrides,
            reason=reason,
        )
    assert policy_versions(municipality=personas.municipality) == []


def test_policy_update_needs_role(personas):
    for person in (personas.employee, personas.archivist):
        with pytest.raises(NotPermitted):
            policy_update(
                actor=person,
                municipality=personas.municipality,
                overrides={"DI-1": {"answer_hours": 4.0}},
                reason="x",
            )
    with pytest.raises(NotFound):
        policy_update(
            actor=personas.outsider,
            municipality=personas.municipality,
            overrides={"DI-1": {"answer_hours": 4.0}},
            reason="x",
        )


def test_municipality_create_needs_superuser_and_known_preset(db):
    admin = UserFactory(username="drift", is_superuser=True, is_staff=True)
    municipality = municipality_create(
        actor=admin, slug="rennebu", name="Rennebu", preset="rennebu"
    )
    assert municipality.preset == "rennebu"
    with pytest.raises(ServiceError):
        municipality_create(actor=admin, slug="x", name="X", preset="oslo")
    with pytest.raises(ServiceError):
        municipality_create(actor=admin, slug="rennebu", name="Igjen", preset="rennebu")
    with pytest.raises(ServiceError):
        municipality_create(actor=UserFactory(), slug="y", name="Y", preset="rennebu")


def test_role_assign_by_communications_only(personas):
    newcomer = UserFactory()
    role_assign(
        actor=personas.communications,
        municipality=personas.municipality,
        user=newcomer,
        role=Role.ARCHIVIST,
    )
    assert access_municipality(user=newcomer, slug=personas.municipality.slug, need="view_audit")
    with pytest.raises(NotPermitted):
        role_assign(
            actor=personas.employee,
            municipality=personas.municipality,
            user=UserFactory(),
            role=Role.EMPLOYEE,
        )
    with pytest.raises(ServiceError):
        role_assign(
            actor=personas.communications,
            municipality=personas.municipality,
            user=newcomer,
            role="konge",
        )


def test_a_role_is_held_once_per_municipality_and_once_per_unit_on_every_database(personas):
    from django.db import IntegrityError, transaction

    from ordstyrer.tenants.models import RoleAssignment, Unit

    person = UserFactory()
    unit = Unit.objects.create(municipality=personas.municipality, name="Teknisk")
    for target in (None, unit, None, unit):  # the service: the same role again is one row
        role_assign(
            actor=None,
            municipality=personas.municipality,
            user=person,
            role=Role.UNIT_LEADER,
            unit=target,
        )
    assert RoleAssignment.objects.filter(user=person).count() == 2
    for target in (None, unit):  # the database itself refuses a second row
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(
                user=person, municipality=personas.municipality, role=Role.UNIT_LEADER, unit=target
            )
