"""Publishing to Facebook and Instagram through the Graph stand-in: photos with alt text,
Facebook's own scheduler, Instagram's container flow and 24-hour cap, and a failure
after the platform accepted the post (never a double post)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer_fakegraph.store import PostRec
from tests.publishing.conftest import jpeg

TEXT = (
    "Kommunestyret møtes torsdag klokka 18 i rådhuset. Alle kan komme. "
    "Se sakene på https://indrefosen.kommune.no/politikk"
)


def _page_posts(c, text=TEXT):
    return [
        o
        for o in c.fake.store.objects.values()
        if isinstance(o, PostRec) and (o.message or "") == text
    ]


def _image(c, alt="Rådhuset i Rissa en solfylt vinterdag"):
    asset = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="radhuset.jpg",
        content=jpeg(),
        alt_text=alt,
    )
    return media_update(
        actor=c.world.editor,
        asset_id=asset.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )


def _publish(c, channel, *, media=(), text=TEXT, now=None, **kw):
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[channel.pk],
        text=text,
        media_ids=[a.pk for a in media],
        **kw,
    )
    return post_publish(actor=c.world.editor, post_id=post.pk, now=now)


def test_facebook_text_post(connected):
    c = connected
    post = _publish(c, c.facebook)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert row.platform_id.startswith(c.page.id + "_")
    assert len(_page_posts(c)) == 1


def test_facebook_photo_carries_the_alt_text(connected):
    c = connected
    image = _image(c)
    post = _publish(c, c.facebook, media=[image])
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    photos = [
        o
        for o in c.fake.store.objects.values()
        if getattr(o, "alt_text_custom", None) == "Rådhuset i Rissa en solfylt vinterdag"
    ]
    assert len(photos) == 1


def test_facebook_native_schedule_and_confirmation(connected):
    c = connected
    now = timezone.now()
    at = now + timedelta(days=1)
    post = _publish(c, c.facebook, publish_at=at, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED
    row.refresh_from_db()
    assert row.platform_scheduled and row.platform_id
    [stored] = _page_posts(c)
    assert stored.is_published is False and stored.scheduled_publish_time is not None
    # Before Facebook publishes it, nothing changes on our side.
    assert delivery.confirm_native(now=at + timedelta(minutes=5)) == 0
    stored.is_published = True  # Facebook's scheduler ran
    assert delivery.confirm_native(now=at + timedelta(minutes=5)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_facebook_failure_after_the_post_was_accepted_is_not_posted_twice(connected):
    """Facebook stores the post, then the read-back fails (Graph code 2, transient, more
    times than the client retries): the delivery retries later and finds the post."""
    c = connected
    post = _publish(c, c.facebook)
    row = post.deliveries.get()
    c.fake.inject(code=2, method="GET", path=f"/{c.page.id}_", times=10, is_transient=True)
    first = timezone.now()
    assert delivery.delivery_run(post_channel_id=row.pk, now=first) == "retrying"
    assert len(_page_posts(c)) == 1  # accepted by the platform
    c.fake.store.injections.clear()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.attempt_started_at is not None
    assert delivery.retry_due(now=row.next_attempt_at + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert len(_page_posts(c)) == 1  # never twice
    assert row.platform_id == _page_posts(c)[0].id


def test_facebook_permanent_error_flags_the_post_failed_in_norwegian(connected):
    c = connected
    post = _publish(c, c.facebook)
    row = post.deliveries.get()
    c.fake.inject(code=200, method="POST", path="/feed", times=1)
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.FAILED
    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert row.error.startswith("Publiseringen på «Pubby på Facebook» feilet")


def test_instagram_needs_media(connected):
    c = connected
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.instagram.pk],
        text=TEXT,
    )
    assert any(
        f["rule"] == "channel" and "Instagram krever" in f["message_nb"] for f in post.findings
    )


def test_instagram_container_publish_and_hold_for_later(connected):
    c = connected
    image = _image(c)
    now = timezone.now()
    post = _publish(c, c.instagram, media=[image], publish_at=now + timedelta(hours=2), now=now)
    row = post.deliveries.get()
    # Instagram has no native scheduling: held by us, not sent.
    assert row.status == DeliveryStatus.SCHEDULED and not row.platform_scheduled
    assert delivery.release_due(now=now + timedelta(hours=2, seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    media_objects = [o for o in c.fake.store.objects.values() if type(o).__name__ == "IgMediaRec"]
    assert len(media_objects) == 1
    assert media_objects[0].alt_text == "Rådhuset i Rissa en solfylt vinterdag"
    assert "/publisering/fil/" in media_objects[0].media_url


def test_instagram_publishing_cap_waits_without_failing(connected):
    c = connected
    image = _image(c)
    ig = c.fake.store.objects[c.page.ig_user_id]
    ig.quota_total = 1
    ig.published_at.append(c.fake.store.now())
    post = _publish(c, c.instagram, media=[image])
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == "retrying"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED
    assert row.attempts == 0  # the cap does not use up attempts
    assert row.next_attempt_at >= timezone.now() + timedelta(minutes=59)


def test_facebook_video_with_a_webvtt_caption_file_goes_up_as_srt(connected):
    """PU-3: the caption file travels with the video (`/{video-id}/captions`, SRT)."""
    from tests.publishing.conftest import MP4

    c = connected
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.500\nVelkommen til kommunestyret.\n"
    video = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="mote.mp4",
        content=MP4,
        caption_mode="file",
        captions_name="mote.vtt",
        captions=vtt.encode(),
    )
    media_update(
        actor=c.world.editor,
        asset_id=video.pk,
        people="none",
        photographer_permission=True,
        music_cleared=True,
    )
    post = _publish(c, c.facebook, media=[video])
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    [uploaded] = [o for o in c.fake.store.objects.values() if type(o).__name__ == "VideoRec"]
    [caption] = uploaded.captions.values()
    assert caption.locale == "nb_NO"
    assert "00:00:00,000 --> 00:00:02,500" in caption.content
    assert "Velkommen til kommunestyret." in caption.content


def test_instagram_failure_after_media_publish_is_not_posted_twice(connected):
    """`media_publish` succeeded, then reading the new media back failed: the retry finds
    the media on the account instead of publishing a second copy."""
    c = connected
    image = _image(c)
    post = _publish(c, c.instagram, media=[image])
    row = post.deliveries.get()
    c.fake.inject(code=2, method="GET", path="/179", times=10, is_transient=True)
    assert delivery.delivery_run(post_channel_id=row.pk) == "retrying"
    c.fake.store.injections.clear()

    def published():
        return [o for o in c.fake.store.objects.values() if type(o).__name__ == "IgMediaRec"]

    assert len(published()) == 1
    row.refresh_from_db()
    assert delivery.retry_due(now=row.next_attempt_at + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert len(published()) == 1
    assert row.platform_id == published()[0].id


def test_facebook_several_photos_go_up_as_attached_media(connected):
    c = connected
    first = _image(c, alt="Rådhuset sett fra torget")
    second = _image(c, alt="Ordføreren klipper snoren")
    post = _publish(c, c.facebook, media=[first, second])
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    [stored] = _page_posts(c)
    assert len(stored.attached_media) == 2
    alts = {getattr(o, "alt_text_custom", None) for o in c.fake.store.objects.values()}
    assert {"Rådhuset sett fra torget", "Ordføreren klipper snoren"} <= alts
