"""The archive browser in Debian's headless Chromium, axe-core on every page: search,
a record, the police package, an export run in the background and offered for download."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, inquiry, make_channel
from tests.browser_support import assert_accessible, login
from tests.conftest import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)


def test_archive_browser(page: Page, live_server):
    p = make_personas("arkivby")
    channel = make_channel(p, "Arkivby kommune")
    archive_append(actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY)
    archive_append(actor=p.employee, entry=inquiry(p, channel), backdated_to=DAY.replace(hour=11))
    base = live_server.url
    login(page, base, p.communications)

    page.get_by_role("link", name="Arkiv", exact=True).click()
    expect(page.get_by_role("heading", name="Arkiv", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="2 arkivposter")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Type").select_option("deleted_comment")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("heading", name="1 arkivpost")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Slettet kommentar fra Ola Nordmann").click()
    expect(page.get_by_text("Hashen stemmer")).to_be_visible()
    assert_accessible(page)

    # Nothing is chosen in advance (MO-3 is a deliberate act); a refused form (§ 185
    # without a ground a–e) keeps the provision and the note, with the reason on it.
    expect(page.locator("input[name=prepare-provision]:checked")).to_have_count(0)
    note = "Samme person har skrevet det samme før."
    page.get_by_label("Straffeloven § 185 – hatefulle ytringer").check()
    page.get_by_label("Merknad til politiet (valgfri)").fill(note)
    page.get_by_role("button", name="Klargjør bevispakke").click()
    expect(page.get_by_text("Kontroller skjemaet for bevispakken.")).to_be_visible()
    expect(page.get_by_text("Velg hvilket vern i straffeloven § 185 (a–e)")).to_be_visible()
    expect(page.get_by_label("Merknad til politiet (valgfri)")).to_have_value(note)
    expect(page.get_by_label("Straffeloven § 185 – hatefulle ytringer")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("a) hudfarge eller nasjonale eller etniske opprinnelse").check()
    page.get_by_role("button", name="Klargjør bevispakke").click()
    expect(page.get_by_text("Bevispakken er klargjort")).to_be_visible(timeout=30_000)
    assert_accessible(page)
    page.get_by_label("Politiets referanse").fill("24-4242")
    page.get_by_role("button", name="Registrer at saken er anmeldt").click()
    expect(page.get_by_text("24-4242")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tilbake til arkivet").click()
    page.get_by_role("link", name="Eksporter til arkivsystemet").click()
    expect(page.get_by_role("heading", name="Eksport til arkivsystemet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Noark 5 arkivuttrekk (v5.0)").check()
    page.get_by_label("Fra og med").fill("2025-05-01")
    page.get_by_label("Til og med").fill("2025-05-31")
    page.get_by_role("button", name="Start eksporten").click()
    expect(page.get_by_role("link", name="Last ned (2 poster")).to_be_visible(timeout=60_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned (2 poster").click()
    assert download.value.suggested_filename.endswith(".zip")


def test_screening_table_browser(page: Page, live_server):
    """AR-2: the archive office sets the legal basis the exports declare; axe-core clean."""
    p = make_personas("skjermby")
    base = live_server.url
    login(page, base, p.archivist)
    page.goto(f"{base}/m/{p.municipality.slug}/arkiv/")
    page.get_by_role("link", name="Skjerming i eksportene").click()
    expect(page.get_by_role("heading", name="Skjerming i eksportene", exact=True)).to_be_visible()
    assert_accessible(page)
    form = page.locator("section", has=page.get_by_role("heading", name="Endre: Anmeldt"))
    form.get_by_label("Skjermingshjemmel").fill("Offl. § 24 andre ledd")
    form.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("cell", name="Offl. § 24 andre ledd")).to_be_visible()
    assert_accessible(page)
