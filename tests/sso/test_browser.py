"""Single sign-on in Debian's headless Chromium, axe-core on our pages: the login page
offers the municipality's identity provider; a person with a mapped group lands in the
console with the role; one without sees whom to ask."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.sso.services import group_map
from ordstyrer.tenants.models import Role
from tests.browser_support import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page: Page, base: str, sub: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/logg-inn/")
    assert_accessible(page)
    page.get_by_role("link", name="Logg inn med kommunens felles pålogging").click()
    page.get_by_placeholder("sub").fill(sub)  # the provider's own page
    page.get_by_role("button", name="Authorize").click()


def test_sso_login_with_and_without_a_mapped_group(page: Page, live_server, personas, sso):
    group_map(
        actor=None,
        municipality=personas.municipality,
        group="sg-testby-kommunikasjon",
        role=Role.COMMUNICATIONS,
    )
    base = live_server.url

    sign_in_at_provider(page, base, "entra-0001")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    assert page.url.rstrip("/").endswith(f"/m/{personas.municipality.slug}")
    assert_accessible(page)

    sign_in_at_provider(page, base, "entra-0002")
    expect(
        page.get_by_role("heading", name="Du er logget inn, men har ingen tilgang ennå")
    ).to_be_visible()
    expect(page.get_by_text("sg-alle-ansatte-uten-rolle")).to_be_visible()
    assert_accessible(page)
