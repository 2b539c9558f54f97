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
