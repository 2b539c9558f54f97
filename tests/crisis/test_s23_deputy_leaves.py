"""PU-12: the crisis leader names the deputies who approve in a crisis; communications,
who gives roles, names none (`may_name_deputies`). A deputy who lost their last role in
the municipality (they left) kept the deputyship row, and `may_approve_in_crisis` read it
again as soon as they held any role: given an ordinary role a year later, they approved
in a crisis again without the crisis leader naming them. Now the deputyship ends with
the last role (`tenants.services.role_revoke`), audited, and written in the crisis log
while a crisis lasts."""

from __future__ import annotations

import pytest

from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.models import CrisisDeputy, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.selectors import crisis_deputies, may_approve_in_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.tenants.models import Municipality, Role, Unit
from ordstyrer.tenants.services import role_assign, role_revoke
from tests.conftest import make_personas
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("crisis", [False, True], ids=["calm", "in-a-crisis"])
def test_pu12_a_deputy_who_leaves_is_no_deputy_when_back(crisis):
    p = make_personas("s23dep")
    m = p.municipality
    ola = UserFactory(username="ola", first_name="Ola", last_name="Nordmann")
    unit = Unit.objects.create(municipality=m, name="Skolen")
    role_assign(actor=None, municipality=m, user=ola, role=Role.EMPLOYEE)
    role_assign(actor=None, municipality=m, user=ola, role=Role.UNIT_LEADER, unit=unit)
    crisis_deputy_add(municipality=m, user=ola, actor=p.crisis_leader)
    if crisis:
        crisis_declare(municipality=m, name="Flom", actor=p.crisis_leader)
    assert may_approve_in_crisis(user=ola, municipality=m)

    # A role taken while another is left: still a member, still the deputy.
    role_revoke(actor=p.communications, municipality=m, user=ola, role=Role.EMPLOYEE)
    assert [d.user for d in crisis_deputies(municipality=m)] == [ola]
    # The last one: Ola has left; the deputyship ends with it.
    role_revoke(actor=p.communications, municipality=m, user=ola, role=Role.UNIT_LEADER, unit=unit)
    assert not CrisisDeputy.objects.filter(municipality=m).exists()
    audit = AuditEntry.objects.get(action="crisis_deputy_removed")
    assert audit.actor == p.communications and audit.data["user_id"] == ola.pk
    assert audit.municipality == m
    logged = CrisisLogEntry.objects.filter(kind=CrisisLogKind.DEPUTY_REMOVED)
    if crisis:
        line = logged.get()
        assert line.text == "Ola Nordmann" and line.actor == p.communications
        assert line.object_kind == "user" and line.object_id == str(ola.pk)
    else:
        assert not logged.exists()

    # A year later he is back as an ordinary employee: not an approver unasked.
    role_assign(actor=p.communications, municipality=m, user=ola, role=Role.EMPLOYEE)
    assert not may_approve_in_crisis(user=ola, municipality=m)
    assert not list(crisis_deputies(municipality=m))


def test_pu12_leaving_another_municipality_keeps_the_deputyship_here():
    p = make_personas("s23depb")
    here, there = p.municipality, Municipality.objects.get(slug="s23depb-nabo")
    kari = UserFactory(username="kari")
    role_assign(actor=None, municipality=here, user=kari, role=Role.EMPLOYEE)
    role_assign(actor=None, municipality=there, user=kari, role=Role.EMPLOYEE)
    crisis_deputy_add(municipality=here, user=kari, actor=p.crisis_leader)
    role_revoke(actor=None, municipality=there, user=kari, role=Role.EMPLOYEE)
    assert may_approve_in_crisis(user=kari, municipality=here)
    assert not AuditEntry.objects.filter(action="crisis_deputy_removed").exists()
