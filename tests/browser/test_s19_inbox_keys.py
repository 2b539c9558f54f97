"""The work list's keyboard and row buttons in Chromium (WCAG 2.1.4 Character Key
Shortcuts, 2.4.6 Headings and Labels; universal design): j/k act only while focus is in
the list, so a letter typed or spoken elsewhere is never a shortcut; each row's «Tildel
meg» and «Lukk» say whose item they act on, as «Svar» does; axe passes."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser_support import assert_accessible, login
from tests.inbox.conftest import comment, ingest, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_j_and_k_act_only_in_the_list_and_row_buttons_name_the_author(page: Page, live_server):
    world = make_world("tastby")
    now = timezone.now()
    for n, name in enumerate(["Kari Nordmann", "Per Hansen"]):
        ingest(
            world.channel,
            comment(f"k{n}", "Når åpner svømmehallen?", author=f"u{n}", name=name, created=None),
            now,
        )
    login(page, live_server.url, world.editor)
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/")
    links = page.locator("a.item-link")
    expect(links).to_have_count(2)
    assert_accessible(page)

    # Focus outside the list: on the page, and on a link above it. j does nothing.
    page.locator("body").press("j")
    expect(links.first).not_to_be_focused()
    expect(links.nth(1)).not_to_be_focused()
    above = page.get_by_role("link", name="Rapport over svartider")
    above.focus()
    page.keyboard.press("j")
    expect(above).to_be_focused()
    page.keyboard.press("k")
    expect(above).to_be_focused()

    # Inside the list: j and k move from row to row, from a row's checkbox too.
    page.locator(".inbox-row input[type=checkbox]").first.focus()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(links.first).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()

    # Each row's buttons say whose item they act on.
    first_author = links.first.inner_text()
    for name in (
        f"Tildel meg henvendelsen fra {first_author}",
        f"Lukk henvendelsen fra {first_author}",
    ):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Lukk", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=f"Svar til {first_author}", exact=True)).to_have_count(1)
    assert_accessible(page)
