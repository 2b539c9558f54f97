"""The post take-down confirmation changed in session 20, in Debian's headless Chromium:
axe-core finds no WCAG 2.1 AA violation at the browser's own width, and on a 390 px
phone the page does not scroll sideways, passes axe again, and its primary action is
reached with Tab and used from the keyboard (WCAG 1.4.10, 2.1.1, 2.4.3).

During a crisis (PU-12), with one comment too old for a private message: the page says
how many authors get a private message before the post is deleted, that the messages
wait for the crisis leader and the take-down no longer than ten minutes, and why one
author is not told (MO-4). After the take-down the post's page says its Facebook copy
waits for the notices, and fits the phone too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.models import ModerationAction, NoticeState
from ordstyrer_fakegraph import FakeGraph
from tests.browser.test_s19_pages import _published_with_comments, check_page, tab_to
from tests.browser_support import assert_accessible, assert_fits, login
from tests.publishing.conftest import APP_SECRET, TOKEN_KEY, running_graph
from tests.publishing.conftest import make_world as publishing_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    """Tasks queued on commit run at once (in the live server's thread for a request);
    Meta's settings for the Graph stand-in."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_APP_SECRET = APP_SECRET
    settings.META_APP_ID = ""
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


@pytest.fixture
def graph(settings) -> Iterator[FakeGraph]:
    with running_graph() as fake:
        settings.META_GRAPH_BASE_URL = fake.base_url
        yield fake


def test_the_take_down_confirmation_says_who_is_told_how_and_who_is_not(
    page: Page, live_server, graph
) -> None:
    """MO-4, PU-12, PU-6: the consequence for the comments' authors on the confirmation,
    nothing ticked; on a phone, from the keyboard."""
    w = publishing_world("nedby", "indre-fosen")
    post, facebook, _instagram = _published_with_comments(w, graph)
    old = InboxItem.objects.filter(channel=facebook).order_by("pk").first()
    assert old is not None
    InboxItem.objects.filter(pk=old.pk).update(
        platform_created_at=timezone.now() - timedelta(days=8)
    )
    crisis_declare(municipality=w.municipality, name="Flom i sentrum", actor=w.p.crisis_leader)
    base, slug = live_server.url, w.municipality.slug
    url = f"{base}/m/{slug}/publisering/{post.pk}/ta-ned/"
    login(page, base, w.editor)
    page.goto(url)
    main = page.locator("main")
    expect(main).to_contain_text("Forfatterne av 2 kommentarer får en privat melding fra kanalen")
    expect(main).to_contain_text("senest 10 minutter etter at du tar det ned")
    expect(main).to_contain_text("meldingene sendes først når kriselederen har godkjent dem")
    expect(main).to_contain_text(
        "Forfatteren av 1 kommentar får ikke beskjed: kommentaren er mer enn 7 dager gammel"
    )
    take_down = page.get_by_role("button", name="Ta ned", exact=True)
    check_page(page, take_down)

    page.get_by_label("Begrunnelse").fill("Samtykket er trukket tilbake.")
    box = page.get_by_label("Jeg vil slette innlegget på plattformene")
    expect(box).not_to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    tab_to(page, take_down)
    page.keyboard.press("Enter")
    # The request runs the queued work at once (immediate tasks): the notices, the take-down.
    expect(page.get_by_text("Innlegget tas ned fra plattformene.")).to_be_visible(timeout=60_000)
    states = set(ModerationAction.objects.values_list("notice_state", flat=True))
    assert states == {NoticeState.AWAITING_CRISIS_APPROVAL}

    # The post's page: the Facebook copy waits for the notices (held for the crisis leader).
    page.goto(f"{base}/m/{slug}/publisering/{post.pk}/")
    expect(page.locator("main")).to_contain_text("Venter på at forfatterne av kommentarene")
    assert_fits(page)
    assert_accessible(page)
