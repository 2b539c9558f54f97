"""Logging out after single sign-on, in Debian's headless Chromium: the "Logg ut" button
ends the session here and takes the person to the identity provider's end-session
page, which sends them back to our login page. A browser follows the redirect only if
the page's Content-Security-Policy lets the form go there (`form-action`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.sso.services import group_map
from ordstyrer.tenants.models import Role
from tests.sso.conftest import KARI
from tests.sso.test_browser import sign_in_at_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logout_ends_the_providers_session_and_returns_to_the_login_page(
    page: Page, live_server, personas, sso
):
    group_map(
        actor=None,
        municipality=personas.municipality,
        group="sg-testby-kommunikasjon",
        role=Role.COMMUNICATIONS,
    )
    base = live_server.url
    sign_in_at_provider(page, base, KARI)
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

    page.get_by_role("button", name="Logg ut").click()

    expect(page).to_have_url(re.compile(re.escape(f"{sso}/oauth2/end_session?")))
    assert blocked == []
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{base}/logg-inn/")
    page.goto(f"{base}/m/{personas.municipality.slug}/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/logg-inn/")))
