"""The inbox in Debian's headless Chromium, axe-core on every page: a comment arrives →
triaged → acknowledged → answered with the editor's signature (DI-9) → the report shows
it answered in time (DI-1)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.inbox.models import InboxItem, Reply
from tests.browser_support import assert_accessible, login
from tests.inbox.conftest import comment, ingest, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_comment_to_answered_in_time(page: Page, live_server, fake_platform):
    world = make_world("nettinn", "gausdal")  # Gausdal: sign with your first name (DI-9)
    # The comment arrives the way every comment does (webhook, poll): inbox_ingest. The
    # time is the wall clock's on purpose: the live server runs on it, and an answer given
    # right away is in time whatever the hour.
    arrived = ingest(
        world.channel,
        comment("c1", "Hei! Når åpner svømmehallen igjen etter ferien?", created=None),
        timezone.now(),
    )
    assert arrived.category == "question"  # triaged on arrival
    base = live_server.url
    slug = world.municipality.slug
    login(page, base, world.editor)

    page.get_by_role("link", name="Innboks").click()
    expect(page.get_by_role("heading", name="Innboks", exact=True)).to_be_visible()
    expect(page.locator(".inbox-row")).to_have_count(1)
    expect(page.get_by_text("Hurtigtaster", exact=True)).to_be_visible()
    assert_accessible(page)

    # Keyboard, with focus in the list (WCAG 2.1.4: nowhere else): j focuses the first
    # item, a assigns it to me.
    page.locator(".inbox-row input[type=checkbox]").first.focus()
    page.keyboard.press("j")
    expect(page.locator("a.item-link").first).to_be_focused()
    page.keyboard.press("a")
    expect(page.get_by_text("Utført for 1 henvendelse.")).to_be_visible()
    expect(page.locator(".inbox-row")).to_contain_text(world.editor.get_full_name())
    assert_accessible(page)

    # r opens the reply: the suggested acknowledgement, signed "Hilsen Sigrid".
    page.locator(".inbox-row input[type=checkbox]").first.focus()
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.get_by_role("heading", name="Svar", exact=True)).to_be_visible()
    expect(page.locator(".item-facts")).to_contain_text("Spørsmål")
    reply = page.get_by_label("Svartekst")
    expect(reply).to_have_value(
        "Hei Kari! Takk for at du tar kontakt. Vi har mottatt henvendelsen din og kommer tilbake "
        "til deg med mer informasjon så snart vi kan.\n\nHilsen Sigrid"
    )
    assert_accessible(page)
    # Gausdal's guideline has no DI-2: the effect is named without a rule id.
    expect(page.get_by_label("Bekrefter mottak – mer kommer", exact=True)).to_be_checked()
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Svaret er lagt i kø og sendes nå.")).to_be_visible()
    expect(page.locator(".item-facts")).to_contain_text("Bekreftet mottatt")
    assert_accessible(page)

    # After sending, the reply box is closed until the editor asks for a new reply (#15):
    # a reload or Back + submit cannot send the same reply twice.
    expect(page.get_by_label("Svartekst")).to_have_count(0)
    page.get_by_role("link", name="Skriv et nytt svar").click()
    # An unsigned answer is stopped (DI-9); signed, it goes out.
    reply = page.get_by_label("Svartekst")
    reply.fill("Svømmehallen åpner mandag 17. august kl. 07.")
    page.get_by_role("button", name="Send svar").click()
    expect(page.locator("#findings")).to_contain_text("DI-9")
    assert_accessible(page)
    page.get_by_label("Svartekst").fill(
        "Svømmehallen åpner mandag 17. august kl. 07.\n\nHilsen Sigrid"
    )
    page.get_by_label("Besvarer henvendelsen").check()
    page.get_by_role("button", name="Send svar").click()
    expect(page.locator(".item-facts")).to_contain_text("Besvart")
    expect(page.locator(".thread")).to_contain_text("Svømmehallen åpner mandag 17. august")
    assert_accessible(page)
    item = InboxItem.objects.get(pk=arrived.pk)
    assert item.status == "answered" and item.resolution_in_time
    assert [r.status for r in Reply.objects.order_by("pk")] == ["sent", "sent"]
    assert fake_platform.sent[-1][1].endswith("Hilsen Sigrid")

    # The report: answered in time.
    page.goto(f"{base}/m/{slug}/innboks/rapport/")
    expect(page.locator("#total-resolution-share")).to_have_text("100 %")
    expect(page.locator("#total-first-share")).to_have_text("100 %")
    assert_accessible(page)


def test_every_inbox_page_with_a_full_inbox_has_no_axe_violations(
    page: Page, live_server, fake_platform
):
    from ordstyrer.inbox.referrals import item_escalate, item_refer
    from ordstyrer.inbox.reports_unwanted import unwanted_report
    from ordstyrer.inbox.services import item_assign

    world = make_world("axeinn", "indre-fosen")
    now = timezone.now()
    items = [
        ingest(world.channel, comment("c1", "Når åpner svømmehallen igjen?", created=None), now),
        ingest(
            world.channel,
            comment("c2", "Kor tid kjem brøytebilen?", author="u2", name="Per Å", created=None),
            now,
        ),
        ingest(
            world.other_channel,
            comment("c3", "Tusen takk for god hjelp!", author="u3", created=None),
            now,
        ),
    ]
    ingest(world.channel, comment("c1", "Når åpner svømmehallen?", edited=True, created=None), now)
    ingest(world.channel, comment("c4", "Samme her", author="u4", parent="c1", created=None), now)
    item_assign(actor=world.p.communications, item=items[1], assignee=world.editor)
    item_escalate(actor=world.editor, item=items[0], note="Kan bli en mediesak.")
    item_refer(actor=world.editor, item=items[1], kind="political", target="formannskapet")
    unwanted_report(actor=world.p.archivist, channel=world.channel, text="Stygg kommentar her.")
    base = f"{live_server.url}/m/{world.municipality.slug}/innboks/"
    login(page, live_server.url, world.p.communications)
    for url in (
        base,
        f"{base}?vis=all",
        f"{base}?vis=resolved&kanal={world.channel.pk}",
        f"{base}?frist=passert&mine=1",
        f"{base}{items[0].pk}/",
        f"{base}{items[0].pk}/?mal=refer_political",
        f"{base}{items[1].pk}/",
        f"{base}rapport/",
        f"{base}meld/",
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    # Nynorsk text is marked as such for screen readers.
    page.goto(base + "?vis=all")
    expect(page.locator('p.snippet[lang="nn"]', has_text="brøytebilen")).to_have_count(1)


def test_a_double_clicked_or_replayed_reply_is_sent_once(page: Page, live_server, fake_platform):
    """One reply per intent (#15): a double click on «Send svar», and the same form posted
    again (Back + submit), publish one reply."""
    world = make_world("dobbelinn", "indre-fosen")
    item = ingest(
        world.channel, comment("c1", "Når åpner biblioteket?", created=None), timezone.now()
    )
    login(page, live_server.url, world.editor)
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/")
    page.get_by_label("Svartekst").fill("Biblioteket åpner kl. 10 i morgen.")
    page.get_by_label("Besvarer henvendelsen").check()
    form = page.locator("#svar form")
    posted = {
        name: form.locator(f"[name={name}]").first.input_value()
        for name in ("csrfmiddlewaretoken", "intent_key", "text", "template")
    }
    page.get_by_role("button", name="Send svar").dblclick()
    expect(page.get_by_role("link", name="Skriv et nytt svar")).to_be_visible()
    # Back + submit: the same form, posted again from the page's own context.
    response = page.request.post(
        f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/svar/",
        form={**posted, "effect": "answer"},
        headers={"Referer": page.url},
    )
    assert response.ok
    assert Reply.objects.filter(item=item).count() == 1
    assert len(fake_platform.sent) == 1
    assert_accessible(page)


def test_an_editor_corrects_the_category_and_the_suggestion_follows(page: Page, live_server):
    """Issue #16: the model read a complaint as a question; the editor sets it right on the
    item page, the suggested action follows at once, and the timeline says who did it."""
    world = make_world("rettinn", "indre-fosen")
    item = ingest(
        world.channel,
        comment("c1", "Hvorfor er det ingen som brøyter Bakkvegen?", created=None),
        timezone.now(),
    )
    item.refresh_from_db()
    login(page, live_server.url, world.editor)
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/innboks/{item.pk}/")
    form = page.locator("#kategori")
    expect(form).to_be_hidden()  # folded away until asked for: the actions stay in reach
    page.get_by_text("Rett kategorien", exact=True).click()
    expect(form.get_by_role("group", name="Kategorier")).to_be_visible()
    for code in item.categories:  # checked as they stand
        expect(form.locator(f"input[value='{code}']")).to_be_checked()
    assert_accessible(page)
    for box in form.locator("input[type=checkbox]").all():
        box.uncheck()
    form.get_by_label("Klage", exact=True).check()
    form.get_by_label("Krever saksbehandling", exact=True).check()
    form.get_by_role("button", name="Lagre kategoriene").click()
    expect(page.get_by_text("Kategoriene er lagret.")).to_be_visible()
    facts = page.locator(".item-facts")
    expect(facts).to_contain_text("Henvis til formell henvendelse og journalfør (DI-7).")
    expect(page.locator("#logg")).to_contain_text("Kategori rettet – Klage, Krever saksbehandling")
    assert_accessible(page)
    # Nothing ticked: refused in Norwegian, nothing changed.
    if not page.locator("#kategori").is_visible():
        page.get_by_text("Rett kategorien", exact=True).click()
    for box in page.locator("#kategori input[type=checkbox]").all():
        box.uncheck()
    page.locator("#kategori").get_by_role("button", name="Lagre kategoriene").click()
    expect(page.get_by_text("Velg minst én kategori.")).to_be_visible()
    item.refresh_from_db()
    assert item.categories == ["complaint", "case_processing"]
    assert item.events.filter(action="categories").count() == 1
