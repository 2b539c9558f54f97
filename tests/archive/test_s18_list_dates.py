"""The archive list's date filter takes the export form's years (the console of AR-1…AR-3).

A date at the calendar's ends cannot be made a time in Oslo: `?until=9999-12-31`
(and `?since=0001-01-01` on SQLite) was a server error. The filter now refuses a date
outside 1900–2100 with a Norwegian message, and the page shows the records unfiltered.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "query",
    ["until=9999-12-31", "since=0001-01-01", "since=0001-01-01&until=9999-12-31"],
)
def test_a_date_at_the_calendars_end_is_refused_not_a_server_error(client, personas, query):
    """AR-1…AR-3 console: the list answers with the field's error, never a 500."""
    p = personas
    archive_append(
        actor=p.communications, entry=deleted_comment(p, make_channel(p)), backdated_to=DAY
    )
    client.force_login(p.communications)
    page = client.get(reverse("archive:list", args=[p.municipality.slug]) + "?" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Velg en dato mellom årene 1900 og 2100." in html
    assert "Kontroller feltene under." in html
    assert "1 arkivpost" in html  # the list itself, unfiltered


def test_a_date_inside_the_years_still_filters(client, personas):
    p = personas
    archive_append(
        actor=p.communications, entry=deleted_comment(p, make_channel(p)), backdated_to=DAY
    )
    client.force_login(p.communications)
    url = reverse("archive:list", args=[p.municipality.slug])
    html = client.get(url + "?since=2025-05-17&until=2100-12-31").content.decode()
    assert "0 arkivposter" in html and "Velg en dato" not in html
    html = client.get(url + "?since=1900-01-01&until=2025-05-16").content.decode()
    assert "1 arkivpost" in html and "Velg en dato" not in html
