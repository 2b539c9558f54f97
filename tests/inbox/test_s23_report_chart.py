"""The response-time report's charts in Bokmål and Nynorsk (DI-1, product.md §9).

What broke: the chart's numbers were floats printed with `{{ }}`, and Django localises
them for nb and nn with a decimal comma (`width="83,3"`). No SVG number has a comma:
Chromium drew every bar with width 0 and scattered the labels
(tests/browser/test_s23_report_charts.py). And a chart of more than 20 months showed
the oldest 20, not the latest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from ordstyrer.inbox.services import item_set_status
from tests.inbox.conftest import TUESDAY, comment, ingest, signed_in

pytestmark = pytest.mark.django_db

# The attributes of the chart that are numbers.
NUMERIC = re.compile(r'\b(x|y|width|height|viewBox)="([^"]*)"')


def svg_numbers(html: str) -> list[tuple[str, str]]:
    """Every numeric attribute of every chart on the page."""
    charts = re.findall(r'<svg class="bar-chart".*?</svg>', html, flags=re.S)
    assert charts
    return [pair for chart in charts for pair in NUMERIC.findall(chart)]


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_chart_numbers_have_a_decimal_point_in_norwegian(world, language):
    items = [ingest(world.channel, comment(f"c{n}", author=f"u{n}")) for n in range(3)]
    with time_machine.travel(TUESDAY + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.editor, item=items[0], action="answer")
    client = signed_in(world.p.communications)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=UTC), tick=False):
        response = client.get(
            f"/m/{world.municipality.slug}/innboks/rapport/",
            {"fra": "2026-05-01", "til": "2026-05-31"},
        )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    numbers = svg_numbers(response.content.decode())
    assert not [pair for pair in numbers if "," in pair[1]], numbers
    for _name, value in numbers:
        for number in value.split():
            float(number.removesuffix("%"))  # every one a number SVG reads
    # One of Skolen's three resolved in time: a third of the plot (480 - 170 - 60).
    widths = [float(v) for n, v in numbers if n == "width" and v != "100%"]
    assert 83.3 in widths


def test_a_chart_of_more_than_20_months_shows_the_latest(world):
    # One item in each of 22 months, Jan 2025 to Oct 2026: the chart shows Mar 2025 on.
    first = datetime(2025, 1, 14, 9, 0, tzinfo=UTC)
    for n in range(22):
        at = datetime(2025 + (n // 12), n % 12 + 1, 14, 9, 0, tzinfo=UTC)
        ingest(world.channel, comment(f"m{n}", author=f"u{n}", created=at), at=at)
    with time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=UTC), tick=False):
        response = signed_in(world.p.communications).get(
            f"/m/{world.municipality.slug}/innboks/rapport/",
            {"fra": first.date().isoformat(), "til": "2026-10-31"},
        )
    month = next(s for s in response.context["sections"] if s["code"] == "month")
    assert len(month["rows"]) == 22  # the table has them all
    labels = [bar["label"] for bar in month["chart"]["bars"]]
    assert len(labels) == 20
    assert labels[0] == month["rows"][2]["label"] and labels[-1] == month["rows"][-1]["label"]
    assert labels[-1].endswith("2026") and labels[-1].startswith("oktober")
