"""The start page's crisis sections in Chromium (PU-12): what waits for the crisis leader
and the posts a crisis paused pass axe-core and fit a phone's 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.publishing.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATER_TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
DURING = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"


def _publish(world, text: str, **extra):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=text,
        **extra,
    )
    return post_publish(actor=world.editor, post_id=post.pk)


def test_the_crisis_sections_of_the_start_page_are_accessible_on_a_phone(page, live_server):
    world = make_world("krisestart")
    paused = _publish(world, LATER_TEXT, publish_at=timezone.now() + timedelta(hours=2))
    assert paused.status == PostStatus.SCHEDULED
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    waiting = _publish(world, DURING)
    assert waiting.status == PostStatus.AWAITING_CRISIS_APPROVAL
    start = f"{live_server.url}{reverse('dashboard', args=[world.municipality.slug])}"
    page.set_viewport_size(PHONE)

    login(page, live_server.url, world.p.crisis_leader)
    page.goto(start)
    waits = page.get_by_role("link", name="1 innlegg venter på godkjenning fra kriseleder (PU-12).")
    expect(waits).to_be_visible()
    assert_fits(page)
    assert_accessible(page)

    login(page, live_server.url, world.editor)
    page.goto(start)
    expect(
        page.get_by_text("Satt på pause (krise): «Biblioteket har nye åpningstider")
    ).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
