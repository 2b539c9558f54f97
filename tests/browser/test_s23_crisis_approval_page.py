"""The crisis leader's approval (PU-12, session 23), in Debian's headless Chromium: the
crisis page's queue and the approval's confirmation now show all of the post — its link,
its image with the alternative text, when it goes out and its findings — and pass
axe-core (WCAG 2.1 AA) at the desktop width; on a 390 px phone they do not scroll
sideways, pass axe again, and the primary action is reached with Tab (WCAG 1.4.10,
2.1.1, 2.4.3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.browser.test_s19_pages import check_page
from tests.browser_support import login
from tests.publishing.conftest import make_world, person_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = "https://indrefosen.kommune.no/flom-oppdatering"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there


def test_pu12_the_queue_and_the_confirmation_show_the_whole_post(page: Page, live_server):
    world = make_world("s23-nett-krise")
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    photo, _consent = person_photo(world)
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Flommen i sentrum: Elvegata er stengt til fredag.",
        links=[LINK],
        media_ids=[photo.pk],
        publish_at=timezone.now() + timedelta(days=3),
    )
    post = post_publish(actor=world.editor, post_id=post.pk, override_reason="ok")
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.crisis_leader)

    page.goto(f"{base}/m/{slug}/krise/")
    queue = page.locator(".crisis-queue")
    expect(queue).to_contain_text(LINK)
    expect(queue).to_contain_text("«Folk utenfor biblioteket»")
    approve = page.get_by_role("link", name="Godkjenn …")
    check_page(page, approve)
    approve.click()

    expect(page.get_by_role("heading", name="Bekreft: godkjenn")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(LINK)
    expect(main).to_contain_text("biblioteket.png – alternativ tekst: «Folk utenfor biblioteket»")
    expect(main).to_contain_text("Godkjenningen føres i kriseloggen.")
    expect(page.get_by_role("heading", name="Sjekk mot retningslinjen")).to_be_visible()
    check_page(page, page.get_by_role("button", name="Godkjenn og publiser"))
