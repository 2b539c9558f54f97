"""The work list's rows are written without Django's general date formatter (the list's
CPU, #14); they must say exactly what `core.relative` says (#15, items 7 and 10)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from ordstyrer.channels.models import Channel
from ordstyrer.core.relative import exact, relative
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.presenters import list_rows, render_rows

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night summer time begins in Oslo


def _items(offsets: list[timedelta]) -> list[InboxItem]:
    channel = Channel(pk=1, name="Skolen & <biblioteket>")
    items = [
        InboxItem(
            pk=n + 1,
            channel=channel,
            author_name='Kari "K" <Nordmann>',
            text="Når & hvor? <b>",
            category="question",
            status="new",
            open=True,
            received_at=NOW - abs(offset),
            due_at=NOW + offset,
            written_standard="nn" if n % 2 else "nb",
        )
        for n, offset in enumerate(offsets)
    ]
    for item in items:  # as `inbox_page` reads it, with the row
        item.channel_name = channel.name
    return items


def _offsets() -> list[timedelta]:
    rng = random.Random(15)
    fixed = [
        timedelta(0),
        timedelta(seconds=59),
        timedelta(seconds=60),
        timedelta(minutes=59, seconds=59),
        timedelta(hours=1),
        timedelta(hours=23, minutes=59),
        timedelta(days=1),
        timedelta(days=6, hours=23),
        timedelta(days=7),
        timedelta(days=26, hours=23, minutes=59),
        timedelta(days=27),
        timedelta(days=31),
        timedelta(days=28),
        timedelta(days=31),
        timedelta(days=59),
        timedelta(days=365),
        timedelta(days=366),
        timedelta(days=400),
        timedelta(days=800, hours=5),
    ]
    spread = [timedelta(seconds=rng.randrange(-900 * 86400, 900 * 86400)) for _ in range(600)]
    return fixed + [-o for o in fixed] + spread


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_row_times_say_what_web_relative_says(language):
    offsets = _offsets()
    with translation.override(language):
        rows = list_rows(_items(offsets), slug="innby", now=NOW)
        for row, offset in zip(rows, offsets, strict=True):
            due, received = NOW + offset, NOW - abs(offset)
            assert row.due_text == exact(due)
            assert row.due_relative == relative(due, NOW)
            assert row.received_text == exact(received)
            assert row.received_relative == relative(received, NOW)


def test_rows_escape_what_citizens_and_channels_write():
    with translation.override("nb"):
        html = render_rows(list_rows(_items([timedelta(hours=2)]), slug="innby", now=NOW))
        due = exact(NOW + timedelta(hours=2))
    assert "<b>" not in html and "<biblioteket>" not in html and "<Nordmann>" not in html
    assert "Kari &quot;K&quot; &lt;Nordmann&gt;" in html
    assert "Skolen &amp; &lt;biblioteket&gt;" in html
    assert "Når &amp; hvor? &lt;b&gt;" in html
    assert due.endswith("2026 kl. 04.30")  # summer time began at 01.00 UTC
    assert f'title="{due}">om 2\xa0timer</time>' in html
