"""The crisis log's own page (`/m/<slug>/krise/logg/<id>/`) on a 390 px phone: its table
scrolls in its own frame instead of the page scrolling sideways, and axe-core finds no
WCAG 2.1 AA violation (WCAG 1.4.10). The crisis page's copy of the log had the frame;
this page included the same table without it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from ordstyrer.crisis.services import crisis_declare, crisis_end
from tests.browser.test_s19_pages import check_page
from tests.browser_support import login
from tests.moderation.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_crisis_log_page_fits_a_phone(page: Page, live_server):
    world = make_world("s20-nett-logg", preset="birkenes")
    crisis = crisis_declare(
        municipality=world.municipality,
        name="Flom i Nedby sentrum, stengte veier og evakuering av Elvegata",
        actor=world.p.crisis_leader,
    )
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.crisis_leader)
    page.goto(f"{base}/m/{slug}/krise/logg/{crisis.pk}/")
    check_page(page, page.get_by_role("link", name="Tilbake til krisesiden"))
