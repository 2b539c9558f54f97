"""Who declares and ends a crisis (PU-12 `declared_by`), per preset.

Birkenes (003: «I krisesituasjoner hvor rådmannen har satt kriseledelse godkjennes all
informasjon av kriseleder.») and Gausdal (004 item 12: «Under krisesituasjoner der
rådmannen har satt krisestab, …») have the rådmann set up the crisis management, so the
crisis leader and the chief administrator declare and end a crisis there, communications
does not. Indre Fosen, Rennebu and Midt-Telemark name nobody: the crisis leader and
communications, as before. The crisis leader alone still approves what goes out.
"""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.selectors import active_crisis, crisis_settings, may_approve_in_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add, crisis_end
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

RADMANN_DECLARES = {
    "birkenes": True,
    "gausdal": True,
    "indre-fosen": False,
    "rennebu": False,
    "midt-telemark": False,
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("preset", "declares"), RADMANN_DECLARES.items())
def test_the_chief_administrator_declares_and_ends_where_the_guideline_says(preset, declares):
    p = make_personas(f"pu12{preset[:5]}", preset)
    if not declares:
        with pytest.raises(NotPermitted) as refused:
            crisis_declare(municipality=p.municipality, name="Flom", actor=p.chief_administrator)
        # The refusal names the roles that may, from the preset (not one fixed sentence).
        assert "Kriseleder, Kommunikasjon (PU-12)" in str(refused.value)
        assert not Crisis.objects.exists()
        return
    crisis_declare(municipality=p.municipality, name="Flom", actor=p.chief_administrator)
    assert active_crisis(municipality=p.municipality).declared_by == p.chief_administrator
    # The chief administrator declares, but does not approve: the crisis leader does.
    assert not may_approve_in_crisis(user=p.chief_administrator, municipality=p.municipality)
    assert may_approve_in_crisis(user=p.crisis_leader, municipality=p.municipality)
    crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=p.chief_administrator)
    crisis_end(municipality=p.municipality, actor=p.chief_administrator)
    assert active_crisis(municipality=p.municipality) is None


@pytest.mark.parametrize(("preset", "radmann"), RADMANN_DECLARES.items())
def test_the_crisis_leader_declares_everywhere_communications_where_the_radmann_does_not(
    preset, radmann
):
    p = make_personas(f"pu12k{preset[:5]}", preset)
    for actor in (p.crisis_leader, p.communications):
        if actor == p.communications and radmann:
            with pytest.raises(NotPermitted):
                crisis_declare(municipality=p.municipality, name="Ras", actor=actor)
            continue
        crisis_declare(municipality=p.municipality, name="Ras", actor=actor)
        crisis_end(municipality=p.municipality, actor=actor)
    with pytest.raises(NotPermitted):
        crisis_declare(municipality=p.municipality, name="Ras", actor=p.employee)


def test_the_radmann_declares_and_ends_in_birkenes_console():
    p = make_personas("pu12web", "birkenes")
    client = client_for(p.chief_administrator)
    base = f"/m/{p.municipality.slug}/krise/"
    page = client.get(base).content.decode()
    assert "Erklær krise" in page
    done = client.post(f"{base}erklaer/", {"name": "Storm", "confirm": "yes"})
    assert done.status_code == 302
    assert active_crisis(municipality=p.municipality).name == "Storm"
    assert client.post(f"{base}avslutt/", {"confirm": "yes"}).status_code == 302
    assert active_crisis(municipality=p.municipality) is None


def test_the_radmann_gets_the_presets_roles_in_the_refusal_in_indre_fosen():
    p = make_personas("pu12nei", "indre-fosen")
    client = client_for(p.chief_administrator)
    base = f"/m/{p.municipality.slug}/krise/"
    assert "Erklær krise" not in client.get(base).content.decode()
    refused = client.post(f"{base}erklaer/", {"name": "Storm", "confirm": "yes"})
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Bare disse rollene kan erklære krise her: Kriseleder, Kommunikasjon (PU-12)." in body
    assert not Crisis.objects.exists()


def test_crisis_settings_name_the_declarers_in_order():
    p = make_personas("pu12set", "gausdal")
    declared_by = crisis_settings(municipality=p.municipality)["declared_by"]
    assert declared_by == ("crisis_leader", "chief_administrator")
