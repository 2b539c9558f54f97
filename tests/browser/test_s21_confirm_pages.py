"""The confirmations added in session 21 before four deliberate acts, in Debian's headless
Chromium (the approach of test_s20_role_remove_page.py): axe-core finds no WCAG 2.1 AA
violation at the desktop width; on a 390 px phone the page does not scroll sideways,
passes axe again, and its confirmation is reached with Tab, shown in the viewport and
used from the keyboard (WCAG 1.4.10, 2.1.1, 2.4.3).

- Disconnecting a channel from its Page (CH-3): what stops, and when the token goes.
- A closure whose period has begun (CH-9): the channel closes for comments now.
- Removing the crisis leader's deputy (PU-12): who loses the right, the crisis going on,
  who is left to approve.
- Approving and rejecting a channel proposal (CH-1): the next approver told, or the
  proposal rejected with the reason written on the page.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelStatus, Closure, ClosureState
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.crisis.models import CrisisDeputy
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.platforms import connections
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from ordstyrer.tenants.models import Role
from tests.browser.test_s20_role_remove_page import check_page, tab_to
from tests.browser_support import PHONE, assert_fits, login
from tests.channels.conftest import active_channel, propose
from tests.channels.test_closures import SwitchingPlatform
from tests.conftest import make_personas
from tests.factories import person_with_roles
from tests.platforms.conftest import make_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --------------------------------------------------------- 1. disconnecting from the Page


def test_ch3_disconnecting_is_confirmed_on_a_phone_from_the_keyboard(
    page: Page, live_server, graph
) -> None:
    """CH-3: «Koble fra …» on the connection page opens the confirmation (nothing done
    yet); it says what stops and that the token goes once the app is off the Page;
    «Bekreft: koble fra» is reached with Tab on a phone and disconnects."""
    p = make_personas("frakobleby", "indre-fosen")
    fb_page = graph.add_page("Frakobleby kommune")
    channel = make_channel(p, name="Frakobleby kommune på Facebook")
    connections.connection_connect(
        actor=p.communications,
        channel=channel,
        account_id=fb_page.id,
        token=SecretToken(fb_page.token),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.webhooks_subscribed  # the verify task ran: the app is on the Page
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.communications)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/tilkobling/")
    link = page.get_by_role("link", name="Koble fra …")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("nye kommentarer og meldinger kommer ikke inn i innboksen")
    expect(main).to_contain_text("Ordstyrer tar appen av siden hos Meta")
    expect(main).to_contain_text("Deretter slettes tokenet")
    assert PlatformConnection.objects.get(pk=connection.pk).status == ConnectionStatus.CONNECTED
    check_page(page)

    confirm = page.get_by_role("button", name="Bekreft: koble fra")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Kanalen er koblet fra")).to_be_visible()
    assert PlatformConnection.objects.get(pk=connection.pk).status == (
        ConnectionStatus.DISCONNECTED
    )
    assert_fits(page)


# ------------------------------------------------------ 2. a closure whose period has begun


def test_ch9_a_closure_begun_is_confirmed_on_a_phone_from_the_keyboard(
    page: Page, live_server, settings
) -> None:
    """CH-9: «Lagre stengingen» with a start a minute ago opens the confirmation (nothing
    saved yet) saying the channel closes for comments now, until when; «Bekreft: steng
    kanalen nå» is reached with Tab on a phone and closes it."""
    platform = SwitchingPlatform()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(platform),
    }
    p = make_personas("stengeby", "indre-fosen")
    channel = active_channel(p, name="Stengeby bibliotek")
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.employee)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/kanaler/{channel.pk}/stenging/")
    now = timezone.localtime()
    page.get_by_label("Hvorfor stenges kanalen?").fill("Vannlekkasje i biblioteket")
    page.get_by_label("Stenges fra").fill((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Åpnes igjen").fill((now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    save = page.get_by_role("button", name="Lagre stengingen")
    tab_to(page, save)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Kanalen stenges for kommentarer nå, til")
    assert not Closure.objects.filter(channel=channel).exists()  # nothing done yet
    check_page(page)

    confirm = page.get_by_role("button", name="Bekreft: steng kanalen nå")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Kanalen er stengt for kommentarer til")).to_be_visible()
    assert Closure.objects.get(channel=channel).state == ClosureState.IN_EFFECT
    assert_fits(page)


# ------------------------------------------------------ 3. removing the crisis leader's deputy


def test_pu12_removing_a_deputy_is_confirmed_on_a_phone_from_the_keyboard(
    page: Page, live_server, settings
) -> None:
    """PU-12: «Fjern …» on the crisis page opens the confirmation (nothing removed yet)
    naming who loses the right to approve and the crisis going on; «Bekreft: fjern
    stedfortrederen» is reached with Tab on a phone and removes the deputy."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    p = make_personas("fjernkrise", "indre-fosen")
    kari = person_with_roles(
        p.municipality,
        Role.COMMUNICATIONS,
        username="fjernkrise-kari",
        first_name="Kari",
        last_name="Langnavn-Stedfortreder",
    )
    crisis_deputy_add(municipality=p.municipality, user=kari, actor=p.crisis_leader)
    crisis_declare(municipality=p.municipality, name="Flom i Elvdalen", actor=p.crisis_leader)
    base, slug = live_server.url, p.municipality.slug
    login(page, base, p.crisis_leader)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/{slug}/krise/")
    remove = page.get_by_role("link", name="Fjern Kari Langnavn-Stedfortreder")
    tab_to(page, remove)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(
        "Kari Langnavn-Stedfortreder mister retten til å godkjenne innlegg og svar i en krise"
    )
    expect(main).to_contain_text("Krisen «Flom i Elvdalen» pågår nå")
    assert CrisisDeputy.objects.filter(user=kari).exists()  # nothing done yet
    check_page(page)

    confirm = page.get_by_role("button", name="Bekreft: fjern stedfortrederen")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Stedfortrederen er fjernet.")).to_be_visible()
    assert not CrisisDeputy.objects.filter(user=kari).exists()
    assert_fits(page)


