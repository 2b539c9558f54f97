"""Session 23: the e-mail that a post waits for the crisis leader (PU-12) said «Kommunen
er i krisemodus» also after the crisis had ended.

A post that waited for the crisis leader when a crisis paused it waits for the crisis
leader again when it is resumed after that crisis (`publishing.selectors.resume_status`),
and the crisis leader and deputies are told; the mail said the municipality was in crisis
mode. Now, with no crisis going on, it says which crisis held the post, that it still
waits for the crisis leader, and who resumed it; one sent in during a crisis that has
ended by the time the mail goes says that. During a crisis the mail is as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ordstyrer.crisis.notifications import notify_crisis_waiting
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import services
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world as make_publishing_world

pytestmark = pytest.mark.django_db

TEXT = "Elvegata er stengt til fredag. Se https://indrefosen.kommune.no/veg"
SUBJECT = "Et innlegg venter på godkjenning fra kriseleder"


@pytest.fixture
def pub(db):
    return make_publishing_world("s23krise")


def _bodies() -> list[str]:
    return [m.body for m in mail.outbox if m.subject == SUBJECT]


def _waiting(pub, at):
    post = post_create(
        actor=pub.editor, municipality=pub.municipality, channel_ids=[pub.page.pk], text=TEXT
    )
    post = post_publish(actor=pub.editor, post_id=post.pk, now=at)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    return post


def test_pu12_a_post_resumed_after_the_crisis_is_mailed_as_waiting_not_as_in_crisis_mode(
    pub, django_capture_on_commit_callbacks
):
    m = pub.municipality
    t = timezone.now() - timedelta(days=2)
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader, now=t)
    post = _waiting(pub, t)
    crisis_end(municipality=m, actor=pub.p.crisis_leader, now=t + timedelta(hours=1))
    crisis_declare(
        municipality=m, name="Strømbrudd", actor=pub.p.crisis_leader, now=t + timedelta(days=1)
    )
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    crisis_end(municipality=m, actor=pub.p.crisis_leader, now=t + timedelta(days=1, hours=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_resume(actor=pub.p.communications, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL

    bodies = _bodies()
    assert bodies
    for body in bodies:
        assert "krisemodus" not in body
        assert "Kari" in body  # who resumed it (communications)
        assert "etter krisen «Strømbrudd»" in body
        assert "venter fortsatt på godkjenning fra kriseleder" in body
        assert TEXT not in body


def test_pu12_a_post_sent_in_a_crisis_that_ended_before_the_mail_went_says_so(pub):
    m = pub.municipality
    t = timezone.now() - timedelta(hours=2)
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader, now=t)
    post = _waiting(pub, t)  # its mail's task not run (queued on commit)
    crisis_end(municipality=m, actor=pub.p.crisis_leader, now=t + timedelta(hours=1))
    mail.outbox.clear()
    assert notify_crisis_waiting(kind="post", object_id=post.pk) >= 1
    for body in _bodies():
        assert "krisemodus" not in body
        assert "under krisen «Flom». Krisen er avsluttet" in body
        assert "Sigrid" in body  # the author who sent it


def test_pu12_during_the_crisis_the_mail_says_crisis_mode(pub, django_capture_on_commit_callbacks):
    m = pub.municipality
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _waiting(pub, timezone.now())
    bodies = _bodies()
    assert bodies and all("Kommunen er i krisemodus" in b for b in bodies)
