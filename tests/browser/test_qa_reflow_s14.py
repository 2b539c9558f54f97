"""QA pass (sprint 14) in Chromium at a phone's 390 px (WCAG 1.4.10 reflow, what 200 %
zoom of a 780 px window gives): the two reports' tables and a channel's tables scroll in
their own frames, not the page, the English work list's bulk form fits; and the focus
ring contrasts at least 3:1 with the white page and with the blue header (WCAG 1.4.11)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.channels.models import ChannelReview
from ordstyrer.moderation import services
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHY = "Reklame for pengespill, lagt inn på flere innlegg."


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css: str) -> tuple[float, ...]:
    """`rgb(1, 2, 3)` or `rgba(1, 2, 3, 1)` as numbers."""
    values = re.findall(r"[\d.]+", css)
    assert len(values) >= 3, css
    return tuple(float(v) for v in values[:3])


def ring(page: Page, selector: str) -> dict[str, str]:
    """The focus ring's computed colours of the element `selector` matches, focused."""
    page.locator(selector).first.focus()
    return page.locator(selector).first.evaluate(
        """e => { const s = getComputedStyle(e); let p = e.parentElement, bg = 'rgba(0, 0, 0, 0)';
            while (p && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
              bg = getComputedStyle(p).backgroundColor; p = p.parentElement; }
            return {outline: s.outlineColor, style: s.outlineStyle, width: s.outlineWidth,
                    shadow: s.boxShadow, background: bg}; }"""
    )


def test_reports_and_a_channel_reflow_at_390_px_and_the_focus_ring_contrasts(
    page: Page, live_server
):
    world = make_world("flyteby", "indre-fosen")
    items = [
        citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x"),
        citizen_comment(world.channel, "Når åpner svømmehallen igjen etter ferien?"),
        citizen_comment(
            world.other_channel, "Tusen takk for fin informasjon!", author=("u-3", "Per")
        ),
    ]
    services.comment_hide(actor=world.admin, item=items[1], justification="Vurderes nærmere.")
    services.comment_delete(
        actor=world.p.communications, item=items[0], ground="spam", justification=WHY
    )
    ChannelReview.objects.create(channel=world.channel, due_on=date(2026, 11, 4))
    base, slug = live_server.url, world.municipality.slug
    page.set_viewport_size(PHONE)
    login(page, base, world.p.communications)
    for url in (
        f"{base}/m/{slug}/innboks/rapport/",
        f"{base}/m/{slug}/moderering/rapport/",
        f"{base}/m/{slug}/kanaler/{world.channel.pk}/",
        f"{base}/m/{slug}/kanaler/{world.channel.pk}/gjennomgang/",
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert page.locator("table").count() > 0, url
        assert_fits(page)
        # Every table there scrolls in a frame a keyboard can reach, with a name.
        for frame in page.locator(".table-scroll").all():
            assert frame.get_attribute("tabindex") == "0", url
            assert frame.get_attribute("aria-labelledby") or frame.get_attribute("aria-label")
        assert_accessible(page)

    # The English console's work list: the bulk form fits too.
    page.goto(f"{base}/m/{slug}/innboks/")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Bytt språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{base}/m/{slug}/innboks/?vis=all")
    expect(page.locator("fieldset.bulk")).to_be_visible()
    assert_fits(page)

    # The focus ring: ≥ 3:1 against white, and a ring that still shows on the blue header.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/m/{slug}/innboks/rapport/")
    on_white = ring(page, "main a")
    assert on_white["style"] == "solid" and float(on_white["width"].rstrip("px")) >= 2
    assert contrast(rgb(on_white["outline"]), (255, 255, 255)) >= 3, on_white
    assert contrast(rgb(on_white["outline"]), rgb(on_white["background"])) >= 3, on_white
    framed = ring(page, ".table-scroll")
    assert contrast(rgb(framed["outline"]), (255, 255, 255)) >= 3, framed
    in_header = ring(page, ".site-header a")
    header = rgb(in_header["background"])
    halo = rgb(in_header["shadow"]) if in_header["shadow"] != "none" else None
    best = max(
        contrast(rgb(in_header["outline"]), header),
        contrast(halo, header) if halo else 0,
    )
    assert best >= 3, in_header
