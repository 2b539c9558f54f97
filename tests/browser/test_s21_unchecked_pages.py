"""Three pages changed in session 20 and never seen in a browser, in Debian's headless
Chromium: axe-core finds no WCAG 2.1 AA violation at the browser's own width, and on a
390 px phone the page does not scroll sideways, passes axe again, and its key control is
reached with Tab, shown in the viewport and used from the keyboard (WCAG 1.4.10, 2.1.1,
2.4.3).

- The moderation pages' «Vis fødselsnummer på kommentarens side» (PU-1, MO-1; #18): the
  comment's national ID number masked as `******45660`; the link leads a person with
  the need (communications) to the item page's audited reveal, after which the approval
  page shows the number to them, and to no one else.
- The crisis end's confirmation to the chief administrator (rådmann), who ends the
  crisis in Birkenes but does not decide on the paused posts: it says who does (PU-12).
- The inbox item page's referral and DI-11 report notes: a national ID number in them is
  masked, and shown only to a person with the need who revealed it (PU-1, DI-10, DI-11).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.referrals import item_escalate
from ordstyrer.inbox.reports_unwanted import unwanted_report
from ordstyrer.moderation.models import ModerationSettings
from ordstyrer.moderation.services import comment_delete
from tests.browser.test_s19_pages import check_page
from tests.browser_support import login
from tests.crisis.test_s20_paused_decide import PAUSED, _paused_post
from tests.inbox.conftest import make_world as inbox_world
from tests.moderation.conftest import citizen_comment
from tests.moderation.conftest import make_world as moderation_world
from tests.publishing.conftest import make_world as publishing_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "15038545660"  # a valid synthetic fødselsnummer (tests/moderation/test_s20_reveal_ids)
MASKED = "******45660"
# The browser's own width, as check_page leaves the phone's set.
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
SHOWN = "Fødselsnummer vises i klartekst for deg i ti minutter. Visningen er logget."


@pytest.fixture(autouse=True)
def _settings(settings):
    """Tasks queued on commit run at once (in the live server's thread for a request);
    no Graph anywhere (the crisis world's channels are never called)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


def _shown(municipality, actor=None) -> int:
    """How many reveals of national ID numbers are audited (PU-1), by `actor` if given."""
    entries = AuditEntry.objects.filter(municipality=municipality, action="inbox_national_id_shown")
    return (entries.filter(actor=actor) if actor else entries).count()


# -------------------------------------------------- 1. the moderation pages' reveal link


def test_the_approval_page_links_to_the_audited_reveal_for_communications(
    page: Page, live_server
) -> None:
    """PU-1, MO-1: the channel's administrator asks to delete a comment holding a
    fødselsnummer; communications, the second approver, sees it masked with the link,
    follows it by keyboard to the item page, reveals there by keyboard (audited once, in
    their name) and sees the number on the approval page. The main administrator, who
    may moderate but not reveal, sees it masked with neither link nor button, also after
    communications revealed it; another municipality's person finds no page."""
    world = moderation_world("s21-nett-fnr")
    ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
    item = citizen_comment(world.channel, f"Naboen min heter Per og har fnr {NUMBER}.")
    action = comment_delete(
        actor=world.admin,
        item=item,
        ground="privacy_breach",
        justification=f"Inneholder fnr {NUMBER} til en tredjeperson",
    )
    assert action.status == "pending_approval"
    base, slug = live_server.url, world.municipality.slug
    item_path = reverse("inbox:detail", args=[slug, item.pk])
    item_url = f"{base}{item_path}"
    approve_url = f"{base}{reverse('moderation:approve', args=[slug, action.pk])}?next={item_path}"
    communications = world.p.communications

    login(page, base, communications)
    page.goto(approve_url)
    expect(page.get_by_role("heading", name="Godkjenn sletting", exact=True)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(MASKED)
    expect(main).not_to_contain_text(NUMBER)
    link = page.get_by_role("link", name="Vis fødselsnummer på kommentarens side")
    check_page(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{item_url}#thread-heading")
    assert _shown(world.municipality) == 0  # following the link reveals nothing

    reveal = page.get_by_role("button", name="Vis fødselsnummer", exact=True)
    check_page(page, reveal)
    page.keyboard.press("Enter")
    expect(page.get_by_text(SHOWN)).to_be_visible()
    expect(page.locator(".thread")).to_contain_text(NUMBER)
    assert _shown(world.municipality, communications) == 1
    assert _shown(world.municipality) == 1

    page.set_viewport_size(DESKTOP)
    page.goto(approve_url)
    expect(main).to_contain_text(f"Naboen min heter Per og har fnr {NUMBER}.")
    expect(main).to_contain_text(SHOWN)
    expect(link).to_have_count(0)
    check_page(page, page.get_by_role("button", name="Bekreft sletting"))
    assert _shown(world.municipality) == 1  # shown again, not revealed again

    # The main administrator: no reveal of their own, and none of communications'.
    login(page, base, world.main_admin)
    page.goto(approve_url)
    expect(page.get_by_role("heading", name="Godkjenn sletting", exact=True)).to_be_visible()
    expect(main).to_contain_text(MASKED)
    expect(main).not_to_contain_text(NUMBER)
    expect(link).to_have_count(0)
    page.goto(item_url)
    expect(page.locator(".thread")).to_contain_text(MASKED)
    expect(page.get_by_role("button", name="Vis fødselsnummer", exact=True)).to_have_count(0)
    assert NUMBER not in page.content()
    assert _shown(world.municipality) == 1

    login(page, base, world.p.outsider)
    response = page.goto(approve_url)
    assert response is not None and response.status in (403, 404)
    assert NUMBER not in page.content()


# -------------------------------------------------- 2. the crisis end's confirmation


def test_the_end_confirmation_tells_the_chief_administrator_who_decides(
    page: Page, live_server
) -> None:
    """PU-12 (Birkenes): the rådmann ends the crisis but does not decide on its paused
    posts; the confirmation names who does, never «til du har bestemt», and the end is
    confirmed from the keyboard. The crisis leader is told the posts are theirs."""
    w = publishing_world("s21-nett-slutt", "birkenes")
    _paused_post(w)
    base, slug = live_server.url, w.municipality.slug
    end_url = f"{base}{reverse('crisis:end', args=[slug])}"
    them = (
        "1 innlegg står på pause og blir stående til kriselederen, kommunikasjon eller "
        "forfatteren har bestemt hva som skal skje med det."
    )
    you = "1 innlegg står på pause og blir stående til du har bestemt hva som skal skje med det."

    login(page, base, w.p.crisis_leader)
    page.goto(end_url)
    consequences = page.locator("ul.consequence")
    expect(consequences).to_contain_text(you)
    expect(consequences).not_to_contain_text(them)

    login(page, base, w.p.chief_administrator)
    page.goto(end_url)
    expect(page.get_by_role("heading", name="Bekreft: avslutt krisen")).to_be_visible()
    expect(consequences).to_contain_text(them)
    expect(consequences).not_to_contain_text("til du har bestemt")
    expect(page.locator("main")).to_contain_text(PAUSED[:60])
    end = page.get_by_role("button", name="Avslutt krisen")
    check_page(page, end)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{reverse('crisis:index', args=[slug])}")
    expect(
        page.get_by_text(
            "Kriseleder, kommunikasjon eller forfatteren bestemmer hva som skal skje med "
            "hvert av innleggene på pause."
        )
    ).to_be_visible()
    assert not w.municipality.crises.filter(ended_at__isnull=True).exists()

    login(page, base, w.p.outsider)
    response = page.goto(end_url)
    assert response is not None and response.status in (403, 404)


# -------------------------------------------------- 3. the item page's masked notes


def test_the_item_page_masks_the_notes_until_communications_reveals(
    page: Page, live_server
) -> None:
    """PU-1, DI-10, DI-11 (Birkenes): an employee's report and its escalation, each note
    naming a fødselsnummer. The channel's editor sees both notes masked and no reveal;
    communications sees them masked, reveals from the keyboard (audited) and then sees
    the number in both; the editor still sees them masked."""
    w = inbox_world("s21-nett-notat", "birkenes")
    report = unwanted_report(
        actor=w.p.archivist,
        channel=w.channel,
        text=f"Noen la ut fnr {NUMBER} til en elev i kommentarene her.",
        note=f"Han oppga naboens fødselsnummer {NUMBER} i en annen tråd",
    )
    item_escalate(actor=w.editor, item=report, note=f"Innbyggeren skrev fnr {NUMBER} i en melding")
    base, slug = live_server.url, w.municipality.slug
    url = f"{base}{reverse('inbox:detail', args=[slug, report.pk])}"
    referrals = page.locator("h3:has-text('Henvisninger') + ul")
    reports = page.locator("h3:has-text('Meldt av ansatte (DI-11)') + ul")
    reveal = page.get_by_role("button", name="Vis fødselsnummer", exact=True)

    login(page, base, w.editor)
    page.goto(url)
    expect(referrals).to_contain_text(f"Innbyggeren skrev fnr {MASKED} i en melding")
    expect(reports).to_contain_text(f"naboens fødselsnummer {MASKED} i en annen tråd")
    assert NUMBER not in page.content()
    expect(reveal).to_have_count(0)
    check_page(page, page.get_by_role("button", name="Send til kommunikasjon"))

    login(page, base, w.p.communications)
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    expect(referrals).to_contain_text(f"Innbyggeren skrev fnr {MASKED} i en melding")
    expect(reports).to_contain_text(f"naboens fødselsnummer {MASKED} i en annen tråd")
    assert NUMBER not in page.content()
    check_page(page, reveal)
    page.keyboard.press("Enter")
    expect(page.get_by_text(SHOWN)).to_be_visible()
    expect(referrals).to_contain_text(f"Innbyggeren skrev fnr {NUMBER} i en melding")
    expect(reports).to_contain_text(f"naboens fødselsnummer {NUMBER} i en annen tråd")
    assert _shown(w.municipality, w.p.communications) == 1
    page.set_viewport_size(DESKTOP)
    check_page(page, page.get_by_role("link", name="Tilbake til innboksen"))

    login(page, base, w.editor)
    page.goto(url)
    expect(referrals).to_contain_text(MASKED)
    expect(reports).to_contain_text(MASKED)
    assert NUMBER not in page.content()

    login(page, base, w.p.outsider)
    response = page.goto(url)
    assert response is not None and response.status in (403, 404)
    assert NUMBER not in page.content()
