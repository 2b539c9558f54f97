"""PU-12: declaring is not approving (docs/crisis.md). The chief administrator, who
declares and names deputies in Birkenes and Gausdal but does not approve in a crisis,
cannot name themselves the crisis leader's deputy and so approve; they name others, and
the crisis leader may name them. Communications names no deputy at all
(test_s19_crisis_approvers)."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.crisis.models import CrisisDeputy
from ordstyrer.crisis.selectors import may_approve_in_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.tenants.services import policy_update
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

SELF = "Du kan ikke oppnevne deg selv til stedfortreder"


@pytest.mark.parametrize(
    ("preset", "role"),
    [
        ("birkenes", "chief_administrator"),
        ("gausdal", "chief_administrator"),
    ],
)
def test_a_declarer_who_does_not_approve_cannot_name_themselves_deputy(preset, role):
    p = make_personas(f"s18dep{preset[:4]}", preset)
    declarer = getattr(p, role)
    crisis_declare(municipality=p.municipality, name="Flom", actor=declarer)
    with pytest.raises(ServiceError) as refused:
        crisis_deputy_add(municipality=p.municipality, user=declarer, actor=declarer)
    assert SELF in str(refused.value) and refused.value.rule == "PU-12"
    assert not CrisisDeputy.objects.exists()
    assert not may_approve_in_crisis(user=declarer, municipality=p.municipality)

    # They still name someone else, and the crisis leader may name them.
    crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=declarer)
    crisis_deputy_add(municipality=p.municipality, user=declarer, actor=p.crisis_leader)
    assert may_approve_in_crisis(user=declarer, municipality=p.municipality)


def test_one_who_approves_already_may_name_themselves():
    """The crisis leader, and a namer the municipality's override makes an approver (the
    chief administrator in Birkenes); communications, even as an approver, names nobody."""
    p = make_personas("s18depok", "birkenes")
    crisis_deputy_add(municipality=p.municipality, user=p.crisis_leader, actor=p.crisis_leader)
    policy_update(
        actor=p.chief_administrator,  # PU-12 is the rådmann's
        municipality=p.municipality,
        overrides={
            "PU-12": {"approvers": ["crisis_leader", "communications", "chief_administrator"]}
        },
        reason="Kommunikasjon og rådmannen godkjenner også.",
    )
    crisis_deputy_add(
        municipality=p.municipality, user=p.chief_administrator, actor=p.chief_administrator
    )
    with pytest.raises(NotPermitted):
        crisis_deputy_add(
            municipality=p.municipality, user=p.communications, actor=p.communications
        )
    assert set(CrisisDeputy.objects.values_list("user", flat=True)) == {
        p.crisis_leader.pk,
        p.chief_administrator.pk,
    }


def test_the_console_says_why_and_names_nobody():
    p = make_personas("s18depweb", "gausdal")
    client = Client()
    client.force_login(p.chief_administrator)
    page = client.post(
        f"/m/{p.municipality.slug}/krise/stedfortredere/",
        {"user": p.chief_administrator.pk},
        follow=True,
    )
    assert page.status_code == 200
    assert SELF in page.content.decode()
    assert not CrisisDeputy.objects.exists()
