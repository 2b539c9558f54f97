""" "Someone else is writing a reply here" (#15, item 7) with two people in two browsers
(Debian's Chromium, axe-core on the page): Kari has the item open; Sigrid starts typing
in the reply box (presence.js posts a heartbeat); Kari's page names Sigrid without a
reload (the 30-second refresh, fast-forwarded with Playwright's clock), and a fresh
load names her too. Sending the reply ends the notice."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import assert_accessible, login
from tests.inbox.conftest import comment, ingest, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colleague_typing_is_named_on_the_other_persons_page(
    page: Page, browser: Browser, live_server, fake_platform
):
    world = make_world("skriveby", "gausdal")
    item = ingest(
        world.channel,
        comment("c1", "Hei! Når åpner svømmehallen igjen etter ferien?", created=None),
        timezone.now(),
    )
    url = f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/"
    sigrid_name = world.editor.get_full_name()

    # Kari (communications) has the item open first; nobody is writing yet.
    kari_context = browser.new_context(locale="nb-NO")
    kari = kari_context.new_page()
    kari.clock.install()
    login(kari, live_server.url, world.p.communications)
    kari.goto(url)
    notice = kari.locator("#presence")
    expect(notice).to_be_empty()

    # Sigrid (the channel's editor) types in the reply box.
    login(page, live_server.url, world.editor)
    page.goto(url)
    with page.expect_response(lambda r: "/skriver/" in r.url and r.request.method == "POST"):
        page.get_by_label("Svartekst").fill(
            "Svømmehallen åpner mandag 17. august kl. 07.\n\nHilsen Sigrid"
        )
    # Sigrid is not told about herself.
    expect(page.locator("#presence")).to_be_empty()

    # Kari's open page names her at the next refresh, with since when.
    kari.clock.fast_forward(31_000)
    expect(notice).to_contain_text(f"{sigrid_name} skriver et svar her", timeout=10_000)
    assert_accessible(kari)
    # A fresh load says the same without any script's help.
    kari.reload()
    expect(kari.locator("#presence")).to_contain_text(f"{sigrid_name} skriver et svar her")

    # Sigrid sends; Kari's page no longer names her.
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Svaret er lagt i kø")).to_be_visible()
    kari.reload()
    expect(kari.locator("#presence")).to_be_empty()
    assert_accessible(kari)
    kari_context.close()
