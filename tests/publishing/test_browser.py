"""The composer in Debian's headless Chromium, axe-core on every page: a fødselsnummer →
blocked (PU-1) → fixed → an image without alt text → PU-4 warning → alt text added →
scheduled → published to the simulated platform by the worker's sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import Post, PostStatus
from tests.browser_support import assert_accessible, login
from tests.publishing.conftest import make_world, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXED = "Skolen har fått ny lekeplass. Elevene kan bruke den fra mandag. Se https://indrefosen.kommune.no"


def test_compose_blocked_fixed_alt_text_scheduled_published(page: Page, live_server, tmp_path):
    w = make_world("nettpub", "indre-fosen")
    login(page, live_server.url, w.editor)

    page.get_by_role("link", name="Publisering").click()
    expect(page.get_by_role("heading", name="Publisering", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Skriv nytt innlegg").click()
    page.get_by_label("Kommunen –").check()
    page.get_by_label("Tekst", exact=True).fill(
        "Eleven med fødselsnummer 15038512363 har fått plass. Se https://indrefosen.kommune.no"
    )
    # The live check (static script) swaps in the findings as the editor types.
    expect(page.locator("#findings")).to_contain_text("PU-1")
    page.get_by_role("button", name="Sjekk og lagre utkast").click()
    expect(page.locator("#findings")).to_contain_text("Stopper")
    expect(page.locator("#findings")).to_contain_text("PU-1")
    assert_accessible(page)

    page.get_by_label("Tekst", exact=True).fill(FIXED)
    image = tmp_path / "IMG_0042.png"
    image.write_bytes(png(7))
    page.get_by_label("Last opp bilde eller video").set_input_files(str(image))
    page.get_by_label("Personer på bildet du laster opp (PU-6)").select_option("none")
    page.get_by_label("Fotografen har gitt tillatelse (PU-7)").select_option("yes")
    page.get_by_role("button", name="Sjekk og lagre utkast").click()
    expect(page.locator("#findings")).not_to_contain_text("PU-1")
    expect(page.locator("#findings")).to_contain_text("PU-4")
    expect(page.locator("#findings")).to_contain_text("Advarsel")
    assert_accessible(page)

    page.get_by_label("Alternativ tekst for IMG_0042.png").fill(
        "Barn som klatrer i den nye lekeplassen"
    )
    at = timezone.localtime(timezone.now() + timedelta(minutes=3)).replace(second=0, microsecond=0)
    page.get_by_label("Publiseres (tom: så snart det er godkjent)").fill(
        at.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Sjekk og lagre utkast").click()
    expect(page.locator("#findings")).to_contain_text("Ingen funn")

    page.get_by_role("button", name="Gå videre til publisering").click()
    expect(page.get_by_role("heading", name="Bekreft publisering")).to_be_visible()
    expect(page.get_by_text("Innlegget publiseres")).to_contain_text("på Kommunen")
    checkbox = page.get_by_label("Jeg har lest hva som skjer, og vil sende innlegget")
    expect(checkbox).not_to_be_checked()  # nothing preselected
    assert_accessible(page)
    checkbox.check()
    page.get_by_role("button", name="Send innlegget").click()
    expect(page.locator(".post-status")).to_contain_text("Planlagt")
    assert_accessible(page)

    post = Post.objects.get(author=w.editor)
    assert post.status == PostStatus.SCHEDULED
    # The worker's sweep publishes it when its time comes.
    assert delivery.release_due(now=post.publish_at + timedelta(seconds=1)) == 1
    page.reload()
    expect(page.locator(".post-status")).to_contain_text("Publisert")
    state = SimulatedWorld.objects.get(channel=w.page).state
    published = [p for p in state["posts"].values() if p["text"] == FIXED]
    assert len(published) == 1
    assert published[0]["media"][0]["alt_text"] == "Barn som klatrer i den nye lekeplassen"

    page.get_by_role("link", name="Kalender").click()
    expect(page.locator(".calendar")).to_contain_text("Kommunen")
    assert_accessible(page)


def test_register_queue_settings_and_private_check_are_accessible(page: Page, live_server):
    from ordstyrer.publishing.media import media_upload
    from ordstyrer.publishing.services import post_create, post_publish

    w = make_world("nettreg", "midt-telemark")
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="tur.png",
        content=png(3),
        alt_text="Klassen på tur i fjellet",
    )
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=FIXED.replace("indrefosen", "mt"),
        media_ids=[asset.pk],
    )
    post_publish(actor=w.editor, post_id=post.pk, override_reason="Registeret fylles ut i dag.")
    base = f"{live_server.url}/m/{w.municipality.slug}/publisering"

    login(page, live_server.url, w.editor)
    page.goto(f"{base}/media/{asset.pk}/")
    page.get_by_label("Personen på bildet").fill("Ola (8)")
    page.get_by_label("Samtykke gitt av").fill("Kari, mor")
    page.get_by_label("Dato for samtykket").fill("2026-01-05")
    page.get_by_label("Personen er et barn").check()
    page.get_by_label("Foresattes signerte samtykkeskjema (for barn)").set_input_files(
        files=[{"name": "skjema.pdf", "mimeType": "application/pdf", "buffer": b"%PDF signert"}]
    )
    page.get_by_role("button", name="Registrer samtykket").click()
    expect(page.get_by_text("Samtykket er registrert.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/media/")
    assert_accessible(page)

    login(page, live_server.url, w.p.unit_leader)
    page.goto(f"{base}/godkjenning/")
    expect(page.locator(".consent-status")).to_contain_text("1 samtykke registrert")
    assert_accessible(page)

    login(page, live_server.url, w.p.communications)
    page.goto(f"{base}/innstillinger/")
    assert_accessible(page)

    login(page, live_server.url, w.p.employee)
    page.get_by_role("link", name="Før du poster privat").click()
    page.get_by_label("Teksten du vil poste privat").fill(
        "Vi i kommunen har bestemt at eleven skal flytte."
    )
    page.get_by_role("button", name="Sjekk").click()
    expect(page.locator(".findings")).to_contain_text("EM-2")
    assert_accessible(page)

    # Withdrawing the consent (PU-6) takes its confirmation: the post waiting for the unit
    # leader and what happens to it, nothing ticked; refused unticked, done ticked.
    login(page, live_server.url, w.editor)
    page.goto(f"{base}/media/{asset.pk}/")
    page.get_by_role("link", name="Trekk tilbake samtykket fra Ola (8) …").click()
    expect(page.get_by_role("heading", name="Trekk tilbake samtykket")).to_be_visible()
    expect(page.locator(".consequence")).to_contain_text("Stoppes og blir et utkast igjen")
    checkbox = page.get_by_label("Jeg vil trekke tilbake samtykket")
    expect(checkbox).not_to_be_checked()
    assert_accessible(page)
    page.get_by_label("Merknad (valgfri)").fill("Mor ringte.")
    page.get_by_role("button", name="Trekk tilbake samtykket").click()
    expect(page.get_by_text("Kryss av for å bekrefte.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Jeg vil trekke tilbake samtykket").check()
    page.get_by_role("button", name="Trekk tilbake samtykket").click()
    expect(page.get_by_text("Samtykket er trukket tilbake.")).to_be_visible()
    assert_accessible(page)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
