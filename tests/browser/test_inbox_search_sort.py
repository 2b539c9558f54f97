"""The work list for real work in the browser (#15, item 7): search in the text and the
author's name, the urgency order (threats and hate first), the filters kept in the URL;
on a laptop and on a 390 px phone, without horizontal scrolling and with no axe
violation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.inbox.models import InboxItem
from tests.browser_support import PHONE, assert_accessible, login
from tests.inbox.conftest import comment, ingest, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _world():
    world = make_world("sokby")
    now = timezone.now()
    made = {}
    for n, (text, name, category, hours) in enumerate(
        [
            ("Når åpner svømmehallen igjen etter ferien?", "Kari Nordmann", "question", 1),
            ("Takk for en fin dag i svømmehallen!", "Per Hansen", "praise", 2),
            ("Dere burde skytes alle sammen.", "Anonym Sint", "harassment", 30),
            ("Hvorfor er biblioteket stengt?", "Liv Svømmer", "question", 3),
        ]
    ):
        item = ingest(world.channel, comment(f"b{n}", text, author=f"u{n}", name=name))
        InboxItem.objects.filter(pk=item.pk).update(
            category=category, due_at=now + timedelta(hours=hours)
        )
        made[name] = item
    return world, made


def _authors(page: Page) -> list[str]:
    return page.locator(".inbox-row .item-link").all_inner_texts()


def _expect_authors(page: Page, names: list[str]) -> None:
    """Waits for the list to show exactly these authors in this order: after a click the
    new page may not have replaced the old one yet, and reading at once races it."""
    expect(page.locator(".inbox-row .item-link")).to_have_text(names)


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{width} px wide"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_search_and_urgency_order_in_the_browser(page: Page, live_server, viewport):
    world, _made = _world()
    page.set_viewport_size(viewport)
    base = live_server.url
    login(page, base, world.p.communications)
    page.goto(f"{base}/m/{world.municipality.slug}/innboks/")
    # By deadline: the threat (due in 30 hours) comes last.
    assert _authors(page)[-1] == "Anonym Sint"

    # Search: a word in the text, or in the author's name («Svømmer»), any case.
    page.get_by_label("Søk", exact=True).fill("SVØMME")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="«SVØMME»")).to_be_visible()
    assert sorted(_authors(page)) == ["Kari Nordmann", "Liv Svømmer", "Per Hansen"]
    expect(page.get_by_text("3 henvendelser venter på svar")).to_be_visible()
    _fits(page)
    assert_accessible(page)

    # «Etter hast»: the threat first, then by deadline; search and order stay in the URL.
    page.get_by_label("Søk", exact=True).fill("")
    page.get_by_label("Rekkefølge").select_option("hast")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**sorter=hast**")
    _expect_authors(page, ["Anonym Sint", "Kari Nordmann", "Per Hansen", "Liv Svømmer"])
    assert parse_qs(urlparse(page.url).query)["sorter"] == ["hast"]
    expect(page.get_by_label("Rekkefølge")).to_have_value("hast")
    _fits(page)
    assert_accessible(page)

    # A link with the filters (as the start page's counts give) opens the same list.
    page.goto(f"{base}/m/{world.municipality.slug}/innboks/?q=svømmehallen&sorter=hast")
    _expect_authors(page, ["Kari Nordmann", "Per Hansen"])
    expect(page.get_by_label("Søk", exact=True)).to_have_value("svømmehallen")
    page.get_by_role("link", name="Fjern søket").click()
    expect(page.locator(".inbox-row .item-link")).to_have_count(4)
    assert parse_qs(urlparse(page.url).query).get("sorter") == ["hast"]
