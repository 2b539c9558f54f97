"""The item page in the Nynorsk console (#15, item 10), in Debian's Chromium with axe-core:
the category, the reply templates' names and the "someone else is writing" notice are
Nynorsk; the suggested reply follows the citizen's own written standard."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.inbox import presence
from ordstyrer.inbox.models import InboxItem
from tests.browser_support import assert_accessible, login
from tests.inbox.conftest import comment, ingest, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_nynorsk_console_speaks_nynorsk_on_the_item_page(page: Page, live_server):
    world = make_world("nyby", "indre-fosen")
    item = ingest(
        world.channel,
        comment("c1", "Når opnar symjehallen att etter ferien?", created=None),
        timezone.now(),
    )
    InboxItem.objects.filter(pk=item.pk).update(category="case_processing")
    presence.presence_mark(actor=world.editor, item=item, now=timezone.now())

    login(page, live_server.url, world.p.communications)
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/")
    page.get_by_label("Språk").select_option("nn")
    page.get_by_role("button", name="Bytt språk").click()
    expect(page.locator(".item-facts")).to_contain_text("Krev sakshandsaming")
    reply = page.locator("#svar")
    expect(reply.get_by_role("link", name="Stadfest mottak (DI-2)")).to_be_visible()
    # Indre Fosen's guideline has no DI-8: the template is named without a rule id.
    political = reply.get_by_role("link", name="Vis vidare til politisk nivå", exact=True)
    expect(political).to_be_visible()
    expect(reply.get_by_role("link", name="Henvis til politisk nivå", exact=True)).to_have_count(0)
    expect(page.locator("#presence")).to_contain_text(
        f"{world.editor.get_full_name()} skriv eit svar her"
    )
    expect(page.locator("#presence")).to_contain_text("Snakk saman før du svarar")
    assert_accessible(page)
