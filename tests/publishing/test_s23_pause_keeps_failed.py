"""Session 23: a post failed for good on one channel (the author must fix it there) with
a copy on another channel's scheduler is paused by a crisis (PU-12).

The pause turned the failed delivery back into a queued one, and resuming the post
after the crisis cleared its error and sent it again: a channel nobody decided to retry,
which the resumption's confirmation did not mention. Now a pause leaves a failed
delivery as it is, and a resumption sends only what was on its way: the failed channel
stays failed with its reason, and the post is failed again for its author to fix and
send anew (sending a post again is what retries a failed channel, `post_publish`)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_publish
from tests.publishing.test_s16_crisis_delivery import TEXT, _half_failed, _texts

pytestmark = pytest.mark.django_db


def test_pu12_resuming_a_paused_post_leaves_its_failed_channel_failed(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    post, library = _half_failed(w, now)
    lib_row = post.deliveries.get(channel=library)
    error = lib_row.error
    assert post.status == PostStatus.FAILED and error
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(municipality=w.municipality, name="Uvær", actor=w.p.crisis_leader, now=now)
    post.refresh_from_db()
    lib_row.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    assert lib_row.status == DeliveryStatus.FAILED and lib_row.error == error
    assert _texts(w.page, published=False) == []  # the other copy cancelled

    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_resume(actor=w.p.communications, post_id=post.pk)
    post.refresh_from_db()
    lib_row.refresh_from_db()
    page_row = post.deliveries.get(channel=w.page)
    # What was on its way goes again (the main page's copy, at its time) ...
    assert page_row.status == DeliveryStatus.SCHEDULED
    assert _texts(w.page, published=False) == [TEXT]
    # ... the failed channel is not sent again: it keeps its failure and its reason, and
    # the post is failed for its author, as before the crisis.
    assert lib_row.status == DeliveryStatus.FAILED and lib_row.error == error
    assert lib_row.attempts >= 1
    assert post.status == PostStatus.FAILED
    assert _texts(library, published=False) == [] and _texts(library, published=True) == []

    # Sent again by its author, the failed channel is retried.
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk)
    lib_row.refresh_from_db()
    assert lib_row.status == DeliveryStatus.SCHEDULED and lib_row.error == ""
    assert _texts(library, published=False) == [TEXT]


def test_a_failed_post_sent_again_for_approval_retries_its_failed_channel_once_approved(
    world, django_capture_on_commit_callbacks
):
    """Sending the post again is the decision to retry: through an approval too."""
    from ordstyrer.publishing.models import Post
    from tests.publishing.test_s16_crisis_delivery import _fail_next, _post

    w = world
    now = timezone.now()
    post = post_publish(actor=w.editor, post_id=_post(w, [w.school]).pk, now=now)
    assert post.status == PostStatus.AWAITING_APPROVAL
    services.post_approve(actor=w.p.unit_leader, post_id=post.pk, now=now)
    row = post.deliveries.get()
    _fail_next(w.school, "publish", now=now, permanent=True)
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.FAILED
    assert Post.objects.get(pk=post.pk).status == PostStatus.FAILED

    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    assert post.status == PostStatus.AWAITING_APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(actor=w.p.unit_leader, post_id=post.pk, now=now)
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert post.status == PostStatus.PUBLISHED
