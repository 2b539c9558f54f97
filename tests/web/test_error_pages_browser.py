"""The product's own 400 and CSRF-failure pages (added in the QA round of December
2026) in Chromium: Norwegian, axe-core clean, and fitting a 390 px phone."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_login_form_gets_the_products_csrf_page(page: Page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/logg-inn/")
    page.context.clear_cookies()  # as if the form had been open for too long
    page.get_by_label("Brukernavn").fill("kari")
    page.get_by_label("Passord").fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Skjemaet var åpent for lenge")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)


def test_a_bad_request_gets_the_products_400_page(page: Page, live_server):
    base = live_server.url
    # A host the installation does not serve: Django answers 400 (DisallowedHost).
    answer = httpx.get(f"{base}/logg-inn/", headers={"Host": "evil.example"})
    assert answer.status_code == 400
    page.route(
        f"{base}/ugyldig/",
        lambda route: route.fulfill(
            status=400, body=answer.text, content_type="text/html; charset=utf-8"
        ),
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/ugyldig/")
    expect(page.get_by_role("heading", name="Ugyldig forespørsel")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
