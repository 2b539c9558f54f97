"""The connection pages in Debian's headless Chromium, axe-core on every page: connect
with Facebook Login (Meta's dialog played by the Graph stand-in), see the
status, paste a system-user token, and disconnect."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import assert_accessible, login
from tests.platforms.conftest import make_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_connect_with_facebook_login_then_system_token_then_disconnect(
    page: Page, live_server, personas, graph, fb_page
) -> None:
    channel = make_channel(personas)
    # Meta's login dialog (the stand-in's): this person logs in and is sent back.
    graph.store.add_user_token("EAAshortbrowser", {fb_page.id})
    graph.store.settings.login_user_token = "EAAshortbrowser"
    base = live_server.url
    login(page, base, personas.communications)
    page.goto(f"{base}/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/")
    expect(page.get_by_role("heading", name="Tilkobling for Eksempel kommune")).to_be_visible()
    expect(page.get_by_text("Kanalen er ikke koblet til.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Logg inn hos Meta").click()
    expect(page.get_by_role("heading", name="Velg side for Eksempel kommune")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Eksempel kommune").check()
    page.get_by_role("button", name="Koble til denne siden").click()
    expect(page.get_by_text("Kanalen er koblet til. Tilgangen sjekkes nå.")).to_be_visible()
    expect(page.get_by_text("tilgangen virker")).to_be_visible()
    expect(page.get_by_text("Ingen oppgaver mangler.")).to_be_visible()
    assert_accessible(page)

    # IT replaces it with a system-user token; the field never shows it back.
    graph.store.add_user_token("EAAsystembrowser", {fb_page.id}, tasks={"MODERATE"})
    page.get_by_label("Sidens eller kontoens id").fill(fb_page.id)
    page.get_by_label("Token for systembruker").fill("EAAsystembrowser")
    page.get_by_role("button", name="Lagre token").click()
    expect(page.get_by_text("Tokenet er lagret kryptert.")).to_be_visible()
    expect(page.get_by_text("Mangler:")).to_be_visible()  # CREATE_CONTENT, ANALYZE named
    assert "EAAsystembrowser" not in page.content()
    assert_accessible(page)

    # Meta refuses to take the app off the Page: the token goes all the same, and the
    # page says what to do by hand.
    graph.inject(200, path="subscribed_apps", method="DELETE", times=-1)
    page.get_by_role("link", name="Koble fra …").click()
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft: koble fra").click()
    expect(page.get_by_text("Kanalen er koblet fra, og tokenet er slettet.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Forretningsintegrasjoner")).to_be_visible()
    assert_accessible(page)
