"""The console on a phone (#15): inbox, item, moderation log and the confirmation of a
deletion are usable at 390 px without horizontal scrolling (cards instead of tables),
and pass axe at that width."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.moderation import services
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst-med-en-veldig-lang-lenke"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_inbox_item_and_moderation_fit_a_390_px_phone(page: Page, live_server):
    world = make_world("mobilby", "indre-fosen")
    items = [
        citizen_comment(world.channel, SPAM),
        citizen_comment(
            world.channel,
            "Når åpner svømmehallen igjen etter ferien? " * 4,
            author=("u-2", "Kari Langnavn-Etternavnesen"),
        ),
        citizen_comment(world.other_channel, "Tusen takk!", author=("u-3", "Per")),
    ]
    services.comment_hide(actor=world.admin, item=items[0], justification="Vurderes.")
    services.comment_delete(
        actor=world.p.communications, item=items[1], ground="privacy_breach", justification=WHY
    )
    assert timezone.now()
    page.set_viewport_size(PHONE)
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.communications)
    for url in (
        f"{base}/m/{slug}/",
        f"{base}/m/{slug}/innboks/",
        f"{base}/m/{slug}/innboks/?vis=all",
        f"{base}/m/{slug}/innboks/{items[0].pk}/",
        f"{base}/m/{slug}/innboks/{items[2].pk}/",
        f"{base}/m/{slug}/moderering/",
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_fits(page)
        assert_accessible(page)
    # The confirmation of a deletion, on the phone.
    page.goto(f"{base}/m/{slug}/innboks/{items[0].pk}/")
    form = page.locator("#mod-delete-form")
    form.get_by_label("Spam", exact=True).check()
    form.get_by_label("Begrunnelse").fill(WHY)
    form.get_by_role("button", name="Gå videre til sletting").click()
    expect(page.get_by_role("heading", name="Bekreft sletting")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
