"""CH-9: a post published while its channel is closed (the closure notice included) has
its comments switched off on the platform, and the closure's end switches them on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels import services as channels
from ordstyrer.channels.models import Closure, CommentMode
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish

pytestmark = pytest.mark.django_db

NOTICE = "Siden er stengt for kommentarer i sommer. Haster det, ring sentralbordet."


def _comments_on(channel, platform_id: str) -> bool:
    state = SimulatedWorld.objects.get(channel=channel).state
    return bool(state["posts"][platform_id]["comments_enabled"])


def test_a_post_published_during_a_closure_gets_its_comments_switched_off(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        closure = channels.closure_schedule(
            actor=w.p.communications,
            channel=w.page,
            reason="Sommerferie",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=7),
        )
    closure = Closure.objects.get(pk=closure.pk)
    assert closure.comment_mode == CommentMode.SWITCHED_OFF
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=NOTICE + " https://indrefosen.kommune.no",
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    platform_id = post.deliveries.get().platform_id
    assert not _comments_on(w.page, platform_id)
    closure.refresh_from_db()
    assert platform_id in closure.switched_post_ids
    with django_capture_on_commit_callbacks(execute=True):
        channels.closure_end(actor=w.p.communications, closure=closure)
    assert _comments_on(w.page, platform_id)
