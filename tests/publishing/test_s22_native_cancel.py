"""Session 22: a copy on Facebook's own scheduler that Ordstyrer was to cancel.

Facebook's cancellation is `DELETE /{post-id}`, which deletes a published post too.
A cancellation that failed (a Graph hiccup) was retried by the sweep, or by the resumed
delivery, after Facebook had published the copy at its time: the published post and its
citizens' comments were deleted, with no archive (MO-2) and nothing in the crisis log
(PU-12). Now the copy is read first: published, it stays and is recorded as published
(the crisis log, the post marked, its page offering the take-down, which archives the
comments first); near its time, it is not deleted.

Retiring a Facebook channel (CH-1) stopped the copy on record only; the console then
disconnected the channel, the token forgotten, and the copy went out on the retired Page
while the post said it was not published there, the sweep retrying for ever. Now the
retirement cancels it before the disconnect; one that cannot be cancelled says so on
the post and is given up once the channel is out of reach. A copy the sweep cannot
cancel no longer takes every place of its rounds."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.models import CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket åpner igjen mandag. Se https://indrefosen.kommune.no/bibliotek"
OTHER = "Svømmehallen holder stengt i vinterferien. Se https://indrefosen.kommune.no/bad"


def _scheduled_on_facebook(c, *, text=TEXT, minutes=30):
    """A post handed to Facebook's own scheduler `minutes` from now: (post, row, id)."""
    now = timezone.now()
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=text,
        publish_at=now + timedelta(minutes=minutes),
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    delivery.delivery_run(post_channel_id=row.pk, now=now)
    row.refresh_from_db()
    assert row.platform_scheduled and row.platform_id
    return post, row, row.platform_id


def _deletes(c, platform_id):
    return [p for m, p in c.fake.store.requests if m == "DELETE" and platform_id in p]


def _on_facebook(c, platform_id):
    rec = c.fake.store.objects.get(platform_id)
    return rec is not None and not getattr(rec, "deleted", False)


def _crisis_with_failed_cancel(c, platform_id, capture):
    """A crisis pauses the post; its cancellation on Facebook fails (Graph code 2, more
    often than the client retries)."""
    c.fake.inject(code=2, method="DELETE", path=platform_id, times=10, is_transient=True)
    with capture(execute=True):
        crisis_declare(
            municipality=c.world.municipality, name="Flom", actor=c.world.p.crisis_leader
        )
    c.fake.store.injections.clear()


def _facebook_publishes(c, platform_id, minutes=31):
    c.fake.store.clock.advance(minutes * 60)
    c.fake.store.tick()
    assert c.fake.store.objects[platform_id].is_published


