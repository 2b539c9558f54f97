"""#15 in the browser: the start page says what needs me (axe-clean, counts that link to
the lists), and the Nynorsk console names categories in Nynorsk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.inbox.models import InboxItem
from tests.browser_support import assert_accessible, login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_start_page_and_nynorsk_categories(page: Page, live_server):
    world = make_world("startby", "indre-fosen")
    late = citizen_comment(world.channel, "Når åpner svømmehallen?")
    hate = citizen_comment(
        world.channel, "Innvandrerne er en pest for bygda. Jag dem ut!", author=("u-9", "X Y")
    )
    InboxItem.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
    InboxItem.objects.filter(pk=hate.pk).update(category="hate_speech")
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.communications)
    page.goto(f"{base}/m/{slug}/")
    needs = page.locator("section.needs")
    expect(needs.get_by_role("heading", name="Dette venter på deg")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Moderering")
    ).to_be_visible()
    assert_accessible(page)
    needs.get_by_role("link", name="1 henvendelse har passert fristen.").click()
    expect(page.get_by_role("heading", name="Innboks", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"frist=passert"))

    # The Nynorsk console.
    page.goto(f"{base}/m/{slug}/innboks/{hate.pk}/")
    page.get_by_label("Språk").select_option("nn")
    page.get_by_role("button", name="Bytt språk").click()
    expect(page.locator(".item-facts")).to_contain_text("Hatefulle ytringar")
    assert_accessible(page)
