"""Review s18, PU-1: a video's title and its caption file go out with the video (the
title and `/{video-id}/captions` on Facebook, `delivery.build_draft`), so PU-1 reads them
as it reads the post's text and an image's alt text: a national identity number in
either blocks the post on every preset. Only the captions' cue text is read, not the
file's timings, cue numbers or NOTE blocks, which no one sees."""

from __future__ import annotations

import pytest

from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import PostRefused, post_create, post_publish
from tests.publishing.conftest import MP4, make_world
from tests.publishing.test_services import CLEAN, FNR

pytestmark = pytest.mark.django_db

SRT = "1\n00:00:00,000 --> 00:00:04,000\n{cue}\n\n2\n00:00:04,000 --> 00:00:06,500\nVelkommen!\n"
VTT = (
    "WEBVTT\n\nNOTE Klippet 15.03.\n\nintro\n00:00.000 --> 00:04.000 align:start\n{cue}\n\n"
    "00:04.000 --> 00:06.500\nVelkommen!\n"
)
SAID = "Biblioteket har fått nye bøker."


def _video(w, *, title: str = "Nye bøker på biblioteket", captions: str | None = None):
    video = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="bibliotek.mp4",
        content=MP4,
        title=title,
        caption_mode="file" if captions is not None else "no_speech",
        captions_name="bibliotek.srt",
        captions=captions.encode() if captions is not None else None,
    )
    return media_update(
        actor=w.editor,
        asset_id=video.pk,
        people="none",
        photographer_permission=True,
        music_cleared=True,
    )


def _refused(w, video, named: str) -> None:
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=CLEAN,
        media_ids=[video.pk],
    )
    [found] = [f for f in post.findings if f["rule"] == "PU-1"]
    assert found["severity"] == "block" and found["span"] is None
    assert found["message_nb"].startswith(f"Vedlegg 1 ({named}): ")
    assert "15038512363" not in found["message_nb"]  # masked (issue #18)
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=w.editor, post_id=post.pk, override_reason="Må ut i dag.")
    assert refused.value.code == "blocked"
    assert refused.value.rule == "PU-1"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_national_id_in_the_video_title_blocks_pu1():
    """PU-1: the title is published with the video."""
    w = make_world("s18title", "indre-fosen")
    _refused(w, _video(w, title=FNR[:200]), "tittel")


@pytest.mark.parametrize("form", [SRT, VTT], ids=["srt", "webvtt"])
def test_national_id_in_the_captions_blocks_pu1(form):
    """PU-1: the caption file's cue text is published with the video."""
    w = make_world("s18capt", "gausdal")
    _refused(w, _video(w, captions=form.format(cue=FNR)), "teksting")


@pytest.mark.parametrize("form", [SRT, VTT], ids=["srt", "webvtt"])
def test_a_clean_title_and_captions_still_publish(form):
    """PU-1: timings, cue numbers and identifiers are not read as personal data."""
    w = make_world("s18clean", "indre-fosen")
    video = _video(w, captions=form.format(cue=SAID))
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=CLEAN,
        media_ids=[video.pk],
    )
    assert not [f for f in post.findings if f["rule"] == "PU-1"], post.findings
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.PUBLISHING
