"""PU-12: declaring is not approving (docs/crisis.md). A declarer who may not approve in a
crisis — communications everywhere, the chief administrator in Birkenes and Gausdal —
cannot name themselves the crisis leader's deputy and so approve; they name others, and
the crisis leader may name them."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.core.errors import ServiceError
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
        ("indre-fosen", "communications"),
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
    """The crisis leader, and a role the municipality's override makes an approver."""
    p = make_personas("s18depok", "indre-fosen")
    crisis_deputy_add(municipality=p.municipality, user=p.crisis_leader, actor=p.crisis_leader)
    policy_update(
        actor=p.communications,
        municipality=p.municipality,
        overrides={"PU-12": {"approvers": ["crisis_leader", "communications"]}},
        reason="Kommunikasjon godkjenner også.",
    )
    crisis_deputy_add(municipality=p.municipality, user=p.communications, actor=p.communications)
    assert set(CrisisDeputy.objects.values_list("user", flat=True)) == {
        p.crisis_leader.pk,
        p.communications.pk,
    }


def test_the_console_says_why_and_names_nobody():
    p = make_personas("s18depweb", "indre-fosen")
    client = Client()
    client.force_login(p.communications)
    page = client.post(
        f"/m/{p.municipality.slug}/krise/stedfortredere/",
        {"user": p.communications.pk},
        follow=True,
    )
    assert page.status_code == 200
    assert SELF in page.content.decode()
    assert not CrisisDeputy.objects.exists()
