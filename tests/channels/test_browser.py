"""The channel registry in Debian's headless Chromium, axe-core on every page:
propose → approve → active → closure → reopened by itself (CH-1, CH-3, CH-9)."""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.channels.closures import closures_sweep
from ordstyrer.channels.models import Channel
from tests.browser_support import assert_accessible, login
from tests.channels.test_closures import SwitchingPlatform
from tests.conftest import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def test_propose_approve_activate_close_and_reopen(page: Page, live_server, settings):
    connector = SwitchingPlatform(posts=2)
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(connector),
    }
    p = make_personas("nettby", "indre-fosen")  # chain: unit leader, then communications
    base = live_server.url
    slug = p.municipality.slug

    # The employee proposes a channel with the plan Indre Fosen requires (CH-2).
    login(page, base, p.employee)
    page.goto(f"{base}/m/{slug}/kanaler/")
    expect(page.get_by_role("heading", name="Kanaler", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Foreslå ny kanal").click()
    expect(page.get_by_text("CH-11", exact=True).first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Navn på kanalen").fill("Nettby skole")
    page.get_by_label("Plattform").select_option("instagram")
    page.get_by_label("Formål").fill("Informasjon til foreldre.")
    page.get_by_label("Hvorfor kanalen trengs").fill("Foreldrene er der.")
    page.get_by_label("Oppfølging").fill("Redaktøren følger med hver arbeidsdag.")
    page.get_by_label("Hovedadministrator").select_option(
        label=p.employee.get_full_name() or p.employee.username
    )
    page.get_by_role("button", name="Lagre og send til godkjenning").click()
    expect(page.get_by_text("Forslaget er sendt til godkjenning.")).to_be_visible()
    expect(page.locator(".status")).to_contain_text("Sendt inn")
    assert_accessible(page)
    detail = page.url

    # The unit leader, then communications approve (CH-1).
    for approver, after in ((p.unit_leader, "Under godkjenning"), (p.communications, "Godkjent")):
        login(page, base, approver)
        page.goto(f"{base}/m/{slug}/kanaler/")
        page.get_by_role("link", name="Nettby skole").first.click()
        page.wait_for_url(detail)
        assert_accessible(page)
        page.get_by_role("button", name="Godkjenn …").click()
        # Confirmed on a page of its own that says what follows (CH-1, session 21).
        expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Kommentar eller begrunnelse").fill("Ser bra ut.")
        page.get_by_role("button", name="Bekreft: godkjenn").click()
        expect(page.locator(".status")).to_contain_text(after)
        assert_accessible(page)

    # The main administrator takes it into use, then closes it for the holidays (CH-9).
    login(page, base, p.employee)
    page.goto(detail)
    page.get_by_role("button", name="Ta i bruk", exact=True).click()
    expect(page.locator(".status")).to_contain_text("Aktiv")
    assert_accessible(page)
    page.get_by_role("link", name="Stenging for kommentarer (CH-9)").click()
    expect(page.get_by_label("Hvorfor stenges kanalen?")).to_be_visible()
    assert_accessible(page)
    now = timezone.localtime()
    ends = now + timedelta(days=1)
    page.get_by_label("Hvorfor stenges kanalen?").fill("Høstferie")
    page.get_by_label("Stenges fra").fill((now - timedelta(minutes=1)).strftime(LOCAL_INPUT))
    page.get_by_label("Åpnes igjen").fill(ends.strftime(LOCAL_INPUT))
    page.get_by_role("button", name="Lagre stengingen").click()
    # It began a minute ago: confirmed first, on a page that says it closes now (CH-9).
    expect(page.get_by_text("Kanalen stenges for kommentarer nå, til")).to_be_visible()
    assert_accessible(page)
    assert not Channel.objects.filter(name="Nettby skole", status="closed").exists()
    page.get_by_role("button", name="Bekreft: steng kanalen nå").click()
    expect(page.get_by_text("Kanalen er stengt for kommentarer til")).to_be_visible()
    expect(page.get_by_label("Beskjed til publikum (bokmål)")).to_have_value(
        re.compile("Nettby skole er stengt for kommentarer fra .*Høstferie", re.S)
    )
    expect(page.get_by_label("Beskjed til publikum (nynorsk)")).to_contain_text("stengd")
    assert_accessible(page)
    page.goto(detail)
    expect(page.locator(".status")).to_contain_text("Stengt for kommentarer")
    assert not any(connector.enabled.values())

    # At the end of the period the sweep opens it again by itself.
    channel = Channel.objects.get(name="Nettby skole")
    assert closures_sweep(now=timezone.now()) == 0
    assert closures_sweep(now=ends + timedelta(minutes=1)) == 1
    page.reload()
    expect(page.locator(".status")).to_contain_text("Aktiv")
    assert all(connector.enabled.values())
    channel.refresh_from_db()
    assert channel.status == "active"
    page.get_by_role("link", name="Stenging for kommentarer (CH-9)").click()
    expect(page.get_by_role("heading", level=3)).to_contain_text("Åpnet igjen")
    assert_accessible(page)


def test_every_channel_page_of_the_demo_has_no_axe_violations(page: Page, live_server):
    from ordstyrer.demo import DEMO_PASSWORD, DEMO_SLUG, setup_demo

    setup_demo()
    page.goto(f"{live_server.url}/logg-inn/")
    page.get_by_label("Brukernavn").fill("kommunikasjon")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    base = f"{live_server.url}/m/{DEMO_SLUG}/kanaler/"
    for path in ("", "ny/"):
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    channels = Channel.objects.filter(municipality__slug=DEMO_SLUG)
    assert {c.status for c in channels} == {
        "draft",
        "submitted",
        "in_review",
        "rejected",
        "approved",
        "active",
        "paused",
        "closed",
        "retired",
    }
    for channel in channels:
        page.goto(f"{base}{channel.pk}/")
        expect(page.locator("h1")).to_have_text(channel.name)
        assert_accessible(page)
    closed = channels.get(status="closed")
    for path in ("stenging/", "husregler/", "gjennomgang/"):
        page.goto(f"{base}{closed.pk}/{path}")
        assert_accessible(page)
    page.goto(f"{base}{channels.get(status='draft').pk}/endre/")
    assert_accessible(page)
