"""The console shell in Debian's headless Chromium: flows and axe-core on every page."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import make_personas
from tests.factories import PASSWORD, MunicipalityFactory, RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    assert_accessible(page)
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def test_every_shell_page_has_no_axe_violations(page: Page, live_server):
    personas = make_personas("axeby")
    second = MunicipalityFactory(slug="axeby-to", name="Axeby to", preset="midt-telemark")
    RoleAssignmentFactory(user=personas.communications, municipality=second, role="communications")
    login(page, live_server.url, personas.communications.username)
    expect(page.get_by_role("heading", name="Velg kommune")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=personas.municipality.name).click()
    slug = personas.municipality.slug
    for path in ["", "sjekk/", "retningslinjer/", "husregler/", "innstillinger/"]:
        page.goto(f"{live_server.url}/m/{slug}/{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    page.goto(f"{live_server.url}/m/finnes-ikke/")
    assert_accessible(page)


def test_check_text_live_as_you_type(page: Page, live_server):
    personas = make_personas("liveby")
    login(page, live_server.url, personas.employee.username)
    page.goto(f"{live_server.url}/m/{personas.municipality.slug}/sjekk/")
    page.get_by_label("Tekst", exact=True).press_sequentially("Ring meg på 412 34 567 om eleven")
    findings = page.locator("#findings")
    expect(findings).to_contain_text("PU-1", timeout=10_000)
    assert_accessible(page)
    # Without waiting for the live check, the submit button gives the same result.
    page.get_by_label("Tekst", exact=True).fill("Velkommen til 17. mai-feiring på torget kl. 11.")
    page.get_by_role("button", name="Sjekk", exact=True).click()
    expect(findings).not_to_contain_text("PU-1")
    assert_accessible(page)


def test_language_switch_to_nynorsk_and_english(page: Page, live_server):
    personas = make_personas("spraakby")
    login(page, live_server.url, personas.employee.username)
    page.get_by_label("Språk").select_option("nn")
    page.get_by_role("button", name="Bytt språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    assert_accessible(page)
    page.locator("#language-select").select_option("en")
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Check text")).to_be_visible()
    assert_accessible(page)
