"""A file's facts do not change under a post on its way (review s21).

(a) PU-3: a video's captions go out as approved, like its alt text (PU-4): another draft
through the API naming the file with captions "no_speech" no longer turns the approved,
captioned video into one sent without its caption file.
(b) PU-6, PU-7: once a post is on Facebook's scheduler nothing checks it again, so a
register change that would give it a block («Barn på bildet: Ja» with no signed form,
the photographer's permission «Nei») is refused, with the block named; the post stays
scheduled without a block. Withdrawn, the post is a draft and the change goes through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.core.errors import Conflict
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import CaptionMode, DeliveryStatus, MediaAsset, PostStatus
from ordstyrer.publishing.services import (
    post_approve,
    post_create,
    post_findings_now,
    post_publish,
    post_withdraw,
)
from tests.api.conftest import ApiClient, token_for
from tests.factories import person_with_roles
from tests.publishing.conftest import MP4, SRT, jpeg

pytestmark = pytest.mark.django_db

TEXT = "Se opptaket fra kommunestyret i går. https://indrefosen.kommune.no/politikk"


def _other_editor(w, channel):
    other = person_with_roles(w.municipality, username="pubby-red3", first_name="Ola")
    ChannelMembership.objects.create(
        channel=channel, user=other, role=ChannelRole.EDITOR, granted_at=timezone.now()
    )
    return other


def _blocks(post):
    return [f for f in post_findings_now(post) if f["severity"] == "block"]


# --------------------------------------------------------------------------- (a) PU-3


def _captioned_video_approved(w):
    """A video with its caption file, on the school page (approval), approved and
    scheduled two days ahead."""
    video = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="kommunestyret.mp4",
        content=MP4,
        caption_mode=CaptionMode.FILE,
        captions_name="kommunestyret.srt",
        captions=SRT,
    )
    video = media_update(
        actor=w.editor,
        asset_id=video.pk,
        people="none",
        photographer_permission=True,
        music_cleared=True,
    )
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        media_ids=[video.pk],
        publish_at=timezone.now() + timedelta(days=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Test.")
    assert post.status == PostStatus.AWAITING_APPROVAL
    post = post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED
    return post, video


def test_the_api_cannot_take_the_captions_off_an_approved_video(world):
    """(a) The review's steps: a new draft through the API reusing the approved video
    with captions "no_speech" is a 409 problem, and the video keeps its caption file."""
    w = world
    _post, video = _captioned_video_approved(w)
    other = _other_editor(w, w.page)
    api = ApiClient(token_for(other, w.municipality))
    response = api.post(
        f"/api/v1/m/{w.municipality.slug}/posts",
        {
            "channels": [w.page.pk],
            "text": TEXT,
            "media": [{"type": "video", "upload_id": video.pk, "captions": "no_speech"}],
        },
    )
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "media_in_use" and body["rule"] == "PU-3"
    assert "captions go out as approved" in body["detail"]
    assert "teksting går ut slik innlegget ble godkjent" in body["detail_nb"]
    assert body["errors"][0]["loc"] == ["body", "media", 0, "captions"]
    video.refresh_from_db()
    assert video.caption_mode == CaptionMode.FILE


def test_the_register_cannot_change_the_captions_while_the_post_is_on_its_way(world):
    """(a) In the console's register too; withdrawn, the post is a draft and it may."""
    w = world
    post, video = _captioned_video_approved(w)
    with pytest.raises(Conflict, match="trekk tilbake innlegget") as refused:
        media_update(actor=w.editor, asset_id=video.pk, caption_mode=CaptionMode.NO_SPEECH)
    assert refused.value.rule == "PU-3"
    assert MediaAsset.objects.get(pk=video.pk).caption_mode == CaptionMode.FILE
    # The same mode again is no change.
    media_update(actor=w.editor, asset_id=video.pk, caption_mode=CaptionMode.FILE)
    post_withdraw(actor=w.editor, post_id=post.pk)
    media_update(actor=w.editor, asset_id=video.pk, caption_mode=CaptionMode.NO_SPEECH)
    assert MediaAsset.objects.get(pk=video.pk).caption_mode == CaptionMode.NO_SPEECH


# --------------------------------------------------------------------------- (b) PU-6/7


def _photo(w):
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="bygget.jpg",
        content=jpeg(9),
        alt_text="Det nye kulturhuset sett fra torget",
    )
    return media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="none",
        children=False,
        photographer="Kari Foto",
        photographer_permission=True,
    )


def _on_facebooks_scheduler(c, photo):
    """A post with `photo` handed to Facebook's own scheduler two days ahead."""
    now = timezone.now()
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
        media_ids=[photo.pk],
        publish_at=now + timedelta(days=2),
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.platform_scheduled and row.platform_id
    assert post.status == PostStatus.SCHEDULED
    return post, row


@pytest.mark.parametrize(
    ("change", "rule", "named"),
    [
        ({"people": "recognisable", "children": True}, "PU-6", "bildet viser barn"),
        ({"photographer_permission": False}, "PU-7", "fotografen (Kari Foto) har ikke"),
    ],
)
def test_a_fact_that_would_block_a_scheduled_post_is_refused(connected, change, rule, named):
    """(b) After the hand-off to Facebook's scheduler: the change is refused with the
    block it would give (in Norwegian) and the way out; the register keeps its facts,
    so the copy on the scheduler has no block. Withdrawn (the copy cancelled), the
    post is a draft and the change is recorded."""
    c = connected
    photo = _photo(c.world)
    post, row = _on_facebooks_scheduler(c, photo)
    before = MediaAsset.objects.get(pk=photo.pk)

    with pytest.raises(Conflict) as refused:
        media_update(actor=c.world.editor, asset_id=photo.pk, **change)
    assert refused.value.code == "media_in_use" and refused.value.rule == rule
    message = str(refused.value.message)
    assert "på vei ut (Planlagt)" in message and named in message
    assert "trekk det tilbake først" in message
    after = MediaAsset.objects.get(pk=photo.pk)
    assert (after.people, after.children, after.photographer_permission) == (
        before.people,
        before.children,
        before.photographer_permission,
    )
    post.refresh_from_db()
    row.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and row.platform_scheduled
    assert _blocks(post) == []

    # A change that gives no block goes through while the post waits.
    media_update(actor=c.world.editor, asset_id=photo.pk, photographer="Kari Fotograf")

    post_withdraw(actor=c.world.editor, post_id=post.pk)
    media_update(actor=c.world.editor, asset_id=photo.pk, **change)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert [f["rule"] for f in _blocks(post)] == [rule]
