"""PU-12: the crisis leader's rejection of a post is told as the crisis leader's.

`post_crisis_reject` sends the post back through the same `_reject` as an approver's
rejection, and the author got an ordinary «Innlegget ditt ble sendt tilbake … ble ikke
godkjent». A stopped reply's e-mail says «Kriselederen stoppet svaret ditt…»; the post's
now says the crisis leader stopped it, in the subject and the body.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing import services
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish

pytestmark = pytest.mark.django_db

TEXT = "Vannet er stengt i Rissa sentrum i kveld. Se https://indrefosen.kommune.no/vann"


def _to_author(w, mailoutbox):
    return [m for m in mailoutbox if w.editor.email in m.to]


def test_pu12_the_crisis_leaders_rejection_says_the_crisis_leader_stopped_the_post(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """PU-12: a post stopped by the crisis leader (`post_crisis_reject`) is told as
    such, in the subject and the body, with the reason."""
    w = world
    now = timezone.now()
    crisis_declare(municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=now)
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_crisis_reject(
            actor=w.p.crisis_leader, post_id=post.pk, reason="Krisestaben sender egen melding."
        )

    (message,) = _to_author(w, mailoutbox)
    assert message.subject == "Kriselederen stoppet innlegget ditt"
    assert "Kriseleder" in message.subject
    assert "ventet på godkjenning fra kriseleder, og kriselederen godkjente det ikke" in (
        message.body
    )
    assert "(PU-12)" in message.body
    assert "Begrunnelse: Krisestaben sender egen melding." in message.body
    assert "ble ikke godkjent" not in message.body


def test_an_ordinary_rejection_is_still_said_as_one(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """Outside a crisis the approver's rejection reads as before: sent back, not
    approved, with the reason; no crisis leader is named."""
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post = post_publish(actor=w.editor, post_id=post.pk, now=timezone.now())
    assert post.status == PostStatus.AWAITING_APPROVAL
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reject(actor=w.p.unit_leader, post_id=post.pk, reason="Mangler bildetekst.")

    (message,) = _to_author(w, mailoutbox)
    assert message.subject == "Innlegget ditt ble sendt tilbake"
    assert "ble ikke godkjent" in message.body and "Mangler bildetekst." in message.body
    assert "riseleder" not in message.subject + message.body
