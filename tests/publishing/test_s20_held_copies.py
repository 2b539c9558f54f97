"""PU-12, PU-6: a post that failed on one channel is `failed`, yet Ordstyrer still holds
its copy for another channel and sends it at its time (`delivery.release_due`). Such a
held copy is a copy on its way: declaring a crisis pauses the post, and the
declaration's confirmation counts it; withdrawing a consent to its file stops it (back
to draft, the author told), and the withdrawal's confirmation says so. Nothing goes out
at its time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.queue import posts_to_pause
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import (
    consent_record,
    consent_withdraw,
    consent_withdraw_preview,
    media_update,
    media_upload,
)
from ordstyrer.publishing.models import DeliveryStatus, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish, post_resume
from ordstyrer.publishing.sweeps import publishing_sweep
from ordstyrer_fakegraph.records import IgMediaRec
from tests.publishing.conftest import jpeg

TEXT = "Kommunestyret møtes torsdag klokka 18 i rådhuset. Alle kan komme."


def _photo(c):
    """A photo of a recognisable adult with her consent on record (PU-6)."""
    photo = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="radhuset.jpg",
        content=jpeg(5),
        alt_text="Folk foran rådhuset",
    )
    media_update(
        actor=c.world.editor,
        asset_id=photo.pk,
        people="recognisable",
        children=False,
        photographer="Kari Foto",
        photographer_permission=True,
    )
    consent = consent_record(
        actor=c.world.editor,
        asset_id=photo.pk,
        person_name="Kari Nordmann",
        given_by="Kari Nordmann",
        given_at=timezone.localdate(),
    )
    return photo, consent


def _failed_with_a_held_copy(c, photo, *, now, at):
    """The post on Facebook (Meta's scheduler refuses it for good) and Instagram (no
    scheduler in the API: Ordstyrer holds the copy for `at`): `failed`, its Instagram
    copy still held for its time."""
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk, c.instagram.pk],
        text=TEXT,
        media_ids=[photo.pk],
        publish_at=at,
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now, override_reason="Ja.")
    facebook = post.deliveries.get(channel=c.facebook)
    c.fake.inject(code=200, method="POST", path="/photos", times=1)
    assert delivery.delivery_run(post_channel_id=facebook.pk, now=now) == DeliveryStatus.FAILED
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    held = post.deliveries.get(channel=c.instagram)
    assert held.status == DeliveryStatus.SCHEDULED and not held.platform_scheduled
    return post, held


def _out_on_instagram(c) -> list[str]:
    """The captions of the media published on the stand-in's Instagram account."""
    return [o.caption or "" for o in c.fake.store.objects.values() if isinstance(o, IgMediaRec)]


@pytest.mark.django_db
def test_pu12_a_crisis_pauses_a_failed_posts_held_copy_and_counts_it(connected, client):
    c = connected
    w = c.world
    now = timezone.now()
    at = now + timedelta(days=2)
    photo, _consent = _photo(c)
    post, held = _failed_with_a_held_copy(c, photo, now=now, at=at)

    # The declaration's confirmation counts it among the posts it pauses.
    assert posts_to_pause(municipality=w.municipality) == (1, 0)
    client.force_login(w.p.crisis_leader)
    declare = reverse("crisis:declare", args=[w.municipality.slug])
    confirm = client.post(declare, {"name": "Flom"}).content.decode()
    assert "1 planlagt innlegg settes på pause nå." in confirm

    crisis = crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    assert crisis.paused_scheduled_count == 1
    post.refresh_from_db()
    held.refresh_from_db()
    assert post.status == PostStatus.PAUSED and post.paused_from == PostStatus.FAILED
    assert held.status == DeliveryStatus.QUEUED  # no longer held for its time
    pause = PostEvent.objects.get(post=post, action="pause")
    assert (pause.from_status, pause.to_status) == ("failed", "paused")
    assert CrisisLogEntry.objects.filter(crisis=crisis, kind="posts_paused").exists()

    # Its time comes during the crisis: nothing goes out.
    publishing_sweep(now=at + timedelta(minutes=1))
    held.refresh_from_db()
    assert held.status == DeliveryStatus.QUEUED and not held.platform_id
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED
    assert TEXT not in " ".join(_out_on_instagram(c))

    # After the crisis it waits for a decision, as every paused post does.
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED
    post = post_resume(actor=w.p.communications, post_id=post.pk, now=at - timedelta(hours=1))
    assert post.status != PostStatus.PAUSED


@pytest.mark.django_db
def test_pu6_a_withdrawn_consent_stops_a_failed_posts_held_copy(
    connected, client, django_capture_on_commit_callbacks, mailoutbox
):
    c = connected
    w = c.world
    now = timezone.now()
    at = now + timedelta(days=2)
    photo, consent = _photo(c)
    post, held = _failed_with_a_held_copy(c, photo, now=now, at=at)

    # The confirmation says it is stopped.
    (effect,) = consent_withdraw_preview(photo)
    assert effect.post.pk == post.pk and effect.stopped and effect.out_on == []
    client.force_login(w.editor)
    page = client.get(
        reverse("publishing:consent_withdraw", args=[w.municipality.slug, photo.pk, consent.pk])
    ).content.decode()
    assert "Stoppes og blir et utkast igjen; forfatteren får beskjed." in page

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Kari ringte.")
    post.refresh_from_db()
    held.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert held.status == DeliveryStatus.QUEUED
    event = PostEvent.objects.get(post=post, action="pull_back")
    assert (event.from_status, event.to_status) == ("failed", "draft")
    told = [m for m in mailoutbox if w.editor.email in m.to]
    # The mail names the file, never the person in it (PU-6; the mail leaves the installation).
    assert len(told) == 1 and "radhuset.jpg" in told[0].body
    assert "Kari Nordmann" not in told[0].body

    # Its time comes: nothing goes out, and nothing fails at the send-time check.
    publishing_sweep(now=at + timedelta(minutes=1))
    held.refresh_from_db()
    assert held.status == DeliveryStatus.QUEUED and not held.platform_id
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT
    assert TEXT not in " ".join(_out_on_instagram(c))
