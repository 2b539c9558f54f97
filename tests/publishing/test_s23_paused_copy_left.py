"""Session 23: a crisis pauses a post whose copy waits on Facebook's own scheduler, and
the cancellation there fails (a Graph outage, a token revoked on Facebook, the channel
disconnected).

The sweep retried quietly: the delivery read «queued» with no message, the post had no
mark, nobody was e-mailed, and at its time Facebook published the copy during the crisis
without the crisis leader's approval (PU-12). Only a delivery failed on a retired channel
(CH-1) said that its copy was still scheduled there.

Now the paused post's delivery says that the copy is still scheduled on the platform,
when it goes out there, and that it must be deleted there; the post's page and the page
of paused posts show it, the post's history says it once, and the crisis leader and
deputies are e-mailed once (in their own language). A cancellation that gets through
later takes the message away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.formats import norwegian_datetime
from ordstyrer.platforms.connections import connection_disconnect
from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket åpner igjen mandag. Se https://indrefosen.kommune.no/bibliotek"
SUBJECT = "Et innlegg på pause kan bli publisert på Pubby på Facebook"


def _scheduled_on_facebook(c, now):
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
        publish_at=now + timedelta(minutes=30),
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    delivery.delivery_run(post_channel_id=row.pk, now=now)
    row.refresh_from_db()
    assert row.platform_scheduled and row.platform_id
    return post, row, row.platform_id


def _told(subject=SUBJECT):
    return sorted(to for m in mail.outbox if m.subject == subject for to in m.to)


def test_pu12_a_paused_posts_copy_facebook_will_not_delete_is_said_and_mailed_once(
    connected, django_capture_on_commit_callbacks
):
    c = connected
    w = c.world
    now = timezone.now()
    deputy = w.p.communications
    crisis_deputy_add(municipality=w.municipality, user=deputy, actor=w.p.crisis_leader)
    post, row, pid = _scheduled_on_facebook(c, now)
    c.fake.inject(code=2, method="DELETE", path=pid, times=-1, is_transient=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
        for minutes in (1, 5, 10):  # the sweep tries again and again
            delivery.cancel_due(now=now + timedelta(minutes=minutes))

    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    assert row.cancel_platform_id == pid and row.status == DeliveryStatus.QUEUED
    when = norwegian_datetime(post.publish_at)
    assert "ligger fortsatt planlagt hos plattformen på «Pubby på Facebook»" in row.error
    assert when in row.error
    assert "Slett det direkte på plattformen" in row.error
    # Told once, to the crisis leader and the deputy, with the time and what to do.
    assert _told() == sorted([w.p.crisis_leader.email, deputy.email])
    body = next(m.body for m in mail.outbox if m.subject == SUBJECT)
    assert when in body and "Slett innlegget direkte på plattformen" in body
    assert reverse("publishing:detail", args=[w.municipality.slug, post.pk]) in body
    assert TEXT not in body
    assert post.events.filter(action="copy_not_cancelled").count() == 1

    client = Client()
    client.force_login(w.p.crisis_leader)
    for url in (
        reverse("crisis:paused", args=[w.municipality.slug]),
        reverse("publishing:detail", args=[w.municipality.slug, post.pk]),
    ):
        page = client.get(url).content.decode()
        assert "ligger fortsatt planlagt hos plattformen" in page, url
        assert when in page and "Slett det direkte på plattformen" in page, url

    # Facebook lets the deletion through at last: the message goes, the history says so.
    c.fake.store.injections.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.cancel_due(now=now + timedelta(minutes=12)) == 1
    row.refresh_from_db()
    assert not row.cancel_platform_id and row.error == ""
    assert post.events.filter(action="copy_cancelled").count() == 1
    page = client.get(reverse("crisis:paused", args=[w.municipality.slug])).content.decode()
    assert "ligger fortsatt planlagt hos plattformen" not in page
    assert len(_told()) == 2  # nobody told again


def test_pu12_a_paused_posts_copy_on_a_disconnected_channel_is_said_and_mailed(
    connected, django_capture_on_commit_callbacks
):
    """The channel is in use but disconnected (its token gone): Ordstyrer cannot reach
    Facebook to delete the copy, and says so at once."""
    c = connected
    w = c.world
    now = timezone.now()
    post, row, pid = _scheduled_on_facebook(c, now)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    with django_capture_on_commit_callbacks(execute=True):
        connection_disconnect(actor=w.p.employee, channel=c.facebook)
    c.facebook.refresh_from_db()
    assert not delivery._reachable(c.facebook)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.cancel_run(post_channel_id=row.pk, now=now) == "unreachable"
        assert delivery.cancel_run(post_channel_id=row.pk, now=now) == "unreachable"
    row.refresh_from_db()
    assert row.cancel_platform_id == pid
    assert "ligger fortsatt planlagt hos plattformen" in row.error
    assert "ikke er koblet til" in row.error
    assert _told() == [w.p.crisis_leader.email]


def test_a_failed_cancellation_of_a_post_not_paused_mails_nobody(
    connected, django_capture_on_commit_callbacks
):
    """The crisis staff are told of paused posts only: a withdrawn post's copy is the
    author's business (its delivery is left as before)."""
    from ordstyrer.publishing.services import post_withdraw

    c = connected
    now = timezone.now()
    post, row, pid = _scheduled_on_facebook(c, now)
    c.fake.inject(code=2, method="DELETE", path=pid, times=-1, is_transient=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_withdraw(actor=c.world.editor, post_id=post.pk, now=now)
        delivery.cancel_due(now=now + timedelta(minutes=1))
    row.refresh_from_db()
    assert row.cancel_platform_id == pid
    assert _told() == []
    assert not post.events.filter(action="copy_not_cancelled").exists()
