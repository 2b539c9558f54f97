"""PU-12: every outgoing word during a crisis is in the crisis log, per channel it went out
on, also when the post failed on another channel and so never became published as a
whole; and once per channel."""

from __future__ import annotations

from django.utils import timezone

from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing import services
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_publish
from tests.publishing.conftest import make_channel
from tests.publishing.test_s16_crisis_delivery import TEXT, _fail_next, _post, _texts


def _published_lines(post) -> list[tuple[int, str]]:
    return list(
        CrisisLogEntry.objects.filter(kind="post_published", object_id=str(post.pk))
        .order_by("channel_id")
        .values_list("channel_id", "text")
    )


def _approved_on(w, channels, capture, *, now):
    """A post written during the crisis, approved by the crisis leader; its deliveries
    run after commit (tasks run at once)."""
    post = post_publish(actor=w.editor, post_id=_post(w, channels).pk, now=now)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    with capture(execute=True):
        services.post_crisis_approve(actor=w.p.crisis_leader, post_id=post.pk, now=now)
    post.refresh_from_db()
    return post


def test_a_post_out_on_one_channel_and_failed_on_another_is_in_the_crisis_log(
    world, django_capture_on_commit_callbacks
):
    """PU-12: the copy that went out is logged for its channel, though the post as a
    whole failed (a permanent error on the other channel)."""
    w = world
    now = timezone.now()
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader, now=now)
    _fail_next(library, "publish", now=now, permanent=True)

    post = _approved_on(w, [w.page, library], django_capture_on_commit_callbacks, now=now)

    statuses = dict(post.deliveries.values_list("channel_id", "status"))
    assert statuses == {w.page.pk: DeliveryStatus.PUBLISHED, library.pk: DeliveryStatus.FAILED}
    assert post.status == PostStatus.FAILED
    assert _texts(w.page, published=True) == [TEXT]
    assert _published_lines(post) == [(w.page.pk, TEXT)]


def test_a_post_out_everywhere_is_logged_once_per_channel(
    world, django_capture_on_commit_callbacks
):
    """No second line when the whole post settles as published."""
    w = world
    now = timezone.now()
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader, now=now)

    post = _approved_on(w, [w.page, library], django_capture_on_commit_callbacks, now=now)

    assert post.status == PostStatus.PUBLISHED
    assert _published_lines(post) == [(w.page.pk, TEXT), (library.pk, TEXT)]
