"""The confirmation before a person's role on a channel is taken away (CH-3, session 20), in
Debian's headless Chromium: axe-core finds no WCAG 2.1 AA violation at the desktop width;
on a 390 px phone the page does not scroll sideways, passes axe again, and its
confirmation is reached with Tab, shown in the viewport and used from the keyboard
(WCAG 1.4.10, 2.1.1, 2.4.3). The page of the last active main administrator, which offers
no confirmation, passes the same checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.channels.conftest import active_channel
from tests.conftest import make_personas
from tests.factories import person_with_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def tab_to(page: Page, target: Locator, *, limit: int = 300) -> None:
    """Press Tab from the top of the page until `target` has the focus (WCAG 2.1.1), then
    see it shown in the viewport."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError(f"{page.url}: Tab never reached {target}")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()


def check_page(page: Page) -> None:
    """axe at the desktop width; at 390 px no sideways scrolling and axe again. Leaves
    the phone's viewport set."""
    expect(page.locator("h1")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)


def test_ch3_the_role_removal_is_confirmed_on_a_phone_from_the_keyboard(
    page: Page, live_server
) -> None:
    """CH-3: «Fjern …» on the channel page opens the confirmation (nothing removed yet);
    it names who loses which role where and what follows; «Bekreft: fjern rollen» is
    reached with Tab on a phone and removes the role."""
    p = make_personas("fjerneby", "indre-fosen")
    channel = active_channel(p, name="Fjerneby kulturskole")  # p.employee: main admin
    editor = person_with_roles(
        p.municipality, username="fjerneby-red", first_name="Nils", last_name="Langnavn-Berg"
    )
    services.channel_role_set(
        actor=p.employee, channel=channel, user=editor, role=ChannelRole.EDITOR
    )
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/")
    remove = page.get_by_role("link", name="Fjern Nils Langnavn-Berg")
    tab_to(page, remove)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(
        "Nils Langnavn-Berg mister rollen «Redaktør» på kanalen «Fjerneby kulturskole»"
    )
    expect(main).to_contain_text("publisere innlegg i kommunens navn")
    assert channel.memberships.filter(user=editor).exists()  # nothing done yet
    check_page(page)

    confirm = page.get_by_role("button", name="Bekreft: fjern rollen")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Rollen er fjernet.")).to_be_visible()
    assert not channel.memberships.filter(user=editor).exists()
    assert_fits(page)


def test_ch3_the_last_main_admin_page_says_what_to_do(page: Page, live_server) -> None:
    """CH-3: the last active main administrator's page says why it cannot be done and
    links to the roles; no confirmation is offered."""
    p = make_personas("sisteby", "indre-fosen")
    channel = active_channel(p, name="Sisteby bibliotek")
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.communications)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/roller/{p.employee.pk}/fjern/")
    expect(page.locator("main")).to_contain_text("Rollen kan ikke fjernes nå.")
    expect(page.get_by_role("button", name="Bekreft: fjern rollen")).to_have_count(0)
    check_page(page)
    tab_to(page, page.get_by_role("link", name="Til rollene på kanalen"))
    assert channel.memberships.filter(user=p.employee).exists()
