"""PU-6: a file's public URL (what Instagram fetches, without login) serves the file only
while a platform needs to fetch it for a post on its way, never after its consent is
withdrawn or the post is taken down (s19).

Before, the URL served the file for ever to anyone with the link: a child's photo went
out on Instagram, the guardian withdrew the consent, communications took the post down,
and the photo was still there at /m/<slug>/publisering/fil/<token>/.
"""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.connectors.instagram.connector import InstagramConnector
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import consent_record, media_update
from ordstyrer.publishing.models import DeliveryStatus, MediaAsset, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import jpeg

pytestmark = pytest.mark.django_db

TEXT = "Bilder fra skoleavslutningen i dag. Se flere: https://indrefosen.kommune.no/skole"
REASON = "Foresatte har trukket tilbake samtykket."


def _url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _fetch(w, token) -> int:
    """What anyone with the link gets: no login."""
    return Client().get(_url(w, "public_media", token)).status_code


def _child_photo(c, client):
    """A photo of a child, uploaded in the console, with the guardian's signed form."""
    w = c.world
    client.force_login(w.editor)
    response = client.post(
        _url(w, "media"),
        {"file": _named(jpeg(7), "avslutning.jpg"), "alt_text": "Elever synger på scenen"},
    )
    assert response.status_code == 302
    asset = MediaAsset.objects.get(municipality=w.municipality)
    media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="recognisable",
        children=True,
        photographer_permission=True,
    )
    consent = consent_record(
        actor=w.editor,
        asset_id=asset.pk,
        person_name="Ola (8)",
        given_by="Kari, mor",
        given_at=date(2026, 1, 5),
        is_child=True,
        form_name="skjema.pdf",
        form_content=b"%PDF-1.4 signert",
    )
    asset.refresh_from_db()
    return asset, consent


def _named(content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _released(c, asset, channels):
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[ch.pk for ch in channels],
        text=TEXT,
        media_ids=[asset.pk],
    )
    return post_publish(actor=c.world.editor, post_id=post.pk)


def _fetched_by_instagram(c, monkeypatch) -> list[int]:
    """What the URL answered when Instagram was told to fetch it (during the container
    call: Meta downloads the file then, Graph §4.5)."""
    seen: list[int] = []
    publish = InstagramConnector.publish

    def fetching(self, draft):
        seen.extend(Client().get(urlsplit(m.url).path).status_code for m in draft.media)
        return publish(self, draft)

    monkeypatch.setattr(InstagramConnector, "publish", fetching)
    return seen


def test_the_photo_is_not_served_after_consent_withdrawal_or_take_down(
    connected, client, monkeypatch
):
    """PU-6: served while the Instagram delivery is queued and while Instagram fetches it;
    not once it is out; after the guardian withdraws the consent the old link (and the
    file's new one) serve nothing, nor after the take-down."""
    c = connected
    w = c.world
    asset, consent = _child_photo(c, client)
    first = asset.public_token
    assert _fetch(w, first) == 404  # in no post: nothing needs it

    post = _released(c, asset, [c.instagram])
    row = post.deliveries.get()
    assert row.status == DeliveryStatus.QUEUED
    assert _fetch(w, first) == 200
    # Another municipality's address for the same token: nothing.
    assert (
        Client().get(reverse("publishing:public_media", args=["annen", first])).status_code == 404
    )

    seen = _fetched_by_instagram(c, monkeypatch)
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    assert seen == [200]  # the Instagram path works as before
    assert _fetch(w, first) == 404  # out: Meta has its copy, nobody needs ours

    # The guardian withdraws the consent; communications confirms «Trekk tilbake».
    response = client.post(
        _url(w, "consent_withdraw", asset.pk, consent.pk),
        {"note": "Mor ringte.", "confirm": "on"},
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.public_token != first
    assert _fetch(w, first) == 404
    assert _fetch(w, asset.public_token) == 404

    response = client.post(_url(w, "take_down", post.pk), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.taken_down_at is not None
    assert _fetch(w, first) == 404


def test_a_consent_withdrawn_while_the_post_waits_stops_the_url_at_once(
    connected, client, monkeypatch
):
    """PU-6: withdrawn while the Instagram delivery is still queued: the URL serves
    nothing at once, the old token nor the new, and the delivery's own check stops the
    post before Instagram is asked to fetch anything."""
    c = connected
    w = c.world
    asset, consent = _child_photo(c, client)
    post = _released(c, asset, [c.instagram])
    first = asset.public_token
    assert _fetch(w, first) == 200

    response = client.post(
        _url(w, "consent_withdraw", asset.pk, consent.pk), {"note": "", "confirm": "on"}
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert _fetch(w, first) == 404 and _fetch(w, asset.public_token) == 404
    seen = _fetched_by_instagram(c, monkeypatch)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.FAILED
    assert seen == []


def test_taking_the_post_down_stops_the_url(connected, client):
    """PU-6: out on Instagram, still queued for Facebook (so the file is served); taken
    down in the console, the copy still to go is stopped and the URL serves nothing."""
    c = connected
    w = c.world
    asset, _consent = _child_photo(c, client)
    post = _released(c, asset, [c.instagram, c.facebook])
    first = asset.public_token
    instagram = post.deliveries.get(channel=c.instagram)
    assert delivery.delivery_run(post_channel_id=instagram.pk) == DeliveryStatus.PUBLISHED
    assert post.deliveries.get(channel=c.facebook).status == DeliveryStatus.QUEUED
    assert _fetch(w, first) == 200

    response = client.post(_url(w, "take_down", post.pk), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.taken_down_at is not None and post.status == PostStatus.DRAFT
    asset.refresh_from_db()
    assert asset.public_token != first
    assert _fetch(w, first) == 404 and _fetch(w, asset.public_token) == 404


def test_a_take_down_leaves_the_url_of_a_file_another_post_is_sending(connected, client):
    """PU-6: the same photo in a second post whose Instagram delivery is queued: taking
    the first post down does not break the second one's fetch."""
    c = connected
    w = c.world
    asset, _consent = _child_photo(c, client)
    first_post = _released(c, asset, [c.instagram])
    row = first_post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    _released(c, asset, [c.instagram])
    token = MediaAsset.objects.get(pk=asset.pk).public_token

    response = client.post(_url(w, "take_down", first_post.pk), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    assert MediaAsset.objects.get(pk=asset.pk).public_token == token
    assert _fetch(w, token) == 200
