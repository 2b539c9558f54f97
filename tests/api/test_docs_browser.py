"""The API docs page (/api/v1/docs) works offline and under the console's strict CSP:
Swagger UI from local static files, no request leaves the machine, no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_render_offline_without_csp_violations(page: Page, live_server):
    outside: list[str] = []
    problems: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.ok
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(page.get_by_text("Ordstyrer API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/m/{slug}/inbox/items").first).to_be_visible()
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p] == []


def test_the_token_pages_have_no_axe_violations(page: Page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from ordstyrer.api.tokens import api_token_create
    from tests.conftest import make_personas
    from tests.factories import PASSWORD

    personas = make_personas("tokenby")
    api_token_create(
        actor=None,
        user=personas.communications,
        municipality=personas.municipality,
        name="Sakssystemet",
    )
    page.goto(f"{live_server.url}/logg-inn/")
    page.get_by_label("Brukernavn").fill(personas.communications.username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.goto(f"{live_server.url}/m/tokenby/")
    page.get_by_role("link", name="API-nøkler").click()
    expect(page.get_by_role("heading", name="API-nøkler")).to_be_visible()
    axe = Axe()
    assert axe.run(page).violations_count == 0, axe.run(page).generate_report()
    page.get_by_role("link", name="Trekk tilbake").click()
    expect(page.get_by_text("Ingenting er gjort ennå.")).to_be_visible()
    assert axe.run(page).violations_count == 0, axe.run(page).generate_report()
    page.get_by_role("button", name="Trekk tilbake nøkkelen").click()
    expect(page.get_by_text("er trukket tilbake og virker ikke lenger")).to_be_visible()
    expect(page.get_by_role("cell", name="Trukket tilbake")).to_be_visible()
