"""A pasted token waiting for its proof holds no Page (CH-3, PU-1): until Meta confirms
the token is the Page's own, the claiming municipality neither sees nor discards the
failed webhook deliveries of that Page on its «Webhook-feil» page."""

from __future__ import annotations

import pytest

from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from tests.platforms.conftest import comment_value, feed_body, make_channel
from tests.platforms.test_hardening_deadletters import dead, url

pytestmark = pytest.mark.django_db

NEIGHBOURS_PAGE = "1515151"


@pytest.mark.parametrize(
    ("status", "shown"),
    [(ConnectionStatus.PENDING, False), (ConnectionStatus.CONNECTED, True)],
)
def test_a_page_claimed_but_not_proven_shows_none_of_its_dead_letters(
    client, personas, status, shown
):
    channel = make_channel(personas, platform_id=NEIGHBOURS_PAGE)
    PlatformConnection.objects.filter(channel=channel).update(status=status)
    letter = dead(feed_body([comment_value(NEIGHBOURS_PAGE, "222_1900")], NEIGHBOURS_PAGE))
    client.force_login(personas.communications)
    page = client.get(url(personas)).content.decode()
    assert (f"/{letter.pk}/forkast/" in page) is shown
    expected = 200 if shown else 404
    assert client.get(url(personas, f"{letter.pk}/forkast/")).status_code == expected


def test_other_municipalities_newer_failures_do_not_push_ours_off_the_page(
    client, personas, monkeypatch
):
    """The page lists the municipality's own newest dead letters, however many newer
    ones other municipalities have (the list was cut before it was filtered)."""
    from ordstyrer.platforms import deadletters
    from tests.conftest import make_personas

    monkeypatch.setattr(deadletters, "LIST_LIMIT", 3)
    make_channel(personas, platform_id=NEIGHBOURS_PAGE)
    ours = dead(feed_body([comment_value(NEIGHBOURS_PAGE, "222_1910")], NEIGHBOURS_PAGE))
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id="1414141")
    for n in range(5):
        dead(feed_body([comment_value("1414141", f"222_192{n}")], "1414141"))
    client.force_login(personas.communications)
    page = client.get(url(personas)).content.decode()
    assert f"/{ours.pk}/forkast/" in page
