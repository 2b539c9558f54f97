"""The contact person cites EM-9 and DI-10 only where the municipality's policy applies
them (Indre Fosen, Gausdal); under Rennebu's, Midt-Telemark's and Birkenes' guidelines it
only marks the municipality's own number and address in posts and replies (PU-1), and the
settings page and the refusal of a half-filled contact say so without a rule they lack.
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.core.errors import ServiceError
from ordstyrer.policy import load_policy
from ordstyrer.tenants.services import municipality_identity_update
from tests.conftest import make_personas

APPLIES = ("indre-fosen", "gausdal")
LACKS = ("rennebu", "midt-telemark", "birkenes")
PU1 = (
    "Ordstyrer kjenner igjen personens telefonnummer og e-postadresse som kommunens egne, "
    "så de ikke regnes som personopplysninger i innlegg og svar (PU-1)."
)


def contact_fieldset(preset: str) -> str:
    p = make_personas(preset, preset)
    client = Client()
    client.force_login(p.communications)
    response = client.get(reverse("publishing:settings", args=[p.municipality.slug]))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    found = re.search(r"<fieldset[^>]*><legend>Kontaktperson.*?</fieldset>", page, re.S)
    assert found, "the settings page has the contact person's fieldset"
    return found.group()


def test_the_presets_are_as_the_catalogue_says():
    assert all(load_policy(p).applies("EM-9") and load_policy(p).applies("DI-10") for p in APPLIES)
    assert not any(load_policy(p).applies(r) for p in LACKS for r in ("EM-9", "DI-10"))


@pytest.mark.django_db
@pytest.mark.parametrize("preset", APPLIES)
def test_the_settings_page_cites_em9_and_di10_where_they_apply(preset):
    fieldset = contact_fieldset(preset)
    assert "<legend>Kontaktperson for sosiale medier (EM-9)</legend>" in fieldset
    assert "Ansatte spør denne personen om sosiale medier (EM-9)." in fieldset
    assert "Saker som kan skade kommunens omdømme, samordnes med denne personen (DI-10)." in (
        fieldset
    )
    assert PU1 in fieldset


@pytest.mark.django_db
@pytest.mark.parametrize("preset", LACKS)
def test_the_settings_page_says_what_the_contact_is_for_where_they_do_not(preset):
    fieldset = contact_fieldset(preset)
    assert "<legend>Kontaktperson for sosiale medier</legend>" in fieldset
    assert "EM-9" not in fieldset and "DI-10" not in fieldset
    assert "Ansatte spør denne personen" not in fieldset
    assert PU1 in fieldset


@pytest.mark.django_db
@pytest.mark.parametrize("preset", APPLIES)
def test_a_half_filled_contact_is_refused_citing_em9_and_di10_where_they_apply(preset):
    p = make_personas(preset, preset)
    with pytest.raises(ServiceError) as refused:
        municipality_identity_update(
            actor=p.communications, municipality=p.municipality, contact_phone="41 22 33 44"
        )
    assert refused.value.rule == "EM-9"
    assert str(refused.value.message) == (
        "Oppgi både tittel og navn på kontaktpersonen (EM-9, DI-10), eller la alle feltene "
        "for kontaktpersonen stå tomme."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("preset", LACKS)
def test_a_half_filled_contact_is_refused_without_a_rule_the_guideline_lacks(preset):
    p = make_personas(preset, preset)
    with pytest.raises(ServiceError) as refused:
        municipality_identity_update(
            actor=p.communications, municipality=p.municipality, contact_name="Siri Sand"
        )
    assert refused.value.rule is None
    assert str(refused.value.message) == (
        "Oppgi både tittel og navn på kontaktpersonen, eller la alle feltene for "
        "kontaktpersonen stå tomme."
    )
    p.municipality.refresh_from_db()
    assert p.municipality.contact_name == ""
