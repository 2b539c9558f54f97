"""PU-6/PU-12: a post failed on one channel while its copy on another waits on the
platform's own scheduler (`delivery.settle`: failed, the copy still scheduled) is sent
again by its author without being edited (`post_publish`, the decision that retries the
failed channel). `_release` re-queued the waiting delivery as if nothing were on the
platform: `platform_scheduled` off, `platform_id` kept, nothing to cancel. The delivery
then scheduled a second copy beside the first on Facebook, and two went out at the time
(the platform's duplicate check, Graph's 506, only catches the same text as the page's
latest post). Now `_release` leaves a copy waiting on the platform's scheduler there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.test_s16_crisis_delivery import TEXT, _fail_next, _half_failed, _texts

pytestmark = pytest.mark.django_db


def _another_post_out(w, channels, now) -> None:
    """Another post goes out on `channels` meanwhile: the page's latest post is no longer
    this text, so the platform's duplicate check (Graph's 506) does not catch a second
    copy of it."""
    other = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[ch.pk for ch in channels],
        text="Biblioteket har nye åpningstider. Se https://indrefosen.kommune.no/bibliotek",
    )
    other = post_publish(actor=w.editor, post_id=other.pk, now=now)
    for row in other.deliveries.all():
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.PUBLISHED


def test_pu6_resending_a_half_failed_post_keeps_one_copy_on_the_simulated_scheduler(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    post, library = _half_failed(w, now)
    assert post.status == PostStatus.FAILED
    assert _texts(w.page, published=False) == [TEXT]
    _another_post_out(w, [w.page], now)

    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    for row in post.deliveries.all():
        delivery.delivery_run(post_channel_id=row.pk, now=now)
    delivery.cancel_due(now=now)

    assert _texts(w.page, published=False) == [TEXT]  # one copy, not two
    assert _texts(library, published=False) == [TEXT]  # the failed channel retried


def _waiting_on_facebook(c) -> list[str]:
    """The ids of the copies waiting on the Facebook Page's scheduler (the stand-in)."""
    return sorted(
        o.id
        for o in c.fake.store.objects.values()
        if type(o).__name__ == "PostRec"
        and not o.deleted
        and not o.is_published
        and o.scheduled_publish_time is not None
    )


def test_pu6_resending_a_half_failed_post_keeps_one_copy_on_facebook(
    connected, django_capture_on_commit_callbacks
):
    c = connected
    w = c.world
    now = timezone.now()
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[c.facebook.pk, w.page.pk],
        text=TEXT,
        publish_at=now + timedelta(days=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    fb_row = post.deliveries.get(channel=c.facebook)
    page_row = post.deliveries.get(channel=w.page)
    delivery.delivery_run(post_channel_id=fb_row.pk, now=now)
    fb_row.refresh_from_db()
    assert fb_row.platform_scheduled and fb_row.platform_id
    # The simulated page fails for good: the post is failed, Facebook's copy scheduled.
    _fail_next(w.page, "schedule", now=now, permanent=True)
    assert delivery.delivery_run(post_channel_id=page_row.pk, now=now) == DeliveryStatus.FAILED
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert _waiting_on_facebook(c) == [fb_row.platform_id]
    _another_post_out(w, [c.facebook], now)

    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    for row in post.deliveries.all():
        delivery.delivery_run(post_channel_id=row.pk, now=now)
    delivery.cancel_due(now=now)

    assert len(_waiting_on_facebook(c)) == 1  # one copy on the Page, not two
    assert _texts(w.page, published=False) == [TEXT]  # the failed channel retried
