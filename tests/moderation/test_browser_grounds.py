"""No deletion ground is chosen in advance on any item page (#15; MO-1: "svært høy
terskel for å slette"), in Debian's Chromium with axe-core.

The issue found the ground ticked from the automatic category on 8 of 40 demo item
pages (hateful speech). Here every category the triage gives, the hateful ones first,
is opened as the moderator would: the suggestion is shown as a suggestion, and no radio
button of the ground group is checked until a person checks it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.inbox.models import InboxItem
from tests.browser_support import assert_accessible, login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENTS = [
    # (text, the category the item is given, as triage would)
    ("Innvandrerne er en pest for bygda. Jag dem ut!", "hate_speech"),
    ("Du er en idiot, rektor, og burde sparkes i dag.", "harassment"),
    ("Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst", "spam"),
    ("Naboen min Per Olsen på Vollan har fått barnevernet på døra.", "third_party"),
    ("Når åpner svømmehallen igjen etter ferien?", "question"),
]


def test_no_ground_is_checked_on_any_item_page(page: Page, live_server):
    world = make_world("grunnby", "indre-fosen")
    items = []
    for n, (text, category) in enumerate(COMMENTS):
        item = citizen_comment(world.channel, text, author=(f"sim-user-{n}", f"Innbygger {n}"))
        InboxItem.objects.filter(pk=item.pk).update(category=category)
        items.append(item)
    login(page, live_server.url, world.p.communications)
    for item in items:
        page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/")
        grounds = page.locator("#mod-delete-form")
        expect(grounds.locator("input[name=ground]").first).to_be_attached()
        expect(grounds.locator("input[name=ground]:checked")).to_have_count(0)
        expect(page.get_by_role("button", name="Gå videre til sletting")).to_be_visible()
    # The hateful one says what the automatic category suggests, as a suggestion only.
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/{items[0].pk}/")
    expect(page.locator(".mod-suggestion").first).to_be_visible()
    expect(page.locator("#mod-delete-form input[name=ground]:checked")).to_have_count(0)
    assert_accessible(page)
