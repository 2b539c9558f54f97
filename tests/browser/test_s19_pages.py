"""Pages changed in session 19, in Debian's headless Chromium: axe-core finds no WCAG 2.1
AA violation at the browser's own width, and on a 390 px phone the page does not scroll
sideways, passes axe again, and its primary action is reached with Tab, shown in the
viewport and used from the keyboard (WCAG 1.4.10, 2.1.1, 2.4.3).

- The post take-down confirmation, its comments per channel and MO-4's notice, and after
  an Instagram take-down the «Jeg har slettet innlegget … i appen» confirmation (MO-2,
  MO-4, PU-6); the post's page it returns to fits the phone too (its channel table
  scrolls in a frame of its own).
- The platform connection page with a pasted token waiting for Meta's proof (CH-3).
- A channel's roles with a person who has left, «(ikke aktiv)» and «Fjern …» (CH-3).
- The employees' report page on Birkenes after sending, warning that no nearest leader
  was told (DI-11).
- The item page's reply box asking «Henvis til» with nothing chosen, and a DI-11 report's
  item, with the text shown instead of the reply box (DI-7, DI-8, DI-11)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import Channel, ChannelRole
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem, ItemStatus, Referral
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.reports_unwanted import unwanted_report
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, Post
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer_fakegraph import FakeGraph
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.channels.conftest import active_channel
from tests.conftest import make_personas
from tests.factories import person_with_roles
from tests.inbox.conftest import FakeReplier, comment, ingest
from tests.inbox.conftest import make_world as inbox_world
from tests.publishing.conftest import APP_SECRET, TOKEN_KEY, jpeg, make_channel, running_graph
from tests.publishing.conftest import make_world as publishing_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    """Tasks queued on commit run at once (in the live server's thread for a request);
    Meta's settings for the Graph stand-in a test starts."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # nothing there unless a test says
    settings.META_APP_SECRET = APP_SECRET
    settings.META_APP_ID = ""
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


@pytest.fixture
def graph(settings) -> Iterator[FakeGraph]:
    """The Graph stand-in on loopback, the product pointed at it."""
    with running_graph() as fake:
        settings.META_GRAPH_BASE_URL = fake.base_url
        yield fake


def tab_to(page: Page, target: Locator, *, limit: int = 300) -> None:
    """Press Tab from the top of the page until `target` has the focus (it is reachable by
    keyboard, WCAG 2.1.1), then see it shown in the viewport."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError(f"{page.url}: Tab never reached {target}")
    expect(target).to_be_visible()
    expect(target).to_be_enabled()
    expect(target).to_be_in_viewport()


def check_page(page: Page, primary: Locator) -> None:
    """axe at the desktop width; at 390 px no sideways scrolling, axe again, and the
    primary action reached by Tab and in view. Leaves the phone's viewport set."""
    expect(page.locator("h1")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)
    tab_to(page, primary)


# --------------------------------------------------------------------------- 1. take-down


def _published_with_comments(w, graph: FakeGraph) -> tuple[Post, Channel, Channel]:
    """A post with a photo out on a Facebook Page and its Instagram account through the
    stand-in, two citizens' comments under it on Facebook and one on Instagram."""
    fb_page = graph.add_page("Nedby kommune", ig_username="nedbykommune")
    facebook = make_channel(w.p, name="Nedby på Facebook", kind="facebook", editor=w.editor)
    instagram = make_channel(w.p, name="Nedby på Instagram", kind="instagram", editor=w.editor)
    connection_connect_system(
        channel=facebook, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    connection_connect_system(
        channel=instagram,
        account_id=fb_page.ig_user_id,
        token=SecretToken(fb_page.token),
        page_id=fb_page.id,
    )
    fast = {"transient_backoff": 0.01, "container_poll_interval": 0.05}
    Channel.objects.filter(pk__in=[facebook.pk, instagram.pk]).update(connector_config=fast)
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="toget.jpg",
        content=jpeg(),
        alt_text="Korpset går først i toget",
    )
    media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[facebook.pk, instagram.pk],
        text="Se bildene fra 17. mai-toget i sentrum! https://nedby.kommune.no/17mai",
        media_ids=[asset.pk],
    )
    post_publish(actor=w.editor, post_id=post.pk)  # delivered on commit, at once
    rows = {r.channel_id: r for r in post.deliveries.all()}
    assert {r.status for r in rows.values()} == {DeliveryStatus.PUBLISHED}
    store = graph.store
    for n, name in enumerate(["Ola Nordmann", "Kari Hansen"]):
        store.add_comment(
            rows[facebook.pk].platform_id,
            from_id=f"555000{n}",
            from_name=name,
            message="Hvorfor er jeg på bildet?",
            created=store.now(),
        )
    store.add_ig_comment(
        rows[instagram.pk].platform_id,
        from_id="7700001",
        username="per_p",
        text="Så fint",
        created=store.now(),
    )
    poll_channel(channel_id=facebook.pk)
    poll_channel(channel_id=instagram.pk)
    assert InboxItem.objects.filter(channel__in=[facebook, instagram]).count() == 3
    return post, facebook, instagram


