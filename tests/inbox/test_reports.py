"""Response times against the deadline: shares in time, median and 90th percentile in
working hours, overdue now; by channel, unit, category and month; charts and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from ordstyrer.inbox.reports import percentile, response_report
from ordstyrer.inbox.services import item_set_status
from tests.inbox.conftest import TUESDAY, comment, ingest

NOW = datetime(2026, 5, 8, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 90, None),
        ([5.0], 90, 5.0),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5),
        ([3, 1, 2], 100, 3),
    ],
)
def test_percentile_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


@pytest.fixture
def answered(world):
    """Tuesday 09:00 Oslo: three items on Skolen, one on Biblioteket."""
    items = [ingest(world.channel, comment(f"c{n}", author=f"u{n}")) for n in range(3)]
    items.append(ingest(world.other_channel, comment("b1", author="u9")))
    # 30 min, 1 h 30 (both within 2 h), then the next day (late), and one never answered.
    for item, after in (
        (items[0], timedelta(minutes=30)),
        (items[1], timedelta(hours=1, minutes=30)),
        (items[2], timedelta(days=1)),
    ):
        with time_machine.travel(TUESDAY + after, tick=False):
            item_set_status(actor=world.editor, item=item, action="answer")
    return items


def test_figures(world, answered):
    report = response_report(
        user=world.p.communications,
        municipality=world.municipality,
        since=date(2026, 5, 1),
        until=date(2026, 5, 31),
        now=NOW,
    )
    total = report.total
    assert total.items == 4 and total.resolved == 3 and total.overdue_now == 1
    # First response: 2 of 4 within 2 working hours (the late one and the unanswered one count).
    assert (total.first_in_time, total.first_judged) == (2, 4)
    # Resolution (7.5 h, Wednesday 09:00): the next-day answer at 09:00 is on the dot.
    assert (total.resolution_in_time, total.resolution_judged) == (3, 4)
    # Working hours of the three first responses: 0.5, 1.5 and 7.5.
    assert total.first_median == 1.5 and total.first_p90 == 7.5
    assert total.resolution_median == 1.5 and total.resolution_p90 == 7.5
    by = {code: {f.label: f for f in rows} for code, _h, rows in report.dimensions}
    assert by["channel"]["Skolen"].items == 3 and by["channel"]["Biblioteket"].overdue_now == 1
    assert list(by["month"]) == ["mai 2026"]
    assert by["unit"][world.municipality.name].items == 4
    assert set(by["category"]) == {"Spørsmål"}


def test_editor_sees_only_their_channels(world, answered):
    report = response_report(
        user=world.editor,
        municipality=world.municipality,
        since=date(2026, 5, 1),
        until=date(2026, 5, 31),
        now=NOW,
    )
    assert report.total.items == 3


def test_period_excludes_other_months(world, answered):
    report = response_report(
        user=world.p.communications,
        municipality=world.municipality,
        since=date(2026, 4, 1),
        until=date(2026, 4, 30),
        now=NOW,
    )
    assert report.total.items == 0 and report.total.first_share is None


def test_report_page_has_charts_with_tables(world, answered):
    client = Client()
    client.force_login(world.p.communications)
    with time_machine.travel(NOW, tick=False):
        response = client.get(
            f"/m/{world.municipality.slug}/innboks/rapport/?fra=2026-05-01&til=2026-05-31"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 4 and html.count("<table>") == 4
    assert '<desc id="chart-channel-desc">Skolen: 100 %; Biblioteket: 0 %</desc>' in html
    assert 'id="total-first-share">50 %<' in html


def test_csv_export(world, answered):
    client = Client()
    client.force_login(world.p.communications)
    with time_machine.travel(NOW, tick=False):
        response = client.get(
            f"/m/{world.municipality.slug}/innboks/rapport.csv?fra=2026-05-01&til=2026-05-31"
        )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Inndeling", "Verdi", "Henvendelser"]
    assert rows[1][:6] == ["Totalt", "Totalt", "4", "3", "50 %", "75 %"]
    assert ["Kanal", "Skolen", "3", "3", "67 %", "100 %"] == rows[2][:6]
