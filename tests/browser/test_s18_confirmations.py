"""Pages added in round 17, in Debian's headless Chromium: axe-core at desktop width and
on a 390 px phone, without sideways scrolling. The retire confirmation (CH-1, CH-3), the
confirmation before a single sign-on group mapping is removed (CH-3) and the closures
page with a closure waiting for its notice and one the platform failed to reopen (CH-9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.channels import services
from ordstyrer.channels.models import Closure, ClosureState, CommentMode
from ordstyrer.sso.models import GroupRoleMapping
from ordstyrer.sso.services import group_map
from ordstyrer.tenants.models import Role
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_both_widths(page: Page) -> None:
    """axe-core at the browser's own width, then at 390 px (fits, axe again)."""
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)
    if desktop:
        page.set_viewport_size(desktop)


def test_the_retire_confirmation_is_accessible_and_retires_only_when_confirmed(
    page: Page, live_server
):
    p = make_personas("avvikleby", "indre-fosen")
    channel = active_channel(p)
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/")
    page.locator('[name="retire-reason"]').fill("Skolen er lagt ned og slått sammen med en annen.")
    page.get_by_role("button", name="Gå videre til avvikling").click()
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    check_both_widths(page)
    channel.refresh_from_db()
    assert channel.status == "active"  # nothing done by the first step

    page.get_by_role("button", name="Bekreft avvikling").click()
    expect(page.get_by_text("Kanalen er avviklet.")).to_be_visible()
    channel.refresh_from_db()
    assert channel.status == "retired"


def test_the_sso_mapping_removal_asks_first_on_desktop_and_phone(page: Page, live_server):
    p = make_personas("koblingsby", "indre-fosen")
    mapping = group_map(
        actor=None, municipality=p.municipality, group="sg-krise", role=Role.CRISIS_LEADER
    )
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.communications)
    page.goto(f"{base}/m/{slug}/innstillinger/sso/")
    check_both_widths(page)
    page.get_by_role("link", name="Fjern koblingen for sg-krise").click()
    expect(page.get_by_text("Ingenting er gjort ennå.")).to_be_visible()
    check_both_widths(page)
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()

    page.get_by_role("button", name="Fjern koblingen").click()
    expect(page.get_by_text("Koblingen er fjernet")).to_be_visible()
    assert not GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_the_closures_page_waiting_and_failed_states_are_accessible(page: Page, live_server):
    p = make_personas("stengeby", "gausdal")  # Gausdal's guideline applies CH-9's notice
    channel = active_channel(p)
    now = timezone.now()
    waiting = services.closure_schedule(
        actor=p.employee,
        channel=channel,
        reason="Sommerferie",
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=14),
    )
    # Its time has come, and its notice is not marked as published.
    Closure.objects.filter(pk=waiting.pk).update(starts_at=now - timedelta(minutes=5))
    failed = Closure.objects.create(
        channel=channel,
        reason="Høstferie",
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=2),
        state=ClosureState.ENDED,
        comment_mode=CommentMode.FAILED,
        switched_post_ids=["post-1", "post-2"],
        platform_note="Tilgangen til siden er trukket tilbake.",
        created_by=p.employee,
        created_at=now - timedelta(days=10),
        started_at=now - timedelta(days=9),
        ended_at=now - timedelta(days=2),
        notice_published_at=now - timedelta(days=9, hours=1),
    )
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/stenging/")
    expect(page.locator(f"#closure-{waiting.pk}")).to_contain_text(
        "Venter på at beskjeden publiseres"
    )
    expect(page.get_by_role("button", name="Prøv å slå på kommentarene igjen")).to_be_visible()
    check_both_widths(page)
    assert Closure.objects.get(pk=failed.pk).comment_mode == CommentMode.FAILED
