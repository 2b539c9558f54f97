"""The policy settings page's new refusal (review s20), in Debian's headless Chromium: a
save from a page opened before someone else's save is refused, the page shows why at the
top and at the rule's form with the values in force, and it passes axe-core at the
browser's width and at 390 px without sideways scrolling (WCAG 1.4.10); the rule's save
button is reached from the keyboard. PU-12's settings are shown read-only to
communications, with why (they are the chief administrator's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ordstyrer.tenants.selectors import policy_for, policy_versions
from ordstyrer.tenants.services import policy_update
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.conftest import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
STALE = "Retningslinjen er endret siden du åpnet siden"


def tab_to(page: Page, target: Locator, *, limit: int = 300) -> None:
    """Press Tab from the top of the page until `target` has the focus (WCAG 2.1.1), and
    see it in the viewport."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError(f"{page.url}: Tab never reached {target}")
    expect(target).to_be_in_viewport()


def test_a_save_after_someone_elses_is_refused_with_the_values_in_force(page: Page, live_server):
    p = make_personas("s20nettleser", "indre-fosen")
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.communications)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/innstillinger/")
    di1 = page.locator("section", has=page.locator("#rule-DI-1"))
    expect(di1).to_be_visible()

    # The chief administrator saves DI-1 while this page is open (at version 0).
    policy_update(
        actor=p.chief_administrator,
        municipality=p.municipality,
        overrides={"DI-1": {"first_response_hours": 2.0, "answer_hours": 4.0}},
        reason="Raskere svar",
        expected_version=0,
    )

    di1.get_by_label("Første svar innen (arbeidstimer)").fill("1")
    di1.get_by_label("Hvorfor endres dette?").fill("Bekreft innen en time")
    save = di1.get_by_role("button", name="Lagre")
    tab_to(page, save)
    page.keyboard.press("Enter")

    expect(page.locator(".messages").get_by_text(STALE)).to_be_visible()
    di1 = page.locator("section", has=page.locator("#rule-DI-1"))
    expect(di1.get_by_role("alert")).to_contain_text(STALE)
    expect(di1.get_by_label("Ferdig besvart innen (arbeidstimer)")).to_have_value("4.0")
    expect(di1.get_by_label("Første svar innen (arbeidstimer)")).to_have_value("2.0")
    expect(di1.get_by_label("Hvorfor endres dette?")).to_have_value("Bekreft innen en time")
    assert policy_for(municipality=p.municipality).response_targets().answer_hours == 4.0
    assert [v.number for v in policy_versions(municipality=p.municipality)] == [1]

    assert_fits(page)
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)

    # PU-12 is the chief administrator's: read-only here, with why.
    crisis = page.locator("section", has=page.locator("#rule-PU-12"))
    expect(
        crisis.get_by_text("Bare kommunedirektøren kan endre kriseinnstillingene")
    ).to_be_visible()
    expect(crisis.get_by_role("button", name="Lagre")).to_have_count(0)

    # Saved again from the page as it now stands, the change goes through.
    page.set_viewport_size(PHONE)
    di1.get_by_label("Første svar innen (arbeidstimer)").fill("1")
    di1.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Retningslinjen er lagret som versjon 2.")).to_be_visible()
    assert_fits(page)
    targets = policy_for(municipality=p.municipality).response_targets()
    assert (targets.first_response_hours, targets.answer_hours) == (1.0, 4.0)
