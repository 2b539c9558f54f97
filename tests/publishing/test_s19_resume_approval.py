"""CH-4, PU-12: after a crisis, a paused post's time is part of what its approver
approved. Resumed at another time on a chain that names an approver, it goes back to
awaiting approval in a new approval round (an old round's decision decides nothing);
resumed at its own time it goes out on the approval it had."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_approve, post_create, post_publish, post_resume

TEXT = "Skolen har åpen dag torsdag klokka seks. Se https://indrefosen.kommune.no/skole"


def _approved_and_paused(w, at) -> Post:
    """The editor's post on the school page, approved by the unit leader for `at`,
    paused by a crisis that has ended since."""
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        publish_at=at,
    )
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    post = post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


def test_a_new_time_sends_an_approved_post_back_to_its_approver(world):
    """CH-4: the author moves the approved time: awaiting approval, a new round, the old
    approval gone; the old round's approval decides nothing; the new one releases it at
    the new time."""
    w = world
    at = timezone.now() + timedelta(days=2)
    post = _approved_and_paused(w, at)
    old_round = post.approval_round
    other = at + timedelta(days=1)

    post = post_resume(actor=w.editor, post_id=post.pk, publish_at=other)
    assert post.status == PostStatus.AWAITING_APPROVAL
    assert post.approval_round == old_round + 1
    assert post.approved_at is None and post.approved_by is None
    assert post.publish_at == other

    stale = post_approve(actor=w.p.unit_leader, post_id=post.pk, approval_round=old_round)
    assert stale.status == PostStatus.AWAITING_APPROVAL
    post = post_approve(actor=w.p.unit_leader, post_id=post.pk, approval_round=post.approval_round)
    assert post.status == PostStatus.SCHEDULED and post.publish_at == other


def test_the_same_time_keeps_the_approval(world):
    """CH-4: resumed at the time it was approved for, it goes out on that approval."""
    w = world
    at = timezone.now() + timedelta(days=2)
    post = _approved_and_paused(w, at)
    old_round = post.approval_round
    post = post_resume(actor=w.editor, post_id=post.pk, publish_at=at)
    assert post.status == PostStatus.SCHEDULED
    assert post.approval_round == old_round and post.approved_by_id == w.p.unit_leader.pk


def test_its_own_time_keeps_the_approval(world):
    """CH-4: resumed without a time, at its own."""
    w = world
    at = timezone.now() + timedelta(days=2)
    post = _approved_and_paused(w, at)
    post = post_resume(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED and post.publish_at == at


def test_now_for_a_post_approved_for_later_asks_again(world):
    """CH-4: out now instead of the approved later time is a new time too."""
    w = world
    post = _approved_and_paused(w, timezone.now() + timedelta(days=2))
    now = timezone.now()
    post = post_resume(actor=w.editor, post_id=post.pk, publish_at=now, now=now)
    assert post.status == PostStatus.AWAITING_APPROVAL


def test_now_for_a_post_whose_time_passed_during_the_crisis_keeps_the_approval(world):
    """CH-4: a time that passed while the post was paused leaves only now: no new time."""
    w = world
    at = timezone.now() + timedelta(hours=1)
    post = _approved_and_paused(w, at)
    later = at + timedelta(hours=2)
    post = post_resume(actor=w.editor, post_id=post.pk, publish_at=later, now=later)
    assert post.status == PostStatus.PUBLISHING
