"""The paused posts' pages changed in S20, in Debian's headless Chromium: axe-core finds no
WCAG 2.1 AA violation at the browser's own width, and on a 390 px phone the page does not
scroll sideways, passes axe again, and its primary action is reached with Tab and shown
in the viewport (WCAG 1.4.10, 2.1.1, 2.4.3).

- The resume confirmation of a paused main-page post with a warning that arose during the
  crisis (PU-10, the "warn" rule): the findings and an empty reason field, filled and
  confirmed from the keyboard (PU-12).
- The page of paused posts as the chief administrator reads it: the list, no forms."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import ChannelPublishing, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.worktime.config import OSLO
from tests.browser.test_s19_pages import check_page, tab_to
from tests.browser_support import login
from tests.publishing.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAUSED = "Vannverket stenger for vedlikehold torsdag. Se https://www.midt-telemark.kommune.no/vann"
OTHERS = (
    "Biblioteket har nye åpningstider fra mandag. Se https://www.midt-telemark.kommune.no/bibliotek",
    "Svømmehallen åpner igjen etter ferien. Se https://www.midt-telemark.kommune.no/svomming",
)
REASON = "Vannmeldingen må ut i dag."


@pytest.fixture(autouse=True)
def _settings(settings):
    """Tasks queued on commit run at once (in the live server's thread for a request)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


def _sent(w, text: str, *, at: datetime | None = None) -> Post:
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=text,
        publish_at=at,
    )
    return post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig.")


def _paused_then_two_out_today(slug: str):
    """Midt-Telemark's main page, no approver: a post scheduled in three days, paused by
    a crisis ended since; then two posts out today (PU-10: two a working day)."""
    w = make_world(slug, preset="midt-telemark")
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True, approval="none")
    day = timezone.localdate() + timedelta(days=3)
    post = _sent(w, PAUSED, at=datetime.combine(day, time(10), tzinfo=OSLO))
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    for text in OTHERS:
        _sent(w, text)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return w, post


def test_the_resume_confirmation_asks_why_for_a_new_warning(page: Page, live_server):
    w, post = _paused_then_two_out_today("s20-nett-pause")
    base, slug = live_server.url, w.municipality.slug
    login(page, base, w.p.communications)
    page.goto(f"{base}/m/{slug}/krise/pause/")
    article = page.locator("article", has_text=PAUSED)
    article.get_by_label("Publiser nå").check()
    article.get_by_role("button", name="Gå videre til bekreftelse").click()
    expect(page.get_by_role("heading", name="Bekreft: innlegg på pause")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Innlegget publiseres nå.")
    expect(main).to_contain_text("PU-10")
    expect(main).to_contain_text("Dette blir innlegg nr. 3 i dag på hovedsiden")
    reason = page.get_by_label("Hvorfor skal innlegget ut til tross for merknadene?")
    expect(reason).to_have_value("")  # nothing pre-filled
    confirm = page.get_by_role("button", name="Bekreft")
    check_page(page, confirm)

    # On the phone, from the keyboard: without a reason, asked again; then with one.
    page.keyboard.press("Enter")
    expect(main).to_contain_text("Innlegget har fått nye merknader siden det ble sendt.")
    check_page(page, reason)
    page.keyboard.type(REASON)
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Innlegget er satt i gang igjen.")).to_be_visible()
    post.refresh_from_db()
    assert post.status != PostStatus.PAUSED and REASON in post.override_reason


def test_the_paused_posts_as_the_chief_administrator_reads_them(page: Page, live_server):
    w, post = _paused_then_two_out_today("s20-nett-radmann")
    base, slug = live_server.url, w.municipality.slug
    login(page, base, w.p.chief_administrator)
    page.goto(f"{base}/m/{slug}/krise/pause/")
    expect(page.get_by_role("heading", name="Innlegg på pause")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(PAUSED)
    expect(main).to_contain_text("Kriseleder, kommunikasjon eller forfatteren bestemmer")
    expect(page.get_by_role("button", name="Gå videre til bekreftelse")).to_have_count(0)
    check_page(page, page.get_by_role("link", name="Tilbake til krisesiden"))
