"""«Over fristen nå» in the response-time report is the inbox header's count (DI-1, CH-5).

What broke: the report judged "overdue now" only among the items received in the
period, so a question received 100 days ago and still unanswered — the one most
overdue — was missing from the report (page and CSV) while the inbox header and the
channel's CH-5 flag counted it; docs/inbox.md said the two were the same count."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from ordstyrer.inbox.reports import response_report
from tests.inbox.conftest import comment, ingest, signed_in

pytestmark = pytest.mark.django_db

OLD = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)  # a Tuesday
NOW = OLD + timedelta(days=100)


def test_an_item_overdue_since_before_the_period_is_overdue_now(world):
    ingest(world.channel, comment("old", created=OLD), at=OLD)
    recent = NOW - timedelta(days=5)
    ingest(world.other_channel, comment("recent", author="u2", created=recent), at=recent)
    # Spam waits for no answer: never overdue (selectors.NOT_WAITING), old or not.
    ingest(world.channel, comment("spam", "Tjen 5000 kr i uka! bit.ly/x", author="u3"), at=OLD)
    slug = world.municipality.slug
    client = signed_in(world.p.communications)
    with time_machine.travel(NOW, tick=False):
        header = client.get(f"/m/{slug}/innboks/").context["page"].overdue_count
        page = client.get(f"/m/{slug}/innboks/rapport/")  # the last 90 days
        body = client.get(f"/m/{slug}/innboks/rapport.csv").content.decode("utf-8-sig")
    assert header == 2
    assert page.context["report"].since > OLD.date()
    assert page.context["total"]["overdue_now"] == header
    # Keyed as the period's rows: by channel, and by its month of arrival.
    sections = {s["code"]: s["rows"] for s in page.context["sections"]}
    assert {r["label"]: r["overdue_now"] for r in sections["channel"]} == {
        "Biblioteket": 1,
        "Skolen": 1,
    }
    januar = next(r for r in sections["month"] if r["label"] == "januar 2026")
    assert (januar["items"], januar["overdue_now"]) == (0, 1)
    assert sum(r["overdue_now"] for r in sections["category"]) == header
    # The CSV has the same figures: its last column, «Over fristen nå».
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][-1] == "Over fristen nå"
    assert rows[1][-1] == str(header)  # «Totalt»
    assert sorted((r[1], r[-1]) for r in rows if r[0] == "Kanal") == [
        ("Biblioteket", "1"),
        ("Skolen", "1"),
    ]


def test_only_the_channels_the_reader_reads(world):
    ingest(world.channel, comment("old", created=OLD), at=OLD)
    ingest(world.other_channel, comment("other", author="u2", created=OLD), at=OLD)
    report = response_report(
        user=world.other_editor,
        municipality=world.municipality,
        since=date(2026, 4, 1),
        until=date(2026, 4, 15),
        now=NOW,
    )
    assert report.total.overdue_now == 1 and report.total.items == 0
