"""What the browser tests share: axe-core on the page in view, and a login through the
console's own form (Debian's Chromium, see tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

AXE = Axe()


def assert_accessible(page: Page) -> None:
    """No axe-core violation on the page as it stands (WCAG 2.1 AA).

    Waits for the page in view to have loaded: axe run while a click's navigation is
    still under way finds no document. The caller still waits for the page it means
    (a heading, the URL) after a click, or axe may read the page it left."""
    page.wait_for_load_state("load")
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def login(page: Page, base: str, user: Any) -> None:
    """Log `user` in through the login form, as a person would."""
    page.context.clear_cookies()
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(user.username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


# A phone's viewport (the console's 390 px bar, #15).
PHONE = {"width": 390, "height": 844}


def assert_fits(page: Page) -> None:
    """The page does not scroll sideways in its viewport; names what sticks out if it does."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
          + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= viewport, f"{page.url}: {width} px wide at {viewport} px: {wide}"
