"""Moderation in Debian's headless Chromium, axe-core on every page: a moderator hides a
spam comment, then deletes it on the municipality's own ground, sees the notice go out
to the author (MO-4) and finds the record in the archive (MO-2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.moderation.models import ModerationAction, ModerationSettings
from tests.browser_support import assert_accessible, login
from tests.moderation.conftest import citizen_comment, make_world, messages_off_next, on_platform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"


def test_hide_then_delete_then_find_it_in_the_archive(page: Page, live_server):
    world = make_world("nettmod", "indre-fosen")
    item = citizen_comment(world.channel, SPAM)  # on the simulated page, polled in, triaged
    assert item.category == "spam"
    base, slug = live_server.url, world.municipality.slug
    moderator = world.p.communications
    login(page, base, moderator)

    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    panel = page.locator("#moderering")
    expect(panel.get_by_role("heading", name="Moderering")).to_be_visible()
    expect(page.locator("#mod-state")).to_contain_text("Synlig på plattformen.")
    # The allowed grounds, beside the guideline's own words.
    grounds = panel.get_by_role("group", name="Grunnlag for sletting (MO-1)")
    expect(grounds.get_by_label("Hatefulle ytringer (straffeloven § 185)")).to_be_visible()
    expect(grounds.get_by_label("I strid med norsk lov")).to_have_count(0)
    expect(panel.locator("#mod-delete-form blockquote.citation")).to_contain_text(
        "Terskelen for å slette kommentarer eller utestenge enkeltpersoner"
    )
    # The automatic category is a suggestion with its reason; no ground is chosen.
    expect(panel.locator(".mod-suggestion").first).to_contain_text("«Spam»")
    expect(panel.locator("input[name=ground]:checked")).to_have_count(0)
    assert_accessible(page)

    # 1. Hide first.
    panel.get_by_role("button", name="Skjul kommentaren").click()
    expect(page.get_by_text("Kommentaren skjules på plattformen.")).to_be_visible()
    expect(page.locator("#mod-state")).to_contain_text("Skjult på plattformen.")
    assert on_platform(world.channel, item.platform_id)["hidden"] is True
    assert_accessible(page)

    # 2. Delete on an allowed ground, with a justification.
    form = page.locator("#mod-delete-form")
    form.get_by_label("Spam", exact=True).check()
    form.get_by_label("Begrunnelse").fill("Reklame for pengespill, lagt inn på flere innlegg.")
    form.get_by_role("button", name="Gå videre til sletting").click()
    # A deliberate act (MO-1): what is archived, the ground in Indre Fosen's own words and
    # the notice (MO-4) — nothing is done before «Bekreft sletting».
    expect(page.get_by_role("heading", name="Bekreft sletting")).to_be_visible()
    expect(page.locator("main")).to_contain_text(SPAM)
    expect(page.locator("blockquote.citation")).to_contain_text(
        "Terskelen for å slette kommentarer eller utestenge enkeltpersoner"
    )
    expect(page.locator("main")).to_contain_text("Vi har slettet en kommentar du skrev")
    assert not ModerationAction.objects.filter(kind="delete").exists()
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft sletting").click()
    expect(page.get_by_text("Kommentaren er arkivert og slettes nå.")).to_be_visible()
    expect(page.locator("#mod-state")).to_contain_text("Slettet fra plattformen.")
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    # The notice went out, in the author's written standard, and shows in the log.
    action = ModerationAction.objects.get(kind="delete")
    expect(page.locator(".mod-history")).to_contain_text("beskjed: sendt")
    expect(page.locator("#logg")).to_contain_text("Beskjed sendt til forfatteren (MO-4)")
    expect(page.locator("#logg")).to_contain_text(action.notice_text)
    assert_accessible(page)

    # 3. The moderation log, the steps, and the record in the archive.
    page.get_by_role("link", name="Modereringsloggen").click()
    expect(page.get_by_role("heading", name="Modereringslogg")).to_be_visible()
    row = page.locator("table.mod-log tbody tr").first
    expect(row).to_contain_text("Slettet")
    expect(row).to_contain_text("Spam")
    expect(row).to_contain_text(moderator.get_full_name())
    assert_accessible(page)
    row.get_by_role("link", name="Slettet").click()
    expect(page.get_by_role("heading", name="Stegene på plattformen")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Si fra privat til forfatteren")
    expect(page.locator("dl")).to_contain_text(action.notice_text)
    assert_accessible(page)
    page.get_by_role("link", name=f"nr. {action.archive_record.sequence}").click()
    expect(page.locator("main")).to_contain_text(SPAM)
    expect(page.locator("main")).to_contain_text("Spam")
    expect(page.locator("main")).to_contain_text("Slettet kommentar")
    assert_accessible(page)

    # The report by ground and month (MO-1): the deletion is counted under its ground.
    page.goto(f"{base}/m/{slug}/moderering/")
    page.get_by_role("link", name="Rapport etter grunnlag og måned").click()
    expect(page.get_by_role("table").first).to_contain_text("Spam")
    assert_accessible(page)

    # The settings: the second approver, the notice, rules that cannot delete.
    page.goto(f"{base}/m/{slug}/moderering/innstillinger/")
    expect(page.get_by_label("Sletting må godkjennes av en person til")).to_be_visible()
    expect(page.get_by_text("aldri sletting")).to_be_visible()
    assert_accessible(page)


def test_a_failed_notice_is_visible_and_is_sent_again_privately(page: Page, live_server):
    """MO-4 (#15): the notice of a ban fails; the item shows it with retry, copy and
    "given another way"; sent again as a private reply, it arrives."""
    from ordstyrer.moderation import bans

    world = make_world("nettvarsel", "indre-fosen")
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)
    ban = bans.author_ban(
        actor=world.main_admin,
        item=item,
        ground="spam",
        justification="Reklame for pengespill, lagt inn på flere innlegg.",
    )
    ban.refresh_from_db()
    assert ban.notice_state == "failed"
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.main_admin)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    box = page.locator(".mod-notice-failed")
    expect(box).to_contain_text("Beskjeden til forfatteren kom ikke fram (MO-4)")
    expect(box).to_contain_text("Meldinger er slått av for siden.")
    expect(box.get_by_role("button", name="Kopier teksten")).to_be_visible()
    expect(box.get_by_label("Gitt på en annen måte – hvordan?")).to_be_visible()
    assert_accessible(page)
    box.get_by_role("button", name="Send som privat melding").click()
    expect(page.get_by_text("Beskjeden sendes på nytt som privat melding.")).to_be_visible()
    expect(page.locator(".mod-notice-failed")).to_have_count(0)
    expect(page.locator(".mod-history")).to_contain_text("beskjed: sendt")
    ban.refresh_from_db()
    assert (ban.notice_state, ban.notice_via) == ("sent", "private_reply")
    assert_accessible(page)


def test_a_short_justification_is_kept_and_the_second_approver_confirms(page: Page, live_server):
    """QA 2027-01, findings 1 and 2: a refused deletion keeps its ground and text beside
    the error; the second approver sees the comment, the ground and the notice before
    the click that deletes, and may reject from the same page."""
    world = make_world("nettgodkj", "indre-fosen")
    ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
    item = citizen_comment(world.channel, SPAM)
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.admin)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    form = page.locator("#mod-delete-form")
    form.get_by_label("Spam", exact=True).check()
    form.get_by_label("Begrunnelse").fill("Spam")
    form.get_by_role("button", name="Gå videre til forslag om sletting").click()
    form = page.locator("#mod-delete-form")
    expect(form.locator(".field-error")).to_contain_text("minst 10 tegn")
    expect(form.get_by_label("Begrunnelse")).to_have_value("Spam")
    expect(form.get_by_label("Spam", exact=True)).to_be_checked()
    expect(page.locator("main")).to_contain_text(SPAM)
    assert_accessible(page)
    form.get_by_label("Begrunnelse").fill("Reklame for pengespill, lagt inn på flere innlegg.")
    form.get_by_role("button", name="Gå videre til forslag om sletting").click()
    page.get_by_role("button", name="Bekreft sletting").click()
    expect(page.locator("#mod-state")).to_contain_text("sletting venter på godkjenning")

    login(page, base, world.main_admin)
    page.goto(f"{base}/m/{slug}/moderering/?vis=waiting")
    page.get_by_role("link", name="Godkjenn …").click()
    expect(page.get_by_role("heading", name="Godkjenn sletting", exact=True)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(SPAM)
    expect(main).to_contain_text("Reklame for pengespill, lagt inn på flere innlegg.")
    expect(main).to_contain_text("Hei Ola! Vi har slettet en kommentar du skrev på «Skolen».")
    expect(page.get_by_label("Hvorfor avvises slettingen?")).to_have_value("")
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft sletting").click()
    expect(page.get_by_text("Slettingen er godkjent")).to_be_visible()
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    assert_accessible(page)
