"""Crisis mode in Debian's headless Chromium, axe-core on every page (PU-12): the crisis
leader declares a crisis (with a confirmation that shows the consequence), an editor's
reply waits, the crisis leader approves it and it reaches the simulated page, and the
crisis is ended."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ordstyrer.crisis.selectors import active_crisis
from ordstyrer.inbox.models import Reply, ReplyStatus, SimulatedWorld
from ordstyrer.inbox.replies import reply_send
from tests.browser_support import assert_accessible, login
from tests.crisis.conftest import LATER, polled_item
from tests.inbox.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Takk for at du spør. Vannet er trygt å drikke igjen, hilsen Sigrid."


def test_declare_approve_a_reply_end(page: Page, live_server):
    world = make_world("nettkrise")
    world.channel.connector_config = {"seed": 7, "history_days": 1, "comments_per_day": 20}
    world.channel.save(update_fields=["connector_config"])
    item = polled_item(world)
    base = live_server.url
    slug = world.municipality.slug

    login(page, base, world.p.crisis_leader)
    page.get_by_role("link", name="Krise", exact=True).click()
    expect(page.get_by_role("heading", name="Krise", exact=True)).to_be_visible()
    expect(page.get_by_text("Ingen krise er erklært.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Navn på krisen").fill("Vannforurensning i Elvdalen")
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    expect(page.get_by_role("heading", name="Bekreft: erklær krise")).to_be_visible()
    expect(page.locator(".consequence")).to_contain_text(
        "Alle planlagte innlegg settes på pause, alle nye innlegg og svar venter på kriseleder."
    )
    assert active_crisis(municipality=world.municipality) is None
    assert_accessible(page)
    page.get_by_role("button", name="Erklær krise").click()
    expect(page.get_by_text("Krisen «Vannforurensning i Elvdalen» er erklært.")).to_be_visible()
    banner = page.locator(".crisis-banner")
    expect(banner).to_contain_text("Krise: Vannforurensning i Elvdalen.")
    assert_accessible(page)

    # The editor answers as usual; the reply waits for the crisis leader.
    with time_machine.travel(LATER, tick=False):
        reply = reply_send(actor=world.editor, item=item, text=TEXT)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    login(page, base, world.editor)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    expect(page.locator(".crisis-banner")).to_be_visible()
    expect(page.get_by_text("– Venter på kriseleder")).to_be_visible()
    assert_accessible(page)

    login(page, base, world.p.crisis_leader)
    page.goto(f"{base}/m/{slug}/krise/")
    expect(page.locator(".crisis-queue")).to_contain_text(TEXT)
    page.get_by_role("link", name="Godkjenn …").click()
    expect(page.get_by_role("heading", name="Bekreft: godkjenn")).to_be_visible()
    expect(page.locator(".consequence")).to_contain_text("Svaret publiseres straks")
    assert_accessible(page)
    page.get_by_role("button", name="Godkjenn og publiser").click()
    expect(page.get_by_text("Godkjent. Teksten publiseres nå.")).to_be_visible()
    expect(page.get_by_text("Ingenting venter på godkjenning.")).to_be_visible()
    expect(page.locator(".crisis-log")).to_contain_text(TEXT)
    assert_accessible(page)
    sent = Reply.objects.get(pk=reply.pk)
    assert sent.status == ReplyStatus.SENT and sent.platform_id
    state = SimulatedWorld.objects.get(channel=world.channel).state
    assert [c["text"] for c in state["comments"].values()].count(TEXT) == 1

    page.get_by_role("link", name="Avslutt krisen …").click()
    expect(page.get_by_role("heading", name="Bekreft: avslutt krisen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Avslutt krisen").click()
    expect(page.get_by_role("heading", name="Innlegg på pause")).to_be_visible()
    expect(page.get_by_text("Ingen innlegg står på pause.")).to_be_visible()
    expect(page.locator(".crisis-banner")).to_have_count(0)
    assert_accessible(page)
    assert active_crisis(municipality=world.municipality) is None


def test_paused_posts_are_decided_after_the_crisis(page: Page, live_server, settings):
    from datetime import timedelta

    from django.utils import timezone

    from ordstyrer.crisis.services import crisis_declare, crisis_end
    from ordstyrer.publishing.models import Post, PostStatus
    from ordstyrer.publishing.services import post_create, post_publish
    from tests.crisis.test_posts import SCHEDULED
    from tests.publishing.conftest import make_world as publishing_world

    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    world = publishing_world("nettpause")
    now = timezone.now()
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=SCHEDULED,
        publish_at=now + timedelta(hours=3),
    )
    post_publish(actor=world.editor, post_id=post.pk, now=now)
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)

    login(page, live_server.url, world.p.communications)
    page.goto(f"{live_server.url}/m/{world.municipality.slug}/krise/pause/")
    expect(page.get_by_role("heading", name="Innlegg på pause")).to_be_visible()
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)  # nothing pre-selected
    assert_accessible(page)
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    expect(page.get_by_text("Velg hva som skal skje med innlegget.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Forkast innlegget").check()
    page.get_by_label("Begrunnelse").fill("Utdatert etter raset.")
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    expect(page.locator(".consequence")).to_contain_text("Innlegget forkastes og publiseres aldri.")
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft").click()
    expect(page.get_by_text("Innlegget er forkastet.")).to_be_visible()
    expect(page.get_by_text("Ingen innlegg står på pause.")).to_be_visible()
    assert Post.objects.get(pk=post.pk).status != PostStatus.PAUSED


def test_the_post_page_decides_a_paused_post_through_the_confirmation(
    page: Page, live_server, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from ordstyrer.crisis.services import crisis_declare, crisis_end
    from ordstyrer.publishing.models import Post, PostStatus
    from ordstyrer.publishing.services import post_create, post_publish
    from tests.crisis.test_posts import SCHEDULED
    from tests.publishing.conftest import make_world as publishing_world

    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    world = publishing_world("nettpost")
    now = timezone.now()
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=SCHEDULED,
        publish_at=now + timedelta(hours=3),
    )
    post_publish(actor=world.editor, post_id=post.pk, now=now)
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)

    login(page, live_server.url, world.editor)  # the author, not crisis staff
    detail = f"{live_server.url}/m/{world.municipality.slug}/publisering/{post.pk}/"
    page.goto(detail)
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)  # nothing pre-selected
    assert_accessible(page)
    page.get_by_label("Publiser på et tidspunkt").check()
    page.get_by_label("Tidspunkt", exact=True).fill("2020-01-01T10:00")
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    # Refused on the form, before any confirmation, with what was typed kept.
    expect(page.get_by_text("Tidspunktet for publisering har passert.")).to_be_visible()
    expect(page.get_by_label("Tidspunkt", exact=True)).to_have_value("2020-01-01T10:00")
    expect(page.get_by_label("Publiser på et tidspunkt")).to_be_checked()
    expect(page.get_by_role("button", name="Bekreft", exact=True)).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Publiser nå").check()
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    expect(page.locator(".consequence")).to_contain_text("Innlegget publiseres nå.")
    assert_accessible(page)
    page.get_by_role("link", name="Avbryt").click()
    expect(page).to_have_url(detail)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED
