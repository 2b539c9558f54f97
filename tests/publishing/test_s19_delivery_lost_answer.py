"""A post with no text whose platform answer was lost after the platform published it is
never published twice (Graph: no idempotency key; retries must re-check state first).

An image alone on Facebook or Instagram: the retry finds the copy by its file's alt text,
made after the attempt started, and records it. A video alone has nothing to tell it
apart: the delivery is not sent again but failed with what to look for on the page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PostRec, VideoRec
from tests.publishing.conftest import MP4, jpeg

ALT = "Rådhuset i Rissa en solfylt vinterdag"


def lose_answer(graph: FakeGraph, *, method: str, path_end: str) -> list[Any]:
    """The stand-in carries out the next matching call; a gateway in front of it answers
    502 instead, so the answer never reaches Ordstyrer. Returns what was lost."""
    dispatch = graph.dispatch
    lost: list[Any] = []

    def gateway(m: str, path: str, req: Any, base: str, *, version: str | None = None) -> Any:
        status, payload, headers = dispatch(m, path, req, base, version=version)
        if not lost and m == method and path.endswith(path_end) and status == 200:
            lost.append(payload)  # done on the platform, never heard of here
            return 502, "Bad Gateway", {}
        return status, payload, headers

    graph.dispatch = gateway  # type: ignore[method-assign]
    return lost


def _image(c: Any) -> Any:
    asset = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="radhuset.jpg",
        content=jpeg(7),
        alt_text=ALT,
    )
    return media_update(
        actor=c.world.editor,
        asset_id=asset.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )


def _video(c: Any) -> Any:
    video = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="mote.mp4",
        content=MP4,
        caption_mode="no_speech",
    )
    return media_update(
        actor=c.world.editor,
        asset_id=video.pk,
        people="none",
        photographer_permission=True,
        music_cleared=True,
    )


def _sent(c: Any, channel: Any, asset: Any) -> Any:
    """A post with `asset` alone (no text) on `channel`, released."""
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[channel.pk],
        text="",
        media_ids=[asset.pk],
    )
    post = post_publish(
        actor=c.world.editor, post_id=post.pk, override_reason="Bildet sier det som trengs."
    )
    assert post.status == PostStatus.PUBLISHING, post.findings
    return post.deliveries.get()


def _fb_posts(c: Any) -> list[PostRec]:
    return [
        o
        for o in c.fake.store.objects.values()
        if isinstance(o, PostRec) and o.page_id == c.page.id and o.is_published
    ]


def _retry(row: Any) -> None:
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.attempt_started_at is not None
    assert delivery.retry_due(now=row.next_attempt_at + timedelta(seconds=1)) == 1
    row.refresh_from_db()


def test_an_image_alone_on_facebook_is_not_published_twice_after_a_lost_answer(connected):
    """Graph (no idempotency key): POST /photos reaches Meta, its answer is lost; the
    retry finds the photo post by its alt text and records it. One post on the page."""
    c = connected
    row = _sent(c, c.facebook, _image(c))
    lost = lose_answer(c.fake, method="POST", path_end="/photos")
    assert delivery.delivery_run(post_channel_id=row.pk, now=timezone.now()) == "retrying"
    assert lost and len(_fb_posts(c)) == 1  # published on the platform
    _retry(row)
    assert row.status == DeliveryStatus.PUBLISHED
    [only] = _fb_posts(c)  # never twice
    assert row.platform_id == only.id
    assert Post.objects.get(pk=row.post_id).status == PostStatus.PUBLISHED


def test_an_image_alone_on_instagram_is_not_published_twice_after_a_lost_answer(connected):
    """`media_publish` reaches Meta, its answer is lost: the retry finds the media by its
    alt text and records it. One media on the account."""
    c = connected
    row = _sent(c, c.instagram, _image(c))
    lose_answer(c.fake, method="POST", path_end="/media_publish")
    assert delivery.delivery_run(post_channel_id=row.pk, now=timezone.now()) == "retrying"

    def published() -> list[Any]:
        return [o for o in c.fake.store.objects.values() if type(o).__name__ == "IgMediaRec"]

    assert len(published()) == 1
    _retry(row)
    assert row.status == DeliveryStatus.PUBLISHED
    assert len(published()) == 1
    assert row.platform_id == published()[0].id


def test_a_copy_that_cannot_be_told_apart_is_left_for_a_person_to_check(connected, client):
    """A video alone (nothing to know it by): after a lost answer the retry does not send
    it again but fails the delivery with what to look for; the post page says so. The
    attempt's stamp goes: a person who looked and sends it again is not asked again."""
    c = connected
    row = _sent(c, c.facebook, _video(c))
    # The video goes up unpublished and is then published (PU-3: captions first, review
    # s21); every answer to reading it back is lost, so the attempt ends not knowing.
    dispatch = c.fake.dispatch

    def gateway(m: str, path: str, req: Any, base: str, *, version: str | None = None) -> Any:
        status, payload, headers = dispatch(m, path, req, base, version=version)
        if m == "GET" and isinstance(c.fake.store.objects.get(path.rsplit("/", 1)[-1]), VideoRec):
            return 502, "Bad Gateway", {}
        return status, payload, headers

    c.fake.dispatch = gateway
    assert delivery.delivery_run(post_channel_id=row.pk, now=timezone.now()) == "retrying"
    c.fake.dispatch = dispatch
    assert len(_fb_posts(c)) == 1
    _retry(row)
    assert row.status == DeliveryStatus.FAILED
    assert len(_fb_posts(c)) == 1  # not sent again blindly
    assert row.error.startswith("Ordstyrer vet ikke om innlegget ble publisert på «Pubby på")
    assert row.attempt_started_at is None
    post = Post.objects.get(pk=row.post_id)
    assert post.status == PostStatus.FAILED
    client.force_login(c.world.editor)
    page = client.get(
        reverse("publishing:detail", args=[c.world.municipality.slug, post.pk])
    ).content.decode()
    assert "Se etter innlegget på kanalen" in page
