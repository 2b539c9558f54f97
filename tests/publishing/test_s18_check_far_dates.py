"""The composer's live check takes the publishing time as the services do
(`services._publish_at`): a time a year or more ahead, or long past, is a Norwegian
message in the findings' place, never a 500 (an OverflowError counting the week's
posts at the edge of the calendar, PU-10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.publishing.models import ChannelPublishing
from tests.publishing.conftest import make_world

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"


@pytest.mark.parametrize(
    ("preset", "when", "message"),
    [
        ("midt-telemark", "9999-12-30T12:00", "Planlegg høyst ett år fram i tid."),
        ("midt-telemark", "9999-12-31T23:59", "Planlegg høyst ett år fram i tid."),
        ("indre-fosen", "9999-12-31T23:00", "Planlegg høyst ett år fram i tid."),
        ("indre-fosen", "0001-01-01T00:30", "Tidspunktet for publisering har passert."),
    ],
)
def test_the_live_check_answers_a_far_date_with_a_message(client, db, preset, when, message):
    """PU-10: the main page selected, a date at the calendar's edge."""
    w = make_world("fjern", preset)
    ChannelPublishing.objects.update_or_create(channel=w.page, defaults={"is_main_page": True})
    client.force_login(w.editor)
    response = client.post(
        reverse("publishing:check", args=[w.municipality.slug]),
        {"channels": [w.page.pk], "text": TEXT, "publish_at": when},
        headers={"X-Ordstyrer-Fragment": "findings"},
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
