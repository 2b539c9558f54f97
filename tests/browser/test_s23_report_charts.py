"""The two reports' bar charts as Chromium draws them in Bokmål and Nynorsk (DI-1, MO-1).

What broke: the charts' numbers were printed localised, with a decimal comma
(`width="83,3"`, `y="15,4"`). SVG reads no comma: every bar had width 0 and every
label stood at the top of the chart, on top of each other. The figures themselves were
right, so only a browser shows it."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from ordstyrer.inbox.services import item_set_status
from ordstyrer.moderation import services
from tests.browser_support import login
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHY = "Reklame for pengespill, lagt inn på flere innlegg."
GEOMETRY = """svg => ({
    bars: [...svg.querySelectorAll('rect.chart-bar')].map(r => r.getBBox().width),
    labels: [...svg.querySelectorAll('text.chart-label')].map(t => t.getBBox().y),
    values: [...svg.querySelectorAll('text.chart-value')].map(t => t.getBBox().x),
})"""


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_report_charts_draw_their_bars(page: Page, live_server, language):
    world = make_world("stolpeby", "indre-fosen")
    questions = [
        citizen_comment(world.channel, "Når åpner svømmehallen igjen etter ferien?"),
        citizen_comment(world.channel, "Hvor kan jeg melde fra om et hull i veien?"),
        citizen_comment(
            world.other_channel, "Er biblioteket åpent i påsken?", author=("u-3", "Per")
        ),
    ]
    # Answered in time, one on each channel (the rest are not judged yet: still in time,
    # or moderated, not answered).
    item_set_status(actor=world.editor, item=questions[0], action="answer")
    item_set_status(actor=world.other_editor, item=questions[2], action="answer")
    spam = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x")
    services.comment_delete(actor=world.admin, item=spam, ground="spam", justification=WHY)
    services.comment_hide(
        actor=world.admin, item=citizen_comment(world.channel, "Dette er bare tull og vas.")
    )
    base, slug = live_server.url, world.municipality.slug
    login(page, base, world.p.communications)
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )

    page.goto(f"{base}/m/{slug}/innboks/rapport/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    drawn = page.locator("svg.bar-chart").first.evaluate(GEOMETRY)  # «Etter kanal»
    # Skolen and Biblioteket, each 100 % in time: the whole plot (480 - 170 - 60).
    assert drawn["bars"] == [250, 250]
    assert drawn["labels"] == sorted(drawn["labels"]) and len(set(drawn["labels"])) == 2
    assert all(x > 170 for x in drawn["values"])  # beside the bars, not over the labels

    page.goto(f"{base}/m/{slug}/moderering/rapport/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    drawn = page.locator("svg.bar-chart").evaluate(GEOMETRY)
    # One deletion on «Spam», one hide without a ground: the same length.
    assert len(drawn["bars"]) == 2 and min(drawn["bars"]) > 100
    assert drawn["labels"] == sorted(drawn["labels"]) and len(set(drawn["labels"])) == 2
    assert all(x > 190 for x in drawn["values"])