def test_a_copy_facebook_published_before_its_cancellation_got_through_stays_on_record(
    connected, django_capture_on_commit_callbacks
):
    """PU-12, MO-2: the sweep finds the copy published; it is not deleted (the citizen's
    comment stays), but recorded as published at its time, in the crisis log, and the
    post page marks it and offers the take-down."""
    c = connected
    post, row, pid = _scheduled_on_facebook(c)
    _crisis_with_failed_cancel(c, pid, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.cancel_platform_id == pid
    _facebook_publishes(c, pid)
    c.fake.store.add_comment(
        pid, from_id="999", from_name="Kari Innbygger", message="Når åpner dere igjen?"
    )
    deletes_before = len(_deletes(c, pid))

    later = timezone.now() + timedelta(minutes=31)
    assert delivery.cancel_due(now=later) == 1
    assert _on_facebook(c, pid)
    assert len(_deletes(c, pid)) == deletes_before  # never asked to delete it
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert row.platform_id == pid and not row.cancel_platform_id
    assert row.published_at == post.publish_at
    assert "Pubby på Facebook" in row.error and "før Ordstyrer fikk stoppet det" in row.error
    assert post.flagged_reason == row.error
    logged = CrisisLogEntry.objects.filter(
        kind=CrisisLogKind.POST_PUBLISHED, object_id=str(post.pk), channel=c.facebook
    )
    assert logged.count() == 1
    # Nothing is tried again.
    assert delivery.cancel_due(now=later + timedelta(minutes=1)) == 0
    assert len(_deletes(c, pid)) == deletes_before

    client = Client()
    client.force_login(c.world.editor)
    page = client.get(
        reverse("publishing:detail", args=[c.world.municipality.slug, post.pk])
    ).content.decode()
    assert reverse("publishing:take_down", args=[c.world.municipality.slug, post.pk]) in page
    assert "før Ordstyrer fikk stoppet det" in page


def test_a_copy_is_not_deleted_when_its_time_is_too_near(
    connected, django_capture_on_commit_callbacks
):
    """PU-12, MO-2: 30 seconds before its time, Facebook may publish it between the read
    and the deletion: it is left, and recorded once Facebook has published it."""
    c = connected
    post, row, pid = _scheduled_on_facebook(c)
    _crisis_with_failed_cancel(c, pid, django_capture_on_commit_callbacks)
    deletes_before = len(_deletes(c, pid))

    assert delivery.cancel_due(now=post.publish_at - timedelta(seconds=30)) == 0
    assert _on_facebook(c, pid)
    assert len(_deletes(c, pid)) == deletes_before
    row.refresh_from_db()
    assert row.cancel_platform_id == pid

    _facebook_publishes(c, pid)
    assert delivery.cancel_due(now=post.publish_at + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED and row.platform_id == pid
    assert _on_facebook(c, pid)


def test_a_resumed_delivery_takes_the_copy_already_out_instead_of_deleting_it(
    connected, django_capture_on_commit_callbacks
):
    """PU-12: resumed after the crisis, the delivery finds its old copy published on
    Facebook. It is the post's copy there: not deleted, not sent a second time."""
    c = connected
    post, row, pid = _scheduled_on_facebook(c)
    _crisis_with_failed_cancel(c, pid, django_capture_on_commit_callbacks)
    _facebook_publishes(c, pid)
    deletes_before = len(_deletes(c, pid))
    crisis_end(municipality=c.world.municipality, actor=c.world.p.crisis_leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_resume(actor=c.world.editor, post_id=post.pk)
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED and row.platform_id == pid
    assert not row.cancel_platform_id
    assert post.status == PostStatus.PUBLISHED
    assert _on_facebook(c, pid) and len(_deletes(c, pid)) == deletes_before
    ours = [
        rec
        for rec in c.fake.store.objects.values()
        if getattr(rec, "message", None) == TEXT and not getattr(rec, "deleted", False)
    ]
    assert len(ours) == 1


def test_copies_the_sweep_cannot_cancel_do_not_crowd_out_the_others(connected):
    """A copy whose cancellation keeps failing goes behind the others: the next round
    cancels the next copy instead of trying the same one again."""
    c = connected
    _post_a, row_a, pid_a = _scheduled_on_facebook(c)
    _post_b, row_b, pid_b = _scheduled_on_facebook(c, text=OTHER)
    # The crisis's own cancellation tasks are not run (queued on commit): the sweep's.
    crisis_declare(municipality=c.world.municipality, name="Flom", actor=c.world.p.crisis_leader)
    c.fake.inject(code=2, method="DELETE", path=pid_a, times=-1, is_transient=True)
    now = timezone.now()
    assert delivery.cancel_due(now=now, limit=1) == 0
    assert delivery.cancel_due(now=now + timedelta(seconds=20), limit=1) == 1
    assert not _on_facebook(c, pid_b)
    row_b.refresh_from_db()
    assert not row_b.cancel_platform_id
    c.fake.store.injections.clear()
    assert delivery.cancel_due(now=now + timedelta(seconds=40), limit=1) == 1
    assert not _on_facebook(c, pid_a)


def _retire(c, client):
    url = reverse("channels:act", args=[c.world.municipality.slug, c.facebook.pk])
    return client.post(
        url,
        {"action": "retire", "retire-reason": "Siden legges ned.", "confirmed": "1"},
        follow=True,
    )


def test_retiring_a_channel_cancels_its_copy_on_facebook_before_the_disconnect(connected):
    """CH-1: the console retires, then disconnects (the token forgotten): the copy on
    Facebook's scheduler is deleted before, and the post truly says it did not go out."""
    c = connected
    post, row, pid = _scheduled_on_facebook(c, minutes=120)
    client = Client()
    client.force_login(c.world.p.communications)
    _retire(c, client)
    c.facebook.refresh_from_db()
    assert c.facebook.status == "retired"
    assert not _on_facebook(c, pid)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and not row.cancel_platform_id
    assert "ble ikke publisert der" in row.error
    assert delivery.cancel_due(now=timezone.now()) == 0


def test_a_retired_channels_copy_that_cannot_be_cancelled_says_so_and_is_given_up(
    connected, caplog
):
    """CH-1: the deletion fails at the retirement. The console and the post say the
    post is still scheduled on Facebook, and when it goes out, for a person to delete it
    there; once the channel is disconnected the sweep gives it up instead of trying every
    round for ever."""
    c = connected
    post, row, pid = _scheduled_on_facebook(c, minutes=120)
    c.fake.inject(code=2, method="DELETE", path=pid, times=-1, is_transient=True)
    client = Client()
    client.force_login(c.world.p.communications)
    page = _retire(c, client).content.decode()
    assert "ligger fortsatt planlagt hos plattformen" in page
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert "ligger fortsatt planlagt hos plattformen" in row.error
    assert "ble ikke publisert der" not in row.error

    assert delivery.cancel_due(now=timezone.now()) == 1  # given up: no token any more
    row.refresh_from_db()
    assert not row.cancel_platform_id
    assert "ligger fortsatt planlagt hos plattformen" in row.error
    assert "slett innlegget direkte på plattformen" in row.error
    assert _on_facebook(c, pid)  # the truth: it is still there
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ordstyrer.publishing"):
        assert delivery.cancel_due(now=timezone.now() + timedelta(seconds=20)) == 0
    assert caplog.records == []
