"""This session's new page states in a real Chromium (the approach of
test_s20_role_remove_page.py): axe-core finds no WCAG 2.1 AA violation at the desktop
width and at 390 px, and nothing scrolls sideways on a phone.

- The closure page of a closure in effect whose platform steps failed (CH-9): the comment
  the platform refused to hide, the one still to be tried, the post not switched off, the
  notice and the «Prøv igjen på plattformen» button.
- The console's 405 page: a POST-only address opened as a page.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.channels.models import (
    Closure,
    ClosureHiddenComment,
    ClosurePostSwitch,
    ClosureState,
)
from tests.browser.test_s20_role_remove_page import check_page, tab_to
from tests.browser_support import PHONE, login
from tests.channels.conftest import active_channel
from tests.channels.test_closures import SwitchingPlatform
from tests.conftest import make_personas

REFUSED = "Simulert: mangler tillatelse til å skjule kommentarer."


def _closed_now(page: Page, base: str, slug: str, channel) -> Closure:
    """Closed for comments from a minute ago, through the console (CH-9)."""
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/stenging/")
    now = timezone.localtime()
    page.get_by_label("Hvorfor stenges kanalen?").fill("Vannlekkasje i biblioteket")
    page.get_by_label("Stenges fra").fill((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Åpnes igjen").fill((now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Lagre stengingen").click()
    page.get_by_role("button", name="Bekreft: steng kanalen nå").click()
    expect(page.get_by_text("Kanalen er stengt for kommentarer til")).to_be_visible()
    closure = Closure.objects.get(channel=channel)
    assert closure.state == ClosureState.IN_EFFECT
    return closure


def test_ch9_the_closure_page_with_failed_platform_steps_is_accessible_on_a_phone(
    page: Page, live_server, settings
) -> None:
    platform = SwitchingPlatform()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(platform),
    }
    p = make_personas("feilby", "indre-fosen")
    channel = active_channel(p, name="Feilby bibliotek")
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    closure = _closed_now(page, base, slug, channel)
    now = timezone.now()
    ClosureHiddenComment.objects.create(
        closure=closure,
        comment_id="c-refused",
        arrived_at=now,
        note=REFUSED,
        attempts=1,
        failed=True,
    )
    ClosureHiddenComment.objects.create(
        closure=closure,
        comment_id="c-later",
        arrived_at=now,
        note="Tidsavbrudd",
        attempts=1,
        retry_at=now + timedelta(minutes=5),
    )
    ClosurePostSwitch.objects.create(
        closure=closure, post_id="p-refused", queued_at=now, note=REFUSED, attempts=1, failed=True
    )

    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/stenging/")
    main = page.locator("main")
    expect(main).to_contain_text(REFUSED)
    expect(main).to_contain_text("ikke skjult ennå, prøves igjen")
    expect(main).to_contain_text("Innlegg der kommentarene ikke er slått av")
    check_page(page)
    retry = page.get_by_role("button", name="Prøv igjen på plattformen")
    tab_to(page, retry)
    expect(retry).to_be_in_viewport()


def test_the_405_page_is_accessible_on_a_phone(page: Page, live_server) -> None:
    p = make_personas("utlogget", "indre-fosen")
    channel = active_channel(p, name="Utlogget kulturhus")
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.set_viewport_size(PHONE)

    # A POST-only address opened as a page: the console's own 405, in Norwegian.
    url = reverse("channels:act", args=[slug, channel.pk])
    response = page.goto(f"{base}{url}")
    assert response is not None and response.status == 405
    expect(page.get_by_role("heading", name="Siden kan ikke åpnes slik")).to_be_visible()
    check_page(page)
