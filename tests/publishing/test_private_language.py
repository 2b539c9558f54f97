"""«Før du poster privat» in the reader's language: the rules' titles from the catalogue,
the advice through gettext, the personal data by name rather than by code."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ordstyrer.publishing.private import FINDINGS
from ordstyrer.publishing.views import PRIVATE_MESSAGES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bokmal_afterwards():
    """The console's middleware activates the cookie's language in the test's thread and
    leaves it there; later tests expect Bokmål."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def own_world():
    """Indre Fosen on its own preset, whose guideline names a contact (EM-9)."""
    from tests.publishing.conftest import make_world

    return make_world("indre-fosen")


# A name with a health condition (EM-1), an official voice (EM-2), a pupil (EM-3); the
# indre-fosen preset names a contact with a phone number (EM-9).
TEXT = "Vi i kommunen har bestemt det: eleven Ola Hansen har diabetes."


def advice_page(user, slug: str, language: str) -> str:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("publishing:private_check", args=[slug]), {"text": TEXT})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_bokmal_advice_names_the_personal_data_and_the_rules(own_world):
    world = own_world
    page = advice_page(world.p.employee, world.municipality.slug, "nb")
    assert "Teksten ser ut til å inneholde personopplysninger (helseopplysninger, navn)." in page
    # Why, in Indre Fosen's guideline's words (the employee guide's EM-1 statements).
    assert (
        "Taushetsplikten gjelder også i sosiale medier. Den gjelder også etter at du har sluttet."
    ) in page
    assert "Ytringsfrihet og taushetsplikt" in page and "Vær tydelig på rollen din" in page
    assert "Du nevner «eleven»." in page
    assert "«Vi i kommunen» kan leses som kommunens offisielle syn." in page
    assert "Spør kommunikasjonsrådgiver Kari Klepp, telefon 97 51 40 96." in page
    assert "(health, person)" not in page


def test_a_municipality_on_another_s_preset_does_not_send_its_staff_to_that_contact(world):
    # «Pubby» adopted Indre Fosen's preset: its rules, not Indre Fosen's contact (EM-9).
    page = advice_page(world.p.employee, world.municipality.slug, "nb")
    assert "Ytringsfrihet og taushetsplikt" in page
    assert "Kari Klepp" not in page and "97 51 40 96" not in page
    # The quotes are Indre Fosen's words and say so, not «Pubby kommune».
    assert "<footer>Indre Fosen kommune," in page
    assert f"<footer>{world.municipality.name}," not in page


def test_a_municipality_on_another_s_preset_names_the_contact_it_sets_itself(world):
    from ordstyrer.tenants.services import municipality_identity_update

    municipality_identity_update(
        actor=world.p.communications,
        municipality=world.municipality,
        contact_title="kommunikasjonsrådgiver",
        contact_name="Petra Pubby",
        contact_phone="12 34 56 78",
    )
    page = advice_page(world.p.employee, world.municipality.slug, "nb")
    assert "Spør kommunikasjonsrådgiver Petra Pubby, telefon 12 34 56 78." in page
    # The advice asks Pubby's own contact (the quote below it is Indre Fosen's guideline).
    assert "Spør kommunikasjonsrådgiver Kari Klepp" not in page


@pytest.mark.parametrize(
    ("language", "titles", "not_shown"),
    [
        (
            "nn",
            ("Ytringsfridom og teieplikt", "Ver tydeleg på rolla di"),
            ("Ytringsfrihet og taushetsplikt", "Vær tydelig på rollen din"),
        ),
        (
            "en",
            ("Freedom of expression and confidentiality", "Be clear about your role"),
            ("Ytringsfrihet og taushetsplikt", "Vær tydelig på rollen din"),
        ),
    ],
)
def test_the_rules_titles_follow_the_interface_language(world, language, titles, not_shown):
    page = advice_page(world.p.employee, world.municipality.slug, language)
    assert all(title in page for title in titles)
    assert not any(text in page for text in not_shown)
    assert "health, person" not in page
    # The labels are the inbox's, in the catalogue already.
    assert {"nn": "(helseopplysningar, namn)", "en": "(health information, name)"}[language] in page


EXPECTED = {
    "nn": (
        "Teksten ser ut til å innehalde personopplysningar (helseopplysningar, namn).",
        "Du nemner «eleven».",
        "Lurer du på noko? Spør kommunikasjonsrådgiver Kari Klepp, telefon 97 51 40 96.",
    ),
    "en": (
        "The text seems to contain personal data (health information, name).",
        "You mention “eleven”.",
        "Any questions? Ask kommunikasjonsrådgiver Kari Klepp, phone 97 51 40 96.",
    ),
}


def _catalogued(language: str) -> bool:
    """Whether the catalogue of `language` has the advice (Bokmål has no catalogue: its
    texts are the msgids)."""

    def said(text, lang: str) -> str:
        with translation.override(lang):
            return str(text)

    return all(said(text, language) != said(text, "nb") for text in PRIVATE_MESSAGES.values())


@pytest.mark.parametrize("language", ["nn", "en"])
def test_the_advice_follows_the_interface_language(own_world, language):
    if not _catalogued(language):
        pytest.skip(f"the advice's msgids are not in the {language} catalogue yet")
    page = advice_page(own_world.p.employee, own_world.municipality.slug, language)
    assert all(text in page for text in EXPECTED[language])
    assert "Teksten ser ut til å inneholde personopplysninger" not in page


def test_an_outsider_gets_404_in_any_language(world):
    client = Client()
    client.force_login(world.p.outsider)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    url = reverse("publishing:private_check", args=[world.municipality.slug])
    assert client.post(url, {"text": TEXT}).status_code == 404


def test_every_finding_has_a_message():
    assert set(PRIVATE_MESSAGES) == set(FINDINGS)
