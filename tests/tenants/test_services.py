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


# --------------------------------------------------------- the municipality's own identity

IDENTITY = {
    "website": " https://Testby.Kommune.no/nyheter ",
    "contact_title": " kommunikasjonsrådgiver ",
    "contact_name": "Tore  Testby",
    "contact_phone": "+47 12 34 56 78",
    "contact_email": " tore@testby.invalid ",
    "inquiry_email": "post@testby.invalid",
    "inquiry_phone": "12 34 56 00",
}


def test_identity_update_validates_trims_and_audits_old_and_new(personas):
    from ordstyrer.tenants.services import municipality_identity_update

    municipality = personas.municipality
    assert municipality_identity_update(
        actor=personas.communications, municipality=municipality, **IDENTITY
    )
    municipality.refresh_from_db()
    assert municipality.website == "testby.kommune.no"
    assert (municipality.contact_title, municipality.contact_name) == (
        "kommunikasjonsrådgiver",
        "Tore Testby",
    )
    assert municipality.contact_phone == "+47 12 34 56 78"
    assert municipality.contact_email == "tore@testby.invalid"
    entry = AuditEntry.objects.get(action="municipality_identity_update")
    assert entry.actor == personas.communications and entry.municipality == municipality
    assert entry.data["changes"]["website"] == ["", "testby.kommune.no"]
    assert entry.data["changes"]["contact_name"] == ["", "Tore Testby"]
    # The same again changes nothing and records nothing.
    assert not municipality_identity_update(
        actor=personas.chief_administrator, municipality=municipality, **IDENTITY
    )
    assert AuditEntry.objects.filter(action="municipality_identity_update").count() == 1
    # A field left out stays; "" clears one. Only the change is recorded.
    assert municipality_identity_update(
        actor=personas.chief_administrator, municipality=municipality, inquiry_phone=""
    )
    municipality.refresh_from_db()
    assert municipality.inquiry_phone == "" and municipality.inquiry_email == "post@testby.invalid"
    last = AuditEntry.objects.filter(action="municipality_identity_update").latest("pk")
    assert last.data == {"changes": {"inquiry_phone": ["12 34 56 00", ""]}}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "1234567", "ikke et norsk telefonnummer"),
        ("contact_phone", "+46 12 34 56 78", "ikke et norsk telefonnummer"),
        ("inquiry_phone", "12 34 56 78 9", "ikke et norsk telefonnummer"),
        ("inquiry_phone", "tlf. 12345678", "ikke et norsk telefonnummer"),
        ("contact_email", "tore@", "Ugyldig e-postadresse"),
        ("inquiry_email", "post testby.no", "Ugyldig e-postadresse"),
        ("website", "testby", "Skriv et domene"),
        ("website", "test by.no", "Skriv et domene"),
    ],
)
def test_identity_update_refuses_what_is_not_a_phone_email_or_domain(
    personas, field, value, message
):
    from ordstyrer.tenants.services import municipality_identity_update

    with pytest.raises(ServiceError, match=message):
        municipality_identity_update(
            actor=personas.communications, municipality=personas.municipality, **{field: value}
        )
    personas.municipality.refresh_from_db()
    assert getattr(personas.municipality, field) == ""
    assert not AuditEntry.objects.filter(action="municipality_identity_update").exists()


@pytest.mark.parametrize("phone", ["12345678", "12 34 56 78", "+4712345678", " +47 123 45 678 "])
def test_identity_update_takes_norwegian_numbers(personas, phone):
    from ordstyrer.tenants.services import municipality_identity_update

    municipality_identity_update(
        actor=None, municipality=personas.municipality, inquiry_phone=phone
    )
    personas.municipality.refresh_from_db()
    assert personas.municipality.inquiry_phone == " ".join(phone.split())


def test_a_contact_person_needs_a_title_and_a_name(personas):
    from ordstyrer.tenants.services import municipality_identity_update

    with pytest.raises(ServiceError, match="både tittel og navn") as refused:
        municipality_identity_update(
            actor=personas.communications,
            municipality=personas.municipality,
            contact_phone="12 34 56 78",
        )
    assert refused.value.rule == "EM-9"
    with pytest.raises(ServiceError, match="både tittel og navn"):
        municipality_identity_update(
            actor=personas.communications,
            municipality=personas.municipality,
            contact_name="Tore Testby",
        )


def test_identity_update_is_for_communications_and_the_chief_administrator(personas):
    from ordstyrer.tenants.services import municipality_identity_update

    for who in (personas.employee, personas.unit_leader, personas.crisis_leader):
        with pytest.raises(NotPermitted):
            municipality_identity_update(
                actor=who, municipality=personas.municipality, website="testby.no"
            )
    with pytest.raises(NotFound):
        municipality_identity_update(
            actor=personas.outsider, municipality=personas.municipality, website="testby.no"
        )
    personas.municipality.refresh_from_db()
    assert personas.municipality.website == ""


def test_policy_for_applies_what_the_municipality_sets(personas):
    """«Testby» is on Indre Fosen's preset: nothing of Indre Fosen's until it sets its own."""
    from ordstyrer.tenants.services import municipality_identity_update

    municipality = personas.municipality
    before = policy_for(municipality=municipality)
    assert before.contact is None and before.formal_inquiry is None and before.domains == ()
    municipality_identity_update(actor=None, municipality=municipality, **IDENTITY)
    after = policy_for(municipality=municipality)
    assert after.municipality_name == "Testby kommune"
    assert after.domains == ("testby.kommune.no",)
    assert after.contact is not None
    assert (after.contact.name, after.contact.phone) == ("Tore Testby", "+47 12 34 56 78")
    assert after.formal_inquiry is not None
    assert after.formal_inquiry.email == "post@testby.invalid"


def test_the_presets_own_municipality_keeps_the_presets_details_until_it_sets_its_own(db):
    from ordstyrer.tenants.selectors import identity_defaults
    from ordstyrer.tenants.services import municipality_identity_update
    from tests.conftest import make_personas

    p = make_personas("indre-fosen", "indre-fosen")
    municipality = p.municipality
    policy = policy_for(municipality=municipality)
    assert policy.contact is not None and policy.contact.name == "Kari Klepp"
    assert identity_defaults(municipality=municipality)["contact_phone"] == "97 51 40 96"
    municipality_identity_update(
        actor=p.communications,
        municipality=municipality,
        contact_title="kommunikasjonssjef",
        contact_name="Nils Ny",
    )
    policy = policy_for(municipality=municipality)
    # Its own contact as a whole, not Kari Klepp's phone under Nils Ny's name.
    assert policy.contact is not None
    assert (policy.contact.name, policy.contact.phone) == ("Nils Ny", None)
    assert policy.domains == ("indrefosen.kommune.no",)
    # On another's preset nothing is a default.
    assert identity_defaults(municipality=make_personas("nyby").municipality) == {}
