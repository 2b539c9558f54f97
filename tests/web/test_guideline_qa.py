"""QA on the employee guide page /m/<slug>/retningslinjer/ (a municipality on Indre
Fosen's preset, as the demo):

- it said what only Gausdal's guideline says (EM-5 «arbeidsrelatert», EM-6 «jobb-e-posten»,
  DI-10 «rådmannsteamet»);
- in English it was all Bokmål, though the guide exists in English;
- PU-9 read «Lenk til kommunens nettside () fra innlegget.»: the view ignored the website
  the municipality set in its publishing settings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ordstyrer.tenants.models import Municipality
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

URL = "/m/demo/retningslinjer/"


def _page(user, lang: str = "nb") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _set_website(municipality: Municipality, domain: str) -> None:
    """The municipality's own website (PU-9). It is moving from the publishing settings to
    the municipality (publishing migration 0003); the guide must show it either way."""
    if any(f.name == "website" for f in Municipality._meta.get_fields()):
        Municipality.objects.filter(pk=municipality.pk).update(website=domain)
    else:
        from ordstyrer.publishing.models import PublishingSettings

        PublishingSettings.objects.create(municipality=municipality, website_domain=domain)


def _prose(html: str) -> str:
    """The page without the guideline's quoted words (blockquotes)."""
    out, rest = [], html
    while "<blockquote" in rest:
        before, _sep, rest = rest.partition("<blockquote")
        out.append(before)
        rest = rest.partition("</blockquote>")[2]
    return "".join(out) + rest


def test_the_guide_says_only_what_indre_fosens_guideline_says() -> None:
    p = make_personas("demo", "indre-fosen")
    prose = _prose(_page(p.employee))
    assert "Bruk av sosiale medier må aldri komme i veien for arbeidsoppgavene dine." in prose
    assert "Bruk de offisielle kanalene: e-post, sakssystemet, helpdesk og vakttelefoner." in prose
    for gausdal_only in ("arbeidsrelatert", "e-postadressen fra jobben", "rådmannsteam"):
        assert gausdal_only not in prose


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Social media must never get in the way of your work tasks."),
        ("nn", "Bruk av sosiale medium må aldri kome i vegen for arbeidsoppgåvene dine."),
        ("nb", "Bruk av sosiale medier må aldri komme i veien for arbeidsoppgavene dine."),
    ],
)
def test_the_guide_follows_the_consoles_language(lang, words) -> None:
    p = make_personas("demo", "indre-fosen")
    html = _page(p.employee, lang)
    assert f'<div class="ordstyrer-guideline" lang="{lang}">' in html
    assert words in html
    # The guideline's own words stay in the language of its document.
    assert ('<blockquote lang="nb">' in html) is (lang != "nb")


def test_pu9_names_the_website_the_municipality_set() -> None:
    p = make_personas("demo", "indre-fosen")
    assert "Lenk til kommunens nettside fra innlegget." in _page(p.employee)
    _set_website(p.municipality, "demo.kommune.no")
    html = _page(p.employee)
    assert "Lenk til kommunens nettside (demo.kommune.no) fra innlegget." in html
    assert "()" not in _prose(html)


def test_an_outsider_gets_no_guide() -> None:
    p = make_personas("demo", "indre-fosen")
    client = Client()
    client.force_login(p.outsider)
    assert client.get(URL).status_code in (403, 404)
