"""A scheduled post that failed on one channel still goes out at its time on a channel
where Ordstyrer holds it, as a copy on the platform's own scheduler would: never left
«Planlagt» for good while the post says «Feilet».

Facebook (handed to Meta's scheduler) fails for good; Instagram (no scheduler in the API,
held by Ordstyrer) is published by the publishing sweep once its time has come."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.publishing.sweeps import publishing_sweep
from tests.publishing.conftest import jpeg

TEXT = "Kommunestyret møtes torsdag klokka 18 i rådhuset. Alle kan komme."


def test_a_held_copy_goes_out_at_its_time_though_the_native_one_failed(connected, client):
    """PU-12's and CH-1's stops aside, a held copy of a failed post is sent when due."""
    c = connected
    image = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="radhuset.jpg",
        content=jpeg(5),
        alt_text="Rådhuset i Rissa",
    )
    media_update(
        actor=c.world.editor,
        asset_id=image.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )
    now = timezone.now()
    at = now + timedelta(days=2)
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk, c.instagram.pk],
        text=TEXT,
        media_ids=[image.pk],
        publish_at=at,
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now, override_reason="Ja.")
    assert post.status == PostStatus.SCHEDULED
    facebook = post.deliveries.get(channel=c.facebook)
    instagram = post.deliveries.get(channel=c.instagram)
    assert instagram.status == DeliveryStatus.SCHEDULED and not instagram.platform_scheduled
    # Meta refuses the scheduled post for good.
    c.fake.inject(code=200, method="POST", path="/photos", times=1)
    assert delivery.delivery_run(post_channel_id=facebook.pk, now=now) == DeliveryStatus.FAILED
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    # Before its time nothing goes out; at its time the sweep sends the held copy.
    publishing_sweep(now=at - timedelta(minutes=5))
    instagram.refresh_from_db()
    assert instagram.status == DeliveryStatus.SCHEDULED
    publishing_sweep(now=at + timedelta(minutes=1))
    instagram.refresh_from_db()
    assert instagram.status == DeliveryStatus.PUBLISHED and instagram.platform_id
    post = Post.objects.get(pk=post.pk)
    assert post.status == PostStatus.FAILED  # Facebook's copy failed; the post page says so
    client.force_login(c.world.editor)
    page = client.get(
        reverse("publishing:detail", args=[c.world.municipality.slug, post.pk])
    ).content.decode()
    assert "Planlagt" not in page
    assert instagram.platform_id in page
