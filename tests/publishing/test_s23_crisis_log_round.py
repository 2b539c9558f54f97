"""Session 23: PU-12's crisis log holds what went out in the crisis, and what the crisis
held (approved by the crisis leader, or paused) that went out after it ended.

`Post.crisis_ref` was set when a crisis held the post and never cleared, and the
delivery logged any later publication in that crisis's log: a post the crisis leader
rejected, rewritten and published normally weeks after the crisis ended, was written
into the ended crisis's log as published in it. Now sending a post in again takes the
crisis that held an earlier round off it (`post_publish`), and the log takes only a post
that crisis approved or paused in its current round (`delivery._held_by_crisis`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish, post_update

pytestmark = pytest.mark.django_db

TEXT = "Elvegata er stengt til fredag på grunn av flom. Se https://indrefosen.kommune.no/flom"


def _published(crisis) -> list[str]:
    return list(
        CrisisLogEntry.objects.filter(crisis=crisis, kind="post_published").values_list(
            "text", flat=True
        )
    )


def _sent(w, now):
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    return post_publish(actor=w.editor, post_id=post.pk, now=now)


def test_pu12_a_post_rejected_in_a_crisis_and_published_after_it_is_not_in_its_log(
    world, django_capture_on_commit_callbacks
):
    w = world
    t0 = timezone.now() - timedelta(days=30)
    crisis = crisis_declare(
        municipality=w.municipality, name="Flom", actor=w.p.crisis_leader, now=t0
    )
    post = _sent(w, t0 + timedelta(minutes=5))
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL and post.crisis_ref == crisis.pk
    services.post_crisis_reject(
        actor=w.p.crisis_leader, post_id=post.pk, reason="Ikke nå.", now=t0 + timedelta(minutes=10)
    )
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=t0 + timedelta(days=1))

    now = timezone.now()
    post_update(
        actor=w.editor,
        post_id=post.pk,
        text="Skolen har åpent som vanlig i morgen. Se https://indrefosen.kommune.no/skole",
        now=now,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _published(crisis) == []
    assert post.crisis_ref is None


def test_pu12_a_post_the_crisis_leader_approved_is_logged_when_it_goes_out_after_the_crisis(
    world, django_capture_on_commit_callbacks
):
    """Held by the crisis in this round: in its log, though it goes out after it ended
    (its delivery retried then)."""
    w = world
    t0 = timezone.now() - timedelta(days=3)
    crisis = crisis_declare(
        municipality=w.municipality, name="Flom", actor=w.p.crisis_leader, now=t0
    )
    post = _sent(w, t0)
    services.post_crisis_approve(actor=w.p.crisis_leader, post_id=post.pk, now=t0)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=t0 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.retry_due(now=timezone.now()) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _published(crisis) == [TEXT]


def _paused(w, t0):
    with time_machine.travel(t0, tick=False):
        return _paused_at(w, t0)


def _paused_at(w, t0):
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
        publish_at=t0 + timedelta(days=1),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, now=t0)
    assert post.status == PostStatus.SCHEDULED
    crisis = crisis_declare(
        municipality=w.municipality,
        name="Flom",
        actor=w.p.crisis_leader,
        now=t0 + timedelta(minutes=1),
    )
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED and post.crisis_ref == crisis.pk
    return post, crisis


def test_pu12_a_post_paused_by_the_crisis_is_logged_when_resumed_after_it(
    world, django_capture_on_commit_callbacks
):
    w = world
    t0 = timezone.now() - timedelta(days=3)
    post, crisis = _paused(w, t0)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=t0 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_resume(actor=w.p.communications, post_id=post.pk)  # its time has passed
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _published(crisis) == [TEXT]


def test_pu12_a_paused_post_withdrawn_and_sent_again_is_not_in_its_log(
    world, django_capture_on_commit_callbacks
):
    """Withdrawn from the pause, rewritten and sent in again after the crisis: the
    author's new round, not the crisis's."""
    w = world
    t0 = timezone.now() - timedelta(days=3)
    post, crisis = _paused(w, t0)
    services.post_withdraw(actor=w.editor, post_id=post.pk, now=t0 + timedelta(minutes=2))
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=t0 + timedelta(hours=1))
    post_update(
        actor=w.editor,
        post_id=post.pk,
        text="Elvegata er åpen igjen. Se https://indrefosen.kommune.no/flom",
        publish_at=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _published(crisis) == []