# ---------------------------------------------------- 4. deciding on a channel proposal


def test_ch1_a_proposal_is_approved_and_rejected_on_its_confirmation_from_the_keyboard(
    page: Page, live_server, settings
) -> None:
    """CH-1: «Godkjenn …» opens the confirmation (nothing decided yet) saying the next
    step's approvers are told; the unit leader writes a comment and confirms with the
    keyboard on a phone. Communications' «Avvis …» opens the rejection's confirmation,
    where the reason is written and confirmed the same way."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    p = make_personas("godkjenneby", "indre-fosen")  # chain: unit leader, communications
    channel = propose(p, name="Godkjenneby ungdomsråd")
    channel_services.channel_submit(actor=p.employee, channel=channel)
    base, slug = live_server.url, p.municipality.slug
    detail = f"{base}/m/{slug}/kanaler/{channel.pk}/"

    login(page, base, p.unit_leader)
    page.set_viewport_size(PHONE)
    page.goto(detail)
    tab_to(page, page.get_by_role("button", name="Godkjenn …"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dette skjer når du bekrefter")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Forslaget går videre til neste steg")
    assert not channel.events.filter(action="approve").exists()  # nothing done yet
    check_page(page)
    tab_to(page, page.get_by_label("Kommentar eller begrunnelse"))
    page.keyboard.type("Drøftet i ledermøtet.")
    tab_to(page, page.get_by_role("button", name="Bekreft: godkjenn"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Du har godkjent forslaget.")).to_be_visible()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW
    assert channel.events.get(action="approve").note == "Drøftet i ledermøtet."
    assert_fits(page)

    login(page, base, p.communications)
    page.set_viewport_size(PHONE)
    page.goto(detail)
    tab_to(page, page.get_by_role("button", name="Avvis …"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(
        "Forslaget avvises med begrunnelsen du skriver nedenfor (CH-1)."
    )
    check_page(page)
    tab_to(page, page.get_by_label("Kommentar eller begrunnelse"))
    page.keyboard.type("Målgruppen er ikke beskrevet.")
    tab_to(page, page.get_by_role("button", name="Bekreft: avvis"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Forslaget er avvist.")).to_be_visible()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.REJECTED
    assert channel.rejection_reason == "Målgruppen er ikke beskrevet."
    assert_fits(page)
