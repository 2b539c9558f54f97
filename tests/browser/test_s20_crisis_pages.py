"""Pages changed in the S20 review of crisis mode, in Debian's headless Chromium: axe-core
finds no WCAG 2.1 AA violation at the browser's own width, and on a 390 px phone the page
does not scroll sideways, passes axe again, and its primary action is reached with Tab
and shown in the viewport (WCAG 1.4.10, 2.1.1, 2.4.3).

- The delete confirmation during a crisis: the public notice that waits for the crisis
  leader (MO-4, PU-12).
- The crisis page and the start page pointing to a notice held for the crisis leader,
  and the end's confirmation saying it still waits (PU-12)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.moderation.models import NoticeState
from ordstyrer.moderation.services import comment_delete
from tests.browser.test_s19_pages import check_page
from tests.browser_support import login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUMOUR = "Jeg har hørt at rektor på skolen er tatt for underslag, det vet alle."
WHY = "Rykte om en navngitt person, uten grunnlag."


@pytest.fixture(autouse=True)
def _settings(settings):
    """Tasks queued on commit run at once (in the live server's thread for a request)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _in_crisis(slug: str):
    world = make_world(slug, preset="birkenes")
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    return world


def test_the_delete_confirmation_in_a_crisis(page: Page, live_server):
    world = _in_crisis("s20-nett-slett")
    item = citizen_comment(world.channel, RUMOUR)
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.admin)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    form = page.locator("#mod-delete-form")
    form.locator("input[name=ground][value=rumour]").check()
    form.get_by_label("Begrunnelse").fill(WHY)
    form.get_by_role("button", name="Gå videre til sletting").click()
    expect(page.get_by_role("heading", name="Bekreft sletting")).to_be_visible()
    notice = page.locator("#confirm-notice").locator("..")
    expect(notice).to_contain_text("sendes først når kriselederen har godkjent den (PU-12)")
    expect(notice).to_contain_text("som en offentlig kommentar på innlegget")
    expect(notice).not_to_contain_text("som en privat melding")
    check_page(page, page.get_by_role("button", name="Bekreft sletting"))


def test_the_crisis_pages_point_to_a_held_notice(page: Page, live_server):
    world = _in_crisis("s20-nett-krise")
    item = citizen_comment(world.channel, RUMOUR)
    action = comment_delete(
        actor=world.admin, item=item, ground="rumour", justification=WHY, notify=True
    )
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.crisis_leader)
    held = "1 beskjed til en forfatter om en sletting eller utestenging"

    page.goto(f"{base}/m/{slug}/krise/")
    link = page.get_by_role("link", name=f"{held} venter på kriselederen (MO-4)")
    check_page(page, link)
    link.click()
    expect(page.get_by_role("heading", name="Beskjeder som venter på kriselederen")).to_be_visible()

    page.goto(f"{base}/m/{slug}/krise/avslutt/")
    expect(page.locator("main")).to_contain_text(f"{held} venter fortsatt på godkjenning")
    expect(page.get_by_role("link", name="Beskjeder som venter på kriselederen")).to_be_visible()
    check_page(page, page.get_by_role("button", name="Avslutt krisen"))

    page.goto(f"{base}/m/{slug}/")
    need = page.get_by_role("link", name="1 beskjed til en forfatter venter", exact=False)
    check_page(page, need.first)
