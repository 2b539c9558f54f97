"""Webhook routing and dead letters go by live connections only, never by a channel's
registered `platform_id`: that is free text any employee may type into a proposal, not
unique and not scoped to a municipality (CH-1, CH-3, PU-1)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.channels.services import channel_propose
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import connections
from ordstyrer.platforms.models import PlatformConnection, WebhookDelivery
from tests.conftest import make_personas
from tests.platforms.conftest import comment_value, feed_body, ig_body, make_channel, post_signed
from tests.platforms.test_hardening_deadletters import dead, url

pytestmark = pytest.mark.django_db

PAGE = "1818181"  # municipality A's public Facebook Page
IG_ACCOUNT = "17841418181"  # A's Instagram account, linked to PAGE


def _instagram_connected(personas) -> object:
    """A's Instagram channel, connected: `connection_verify` subscribed its linked Page
    (PAGE) to `feed`, so Meta sends that Page's Facebook comments too."""
    channel = make_channel(
        personas, kind="instagram", name="Eksempel på Instagram", platform_id=IG_ACCOUNT
    )
    PlatformConnection.objects.filter(channel=channel).update(
        page_id=PAGE, webhooks_subscribed=True
    )
    return channel


def _post(client, body: bytes, capture) -> None:
    with capture(execute=True):
        post_signed(client, body)


def test_a_neighbours_channel_registered_with_our_page_gets_none_of_our_comments(
    client, personas, django_capture_on_commit_callbacks
) -> None:
    """Scenario A (CH-1, PU-1): B's approved channel names A's Page id but B holds no
    connection for it; A's citizens' comments never land in B's inbox."""
    _instagram_connected(personas)
    neighbours = make_personas(slug="nabo")
    theirs = make_channel(neighbours, platform_id=PAGE, connected=False)
    _post(
        client,
        feed_body([comment_value(PAGE, "222_1801")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert not InboxItem.objects.filter(channel=theirs).exists()
    assert WebhookDelivery.objects.get().unmatched == 1


def test_our_page_comment_goes_to_our_connected_channel_not_the_neighbours(
    client, personas, django_capture_on_commit_callbacks
) -> None:
    """Scenario A with A's Page connected as a channel of its own (CH-1, PU-1)."""
    _instagram_connected(personas)
    ours = make_channel(personas, platform_id=PAGE)
    neighbours = make_personas(slug="nabo")
    theirs = make_channel(neighbours, platform_id=PAGE, connected=False)
    _post(
        client,
        feed_body([comment_value(PAGE, "222_1802")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert InboxItem.objects.filter(channel=ours, platform_id="222_1802").exists()
    assert not InboxItem.objects.filter(channel=theirs).exists()


def test_a_dead_letter_of_our_linked_page_is_ours_not_the_neighbours(client, personas) -> None:
    """Scenario A, dead letter (PU-1): the Page A's Instagram connection subscribed is
    A's; B's channel registered with its id gives B nothing."""
    _instagram_connected(personas)
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id=PAGE, connected=False)
    letter = dead(feed_body([comment_value(PAGE, "222_1803")], PAGE), "sidefeil-A")
    client.force_login(neighbours.communications)
    assert "sidefeil-A" not in client.get(url(neighbours)).content.decode()
    assert client.post(url(neighbours, f"{letter.pk}/forkast/")).status_code == 404
    client.force_login(personas.communications)
    page = client.get(url(personas)).content.decode()
    assert "sidefeil-A" in page and f"/{letter.pk}/forkast/" in page


@pytest.mark.parametrize("how", ["draft_proposal", "approved_unconnected"])
def test_a_neighbour_naming_our_page_cannot_see_or_discard_our_dead_letters(
    client, personas, how
) -> None:
    """Scenario B (CH-3, PU-1): any employee of B may draft a channel with A's Page id;
    B's communications must neither see nor retry nor discard A's dead letters."""
    make_channel(personas, platform_id=PAGE)
    neighbours = make_personas(slug="nabo")
    if how == "draft_proposal":
        channel_propose(
            actor=neighbours.employee,
            municipality=neighbours.municipality,
            name="Vår side",
            kind="facebook",
            platform_id=PAGE,
        )
    else:
        make_channel(neighbours, platform_id=PAGE, connected=False)
    letter = dead(feed_body([comment_value(PAGE, "222_1804")], PAGE), "feil-hos-A")
    client.force_login(neighbours.communications)
    assert "feil-hos-A" not in client.get(url(neighbours)).content.decode()
    assert client.get(url(neighbours, f"{letter.pk}/forkast/")).status_code == 404
    assert client.post(url(neighbours, f"{letter.pk}/forkast/")).status_code == 404
    assert client.post(url(neighbours, f"{letter.pk}/prov-igjen/")).status_code == 404
    assert WebhookDelivery.objects.filter(pk=letter.pk).exists()


def test_a_disconnected_page_channel_gets_nothing_while_its_instagram_stays_connected(
    client, personas, django_capture_on_commit_callbacks
) -> None:
    """Scenario C (CH-1): disconnecting stops routing at once, even though the Page stays
    subscribed for the linked Instagram account's connection."""
    ig = _instagram_connected(personas)
    page_channel = make_channel(personas, platform_id=PAGE)
    PlatformConnection.objects.filter(channel=page_channel).update(webhooks_subscribed=True)
    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_disconnect(
            actor=personas.communications, channel=page_channel, now=timezone.now()
        )
    page_channel.refresh_from_db()
    assert page_channel.platform_id == PAGE  # the registration stays; it routes nothing
    _post(
        client,
        feed_body([comment_value(PAGE, "222_1805")], PAGE),
        django_capture_on_commit_callbacks,
    )
    assert not InboxItem.objects.filter(channel=page_channel).exists()
    _post(
        client,
        ig_body(IG_ACCOUNT, "1790001805", "Fint bilde fra Ørsta!"),
        django_capture_on_commit_callbacks,
    )
    assert InboxItem.objects.filter(channel=ig, platform_id="1790001805").exists()
