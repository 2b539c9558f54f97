"""E-mail that helps (#15): links in e-mail are absolute (ORDSTYRER_BASE_URL), so a mail
client can open them — in the daily digest as in the immediate ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.inbox.digest import digest_sweep
from ordstyrer.inbox.sweeps import deadlines_sweep
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db
DUE = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("base", "public", "expected"),
    [
        ("https://ordstyrer.eksempel.no/", "", "https://ordstyrer.eksempel.no/m/"),
        ("", "https://offentlig.eksempel.no", "https://offentlig.eksempel.no/m/"),
        ("", "", "http://localhost:"),
    ],
)
def test_deadline_mail_links_are_absolute(
    world, settings, django_capture_on_commit_callbacks, base, public, expected
):
    settings.ORDSTYRER_BASE_URL, settings.ORDSTYRER_PUBLIC_URL = base, public
    item = ingest(world.channel, comment("c1"))
    at = DUE + timedelta(minutes=1)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert deadlines_sweep(now=at) == 1
        assert digest_sweep(now=at) == 2
    path = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    assert mail.outbox and all(expected in m.body and path in m.body for m in mail.outbox)
    assert all(f" {path}" not in m.body for m in mail.outbox)  # never a bare relative link