def test_the_take_down_confirmation_and_the_by_hand_confirmation(
    page: Page, live_server, graph
) -> None:
    """MO-2, MO-4 (Indre Fosen), PU-6: the confirmation lists the comments going with the
    post per channel and that their authors are not told; after the take-down the
    Instagram channel's «slettet i appen» box is unticked, and both pages pass axe and
    work from the keyboard on a phone."""
    w = publishing_world("nedby", "indre-fosen")
    post, facebook, instagram = _published_with_comments(w, graph)
    base, slug = live_server.url, w.municipality.slug
    url = f"{base}/m/{slug}/publisering/{post.pk}/ta-ned/"
    login(page, base, w.editor)
    page.goto(url)
    expect(page.get_by_role("heading", name="Ta ned innlegget")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("3 kommentarer under innlegget slettes også")
    expect(main).to_contain_text("«Nedby på Facebook»: 2 kommentarer fra innbyggere")
    expect(main).to_contain_text("«Nedby på Instagram»: 1 kommentar fra en innbygger")
    expect(main).to_contain_text("Forfatterne av 3 kommentarer får en privat melding")
    take_down = page.get_by_role("button", name="Ta ned", exact=True)
    check_page(page, take_down)

    # On the phone, from the keyboard: the reason, the box, the button.
    page.get_by_label("Begrunnelse").fill("Samtykket er trukket tilbake.")
    box = page.get_by_label("Jeg vil slette innlegget på plattformene")
    expect(box).not_to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    tab_to(page, take_down)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Innlegget tas ned fra plattformene.")).to_be_visible()

    # Instagram's API cannot delete: the page asks for the deletion in the app.
    page.goto(url)
    expect(page.get_by_role("heading", name="Slett innlegget i appen")).to_be_visible()
    by_hand = page.get_by_label("Jeg har slettet innlegget på «Nedby på Instagram» i appen")
    expect(by_hand).not_to_be_checked()
    confirm = page.get_by_role("button", name="Bekreft at det er slettet")
    check_page(page, confirm)
    by_hand.focus()
    page.keyboard.press("Space")
    expect(by_hand).to_be_checked()
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Registrert som slettet.")).to_be_visible()
    # The post's page it returns to: its channel table scrolls in its own frame, not the
    # page (it made the page 458 px wide before).
    expect(page.get_by_role("heading", name="Innlegg", exact=True)).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    frame = page.locator(".table-scroll", has=page.get_by_text("Status per kanal"))
    tab_to(page, frame)
    item = InboxItem.objects.get(channel=instagram)
    assert item.removed_at is not None


# --------------------------------------------------------------- 2. pending connection


def test_the_connection_page_with_a_token_waiting_for_metas_proof(
    page: Page, live_server, graph
) -> None:
    """CH-3: a token pasted while Meta is busy waits «Venter på kontroll», with the
    notice that no comments come in; the page passes axe, and on a phone the token form
    is used from the keyboard (the same token, Meta answering now, connects it)."""
    p = make_personas("koblby", "indre-fosen")
    channel = make_channel(p, name="Koblby på Facebook", kind="facebook")
    fb_page = graph.add_page("Koblby kommune", ig_username="koblby")
    graph.inject(4, path="/me", times=1)  # Meta busy: the proof is tried again later
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.communications)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/tilkobling/")
    page.get_by_label("Sidens eller kontoens id").fill(fb_page.id)
    page.get_by_label("Token for systembruker").fill(fb_page.token)
    page.get_by_role("button", name="Lagre token").click()
    expect(page.get_by_text("Venter på kontroll")).to_be_visible()
    notice = page.get_by_text("Ordstyrer kontrollerer hos Meta at tokenet gjelder denne siden")
    expect(notice).to_be_visible()
    assert PlatformConnection.objects.get(channel=channel).status == ConnectionStatus.PENDING

    save = page.get_by_role("button", name="Lagre token")
    check_page(page, save)
    expect(notice).to_be_visible()
    page.get_by_label("Sidens eller kontoens id").fill(fb_page.id)
    page.get_by_label("Token for systembruker").fill(fb_page.token)
    tab_to(page, save)
    page.keyboard.press("Enter")
    expect(page.locator(".facts strong.ok")).to_be_visible()
    assert PlatformConnection.objects.get(channel=channel).status == ConnectionStatus.CONNECTED


# ----------------------------------------------------------------- 3. a departed member


