"""PU-12: a crisis deputy whose last role in the municipality goes at a login through the
identity provider (their groups no longer give one) kept the deputyship, and
`may_approve_in_crisis` read it again as soon as they held any role: given an ordinary
role later (by communications or a group, neither of which names deputies), they
approved in a crisis unasked. `_sync_roles` now ends the deputyship as `role_revoke`
does (`tenants.services.crisis_deputyship_end`): audited with cause `sso_login`, and in
the crisis log while a crisis lasts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.models import CrisisDeputy, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.selectors import crisis_deputies, may_approve_in_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.sso.services import group_map, sso_login
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.services import role_assign
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"


def login(sub: str, *groups: str):
    return sso_login(
        issuer=ISSUER, claims={"sub": sub, "groups": list(groups)}, groups_claim="groups", now=NOW
    )


def test_pu12_a_deputy_whose_groups_give_no_role_any_more_is_no_deputy():
    p = make_personas("s23ssodep")
    m = p.municipality
    group_map(actor=p.communications, municipality=m, group="sg-ansatte", role=Role.EMPLOYEE)
    ola = login("ola", "sg-ansatte")
    crisis_deputy_add(municipality=m, user=ola, actor=p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=p.crisis_leader)
    assert may_approve_in_crisis(user=ola, municipality=m)

    # A login with the same groups changes nothing.
    login("ola", "sg-ansatte")
    assert [d.user for d in crisis_deputies(municipality=m)] == [ola]

    # Ola has left: his groups give no role here; the deputyship ends with the last role.
    login("ola")
    assert not CrisisDeputy.objects.filter(municipality=m).exists()
    audit = AuditEntry.objects.get(action="crisis_deputy_removed")
    assert audit.actor is None and audit.municipality == m
    assert audit.data == {"user_id": ola.pk, "cause": "sso_login", "rule": "PU-12"}
    line = CrisisLogEntry.objects.get(kind=CrisisLogKind.DEPUTY_REMOVED)
    assert line.object_kind == "user" and line.object_id == str(ola.pk)

    # Back later as an ordinary employee: not an approver unasked.
    role_assign(actor=p.communications, municipality=m, user=ola, role=Role.EMPLOYEE)
    assert not may_approve_in_crisis(user=ola, municipality=m)
