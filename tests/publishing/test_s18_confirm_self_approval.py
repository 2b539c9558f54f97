"""CH-4: the publishing confirmation says what sending does when the sender may approve
the post themselves (four eyes off): it is released, not sent for approval."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ordstyrer.publishing.models import ChannelPublishing, PostStatus
from ordstyrer.publishing.services import post_create, post_publish

TEXT = "Skolen har åpen dag torsdag klokka seks. Se https://indrefosen.kommune.no/skole"


def _own_draft(w, **kw):
    ChannelPublishing.objects.filter(channel=w.school).update(four_eyes=False)
    return post_create(
        actor=w.p.communications,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        **kw,
    )


def _confirmation(client, w, post) -> str:
    client.force_login(w.p.communications)
    url = reverse("publishing:confirm", args=[w.municipality.slug, post.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_self_approving_sender_is_told_it_goes_out_now(client, world):
    """CH-4: communications on the school page ("unit leader or communications"), four
    eyes off: the page says it is published now, as `post_publish` then does."""
    w = world
    post = _own_draft(w)
    page = _confirmation(client, w, post)
    assert "Publiser nå på Skolesiden." in page
    assert "sendes til godkjenning" not in page
    post = post_publish(actor=w.p.communications, post_id=post.pk)
    assert post.status != PostStatus.AWAITING_APPROVAL


def test_a_self_approving_sender_is_told_the_scheduled_time(client, world):
    """CH-4: with a time set, the page names the time rather than an approval."""
    w = world
    post = _own_draft(w, publish_at=timezone.now() + timedelta(days=3))
    page = _confirmation(client, w, post)
    assert "Innlegget publiseres " in page and "på Skolesiden." in page
    assert "sendes til godkjenning" not in page
    post = post_publish(actor=w.p.communications, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED


def test_with_four_eyes_the_sender_is_told_it_waits_for_approval(client, world):
    """CH-4: four eyes on, the same sender's post waits for another approver."""
    w = world
    post = _own_draft(w)
    ChannelPublishing.objects.filter(channel=w.school).update(four_eyes=True)
    page = _confirmation(client, w, post)
    assert "Innlegget sendes til godkjenning før det publiseres på Skolesiden." in page
    post = post_publish(actor=w.p.communications, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