def test_the_roles_section_with_a_departed_member(page: Page, live_server) -> None:
    """CH-3: a member whose account is deactivated is listed «(ikke aktiv)», and the
    main administrator removes them with «Fjern …» from the keyboard on a phone."""
    p = make_personas("rolleby", "indre-fosen")
    channel = active_channel(p)  # p.employee is its main administrator
    gone = person_with_roles(
        p.municipality, username="rolleby-nils", first_name="Nils", last_name="Langnavn-Berg"
    )
    channel_services.channel_role_set(
        actor=p.employee, channel=channel, user=gone, role=ChannelRole.EDITOR
    )
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/")
    row = page.locator("#roles-heading ~ .table-scroll tr", has_text="Nils Langnavn-Berg")
    expect(row).to_contain_text("(ikke aktiv)")
    remove = page.get_by_role("link", name="Fjern Nils Langnavn-Berg")
    check_page(page, remove)
    page.keyboard.press("Enter")
    # Confirmed on a page of its own since session 20 (CH-3; test_s20_role_remove_page.py).
    page.get_by_role("button", name="Bekreft: fjern rollen").click()
    expect(page.get_by_text("Rollen er fjernet.")).to_be_visible()
    assert not channel.memberships.filter(user=gone).exists()
    assert_fits(page)


# ------------------------------------------------------------ 4. the report page (DI-11)


def test_the_report_page_after_sending_warns_that_no_leader_was_told(
    page: Page, live_server
) -> None:
    """DI-11 (Birkenes): an employee with no unit sends a report from a phone; the page
    thanks them and warns that no nearest leader of theirs was told."""
    w = inbox_world("birkeby", "birkenes")
    reporter = person_with_roles(w.municipality, username="birkeby-melder", first_name="Mona")
    base, slug = live_server.url, w.municipality.slug
    login(page, base, reporter)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/innboks/meld/")
    send = page.get_by_role("button", name="Send meldingen")
    page.get_by_label("Kanal").select_option(str(w.channel.pk))
    page.get_by_label(re.compile("^Teksten")).fill("Noen henger ut en elev i kommentarene her.")
    tab_to(page, send)
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Takk! Meldingen er sendt til administratorene for Skolen")
    ).to_be_visible()
    warning = page.get_by_text("Vi fant ingen nærmeste leder for deg i Ordstyrer")
    expect(warning).to_be_visible()
    check_page(page, send)
    expect(warning).to_be_in_viewport()


# ----------------------------------------------------------------- 5. the reply box


@pytest.fixture
def replier(monkeypatch) -> FakeReplier:
    """The channel's platform answers replies (the inbox's one seam, as in tests/inbox)."""
    fake = FakeReplier()

    @contextmanager
    def opener(channel: Channel, *, now: datetime | None = None) -> Iterator[FakeReplier]:
        yield fake

    monkeypatch.setattr("ordstyrer.inbox.platform.channel_connector", opener)
    return fake


def test_the_reply_box_asks_where_it_refers_and_a_report_has_none(
    page: Page, live_server, replier: FakeReplier
) -> None:
    """DI-7, DI-8, DI-11 (Birkenes): the reply box asks «Henvis til» with nothing chosen;
    an own reply sent from the keyboard on a phone with «Henviser videre» and «Formell
    henvendelse» refers formally. A DI-11 report's item shows why it has no reply box,
    and is closed from the keyboard."""
    w = inbox_world("svarby", "birkenes")
    item = ingest(w.channel, comment("c1", created=None), timezone.now())
    assert item is not None
    base, slug = live_server.url, w.municipality.slug
    login(page, base, w.editor)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    kinds = page.get_by_role("group", name="Henvis til")
    expect(kinds).to_be_visible()
    radios = kinds.get_by_role("radio")
    expect(radios).to_have_count(2)
    for n in range(2):
        expect(radios.nth(n)).not_to_be_checked()
    send = page.get_by_role("button", name="Send svar")
    check_page(page, send)

    own = "Takk for spørsmålet. Dette må behandles som en sak, så vi sender det til postmottaket."
    page.get_by_label("Svartekst").fill(own)
    for name in ("Henviser videre (DI-7, DI-8)", "Formell henvendelse – journalføres (DI-7)"):
        radio = page.get_by_role("radio", name=name)
        radio.focus()
        page.keyboard.press("Space")
        expect(radio).to_be_checked()
    tab_to(page, send)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Svaret er lagt i kø og sendes nå.")).to_be_visible()
    assert [text for _target, text in replier.sent] == [own]
    item.refresh_from_db()
    assert item.status == ItemStatus.REFERRED
    assert Referral.objects.get(item=item).kind == "formal"

    # An employee's report (DI-11): no reply box, the reason in its place.
    report = unwanted_report(
        actor=w.p.archivist, channel=w.channel, text="Stygg kommentar om rektor."
    )
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/m/{slug}/innboks/{report.pk}/")
    said = page.locator("#no-reply")
    expect(said).to_contain_text("ingenting her å svare på")
    expect(page.get_by_role("button", name="Send svar")).to_have_count(0)
    close = page.get_by_role("button", name="Lukk", exact=True)
    check_page(page, close)
    said.scroll_into_view_if_needed()
    expect(said).to_be_in_viewport()
    page.get_by_label("Hvorfor lukkes den?").focus()
    page.keyboard.press("ArrowDown")
    tab_to(page, close)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    report.refresh_from_db()
    assert not report.open
