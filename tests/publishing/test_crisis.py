"""PU-12 for posts: declared → scheduled posts pause and do not go out → new posts wait
for the crisis leader → approved and logged → crisis ended → paused posts decided."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing import delivery, selectors, services
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish

TEXT = "Vannet er stengt i Rissa sentrum i kveld. Se https://indrefosen.kommune.no/vann"


def _post(w, text=TEXT, **kw):
    return post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=text, **kw
    )


def _sent(w):
    state = SimulatedWorld.objects.filter(channel=w.page).first()
    posts = state.state["posts"].values() if state else []
    return [p["text"] for p in posts if not p["deleted"]]


def test_crisis_pauses_waits_approves_logs_and_resumes(world, django_capture_on_commit_callbacks):
    w = world
    now = timezone.now()
    scheduled = post_publish(
        actor=w.editor,
        post_id=_post(
            w,
            publish_at=now + timedelta(minutes=5),
            text="Biblioteket åpner igjen mandag. Se https://indrefosen.kommune.no",
        ).pk,
        now=now,
    )
    assert scheduled.status == PostStatus.SCHEDULED

    crisis = crisis_declare(
        municipality=w.municipality, name="Vannforurensning", actor=w.p.crisis_leader, now=now
    )
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PAUSED
    # The scheduled post does not go out when its time comes.
    assert delivery.release_due(now=now + timedelta(minutes=6)) == 0
    assert "Biblioteket åpner igjen mandag. Se https://indrefosen.kommune.no" not in _sent(w)

    # A new post waits for the crisis leader.
    post = post_publish(actor=w.editor, post_id=_post(w).pk, now=now)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert [
        p.pk for p in selectors.posts_awaiting_crisis_approval(municipality=w.municipality)
    ] == [post.pk]
    with pytest.raises(NotPermitted):
        services.post_crisis_approve(actor=w.p.communications, post_id=post.pk)
    with pytest.raises(NotPermitted):
        services.post_crisis_approve(actor=w.editor, post_id=post.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_crisis_approve(actor=w.p.crisis_leader, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert TEXT in _sent(w)
    kinds = list(
        CrisisLogEntry.objects.filter(crisis=crisis, object_kind="post").values_list(
            "kind", flat=True
        )
    )
    assert "post_approved" in kinds and "post_published" in kinds

    # While the crisis lasts a paused post cannot resume.
    with pytest.raises(ServiceError):
        services.post_resume(actor=w.editor, post_id=scheduled.pk)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=now + timedelta(hours=1))
    assert [p.pk for p in selectors.posts_paused(municipality=w.municipality)] == [scheduled.pk]
    services.post_resume(actor=w.editor, post_id=scheduled.pk)
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.SCHEDULED  # its own time has not come yet
    assert delivery.release_due(now=now + timedelta(minutes=6)) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PUBLISHED
    assert "post_resumed" in CrisisLogEntry.objects.filter(crisis=crisis).values_list(
        "kind", flat=True
    )


def test_crisis_leader_rejects_and_a_paused_post_is_discarded(world):
    w = world
    now = timezone.now()
    paused = post_publish(
        actor=w.editor, post_id=_post(w, publish_at=now + timedelta(hours=3)).pk, now=now
    )
    crisis_declare(municipality=w.municipality, name="Storm", actor=w.p.communications, now=now)
    post = post_publish(actor=w.editor, post_id=_post(w, text=TEXT + " I dag.").pk, now=now)
    with pytest.raises(ServiceError):
        services.post_crisis_reject(actor=w.p.crisis_leader, post_id=post.pk, reason="")
    post = services.post_crisis_reject(
        actor=w.p.crisis_leader, post_id=post.pk, reason="Krisestaben sender egen melding."
    )
    assert post.status == PostStatus.REJECTED and post.rejection_reason.startswith("Krisestaben")
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=now)
    paused = services.post_discard(actor=w.p.communications, post_id=paused.pk, reason="Utdatert.")
    assert paused.status == PostStatus.DRAFT
    with pytest.raises(Exception):  # noqa: B017 — outsider: 404
        services.post_discard(actor=w.p.outsider, post_id=paused.pk, reason="x")


def test_facebook_scheduled_post_is_cancelled_on_the_platform_when_paused(
    connected, django_capture_on_commit_callbacks
):
    c = connected
    now = timezone.now()
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
        publish_at=now + timedelta(days=1),
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    delivery.delivery_run(post_channel_id=row.pk, now=now)
    row.refresh_from_db()
    platform_id = row.platform_id
    assert row.platform_scheduled and platform_id in c.fake.store.objects
    # The first cancellation fails (Graph code 2, more often than the client retries):
    # the copy stays on record and the sweep cancels it later. Nothing slips out.
    c.fake.inject(code=2, method="DELETE", path=platform_id, times=10, is_transient=True)
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(
            municipality=c.world.municipality, name="Flom", actor=c.world.p.crisis_leader
        )
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.cancel_platform_id == platform_id
    assert c.fake.store.objects.get(platform_id) is not None
    c.fake.store.injections.clear()
    assert delivery.cancel_due(now=timezone.now()) == 1
    row.refresh_from_db()
    assert not row.cancel_platform_id and not row.platform_id and not row.platform_scheduled
    stored = c.fake.store.objects.get(platform_id)
    assert stored is None or getattr(stored, "deleted", False)
    assert delivery.cancel_due(now=timezone.now()) == 0


def test_resumed_post_cancels_the_old_scheduled_copy_before_publishing(
    world, django_capture_on_commit_callbacks
):
    from ordstyrer.connectors.base import ErrorCode
    from ordstyrer.inbox.platform import channel_connector

    w = world
    now = timezone.now()
    post = post_publish(
        actor=w.editor, post_id=_post(w, publish_at=now + timedelta(days=2)).pk, now=now
    )
    row = post.deliveries.get()
    delivery.delivery_run(post_channel_id=row.pk, now=now)
    row.refresh_from_db()
    old_copy = row.platform_id
    assert row.platform_scheduled and old_copy
    with channel_connector(w.page, now=now) as connector:
        connector.fail_next("cancel_scheduled", code=ErrorCode.TRANSIENT)
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(municipality=w.municipality, name="Ras", actor=w.p.crisis_leader, now=now)
    row.refresh_from_db()
    assert row.cancel_platform_id == old_copy  # the cancellation failed: still on record
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_resume(actor=w.editor, post_id=post.pk, publish_at=now + timedelta(minutes=2))
    assert delivery.release_due(now=now + timedelta(minutes=3)) == 1
    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED, row.error
    state = SimulatedWorld.objects.get(channel=w.page).state["posts"]
    assert state[old_copy]["deleted"] is True
    live = [p for p in state.values() if p["text"] == TEXT and not p["deleted"]]
    assert len(live) == 1 and live[0]["id"] == row.platform_id
