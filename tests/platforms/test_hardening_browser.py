"""Issue #18 in Debian's headless Chromium, axe-core on every page: the dead-letter page
with its retry and discard (confirmed first), the login lockout message, and the item
page's masked national ID number with "Vis fødselsnummer" — all under the strict
Content-Security-Policy (a blocked inline script or style would be reported)."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.browser_support import assert_accessible, login
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_ID = "1515151"


def watch_csp(page: Page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return blocked


def test_dead_letters_retry_and_discard(page: Page, live_server, personas) -> None:
    blocked = watch_csp(page)
    make_channel(personas, platform_id=PAGE_ID)
    for n in (1, 2):
        body = feed_body([comment_value(PAGE_ID, f"222_150{n}")], PAGE_ID)
        WebhookDelivery.objects.create(
            received_at=timezone.now(),
            body=body,
            sha256=hashlib.sha256(body).hexdigest(),
            status=DeliveryStatus.FAILED,
            attempts=webhooks.MAX_ATTEMPTS,
            error=f"Gitt opp etter {webhooks.MAX_ATTEMPTS} forsøk (nr. {n})",
        )
    base = live_server.url
    login(page, base, personas.communications)
    page.get_by_role("link", name="Mottaksfeil").click()
    expect(page.get_by_role("heading", name="Webhook-leveringer som feilet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Prøv igjen").first.click()
    expect(page.get_by_text("lagt i køen igjen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Forkast").first.click()
    expect(page.get_by_text("slettes for godt")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Forkast leveringen").click()
    expect(page.get_by_text("er forkastet")).to_be_visible()
    assert not WebhookDelivery.objects.filter(webhooks.dead_letters()).exists()
    assert blocked == []


def test_the_lockout_message_is_shown_accessibly(page: Page, live_server, personas) -> None:
    blocked = watch_csp(page)
    page.goto(f"{live_server.url}/logg-inn/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Brukernavn").fill(personas.employee.username)
        page.get_by_label("Passord").fill("feil-passord")
        page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_contain_text("For mange mislykkede innlogginger")
    assert_accessible(page)
    assert blocked == []


def test_the_item_page_masks_the_number_and_shows_it_on_request(page: Page, live_server) -> None:
    from tests.inbox.conftest import comment, ingest, make_world

    blocked = watch_csp(page)
    world = make_world(slug="fnrby")
    item = ingest(world.channel, comment("c-fnr", "Venter på svar, fødselsnummer 05099242649"))
    base = live_server.url
    login(page, base, world.p.communications)
    page.goto(f"{base}/m/{world.municipality.slug}/innboks/{item.pk}/")
    expect(page.get_by_text("******42649")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Vis fødselsnummer").click()
    expect(page.get_by_text("05099242649")).to_be_visible()
    assert_accessible(page)
    assert blocked == []
