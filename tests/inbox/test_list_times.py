"""Every row of the work list says when the item came and how long is left, relative
and exact (issue #15, items 7 and 10)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client

from tests.inbox.conftest import TUESDAY, comment, ingest


def test_each_row_shows_received_and_time_left_relative_with_the_exact_time(world):
    ingest(world.channel, comment("c-time", "Når kommer brøytebilen?"), TUESDAY)
    client = Client()
    client.force_login(world.p.communications)
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        html = client.get(f"/m/{world.municipality.slug}/innboks/").content.decode()
    # Received an hour ago, exact time on hover (TUESDAY is 09.00 in Oslo).
    assert 'title="5. mai 2026 kl. 09.00">for 1\xa0time siden</time>' in html
    assert "Mottatt" in html
    # The deadline: how long is left, and the exact time written out beside it.
    assert 'title="5. mai 2026 kl. 11.00">om 1\xa0time</time>' in html
    assert '<span class="exact-time"> (5. mai 2026 kl. 11.00)</span>' in html
