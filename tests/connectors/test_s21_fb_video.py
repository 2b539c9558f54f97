"""Review s21, PU-3: a Facebook video goes out only with its captions on it. The
connector uploads it unpublished (`published=false`), adds the caption files and checks
their answers, and only then publishes or schedules it (`POST /{video-id}`, codegen
`AdVideo.json` #update). When the captions are refused, the unpublished video is
deleted: no uncaptioned copy is public, on Facebook's scheduler, or left for a retry to
adopt. A video post has no link field: a link sent beside it is refused, not dropped.

Against the Graph stand-in over HTTP (tests/connectors/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import Caption, ConnectorError, Draft, ErrorCode, Media
from ordstyrer_fakegraph.store import PostRec, VideoRec
from tests.connectors.conftest import NOW

SRT = "1\n00:00:00,000 --> 00:00:02,000\nVelkommen til kommunestyret.\n"
TEXT = "Opptak fra kommunestyret"


def _video(*captions: Caption) -> Media:
    return Media(
        kind="video",
        url="https://kommune.example/ks.mp4",
        title="Kommunestyret",
        captions=captions or (Caption("nb_NO", SRT),),
    )


def _videos(fake) -> list[VideoRec]:
    return [o for o in fake.store.objects.values() if isinstance(o, VideoRec)]


def _video_posts(fake) -> list[PostRec]:
    return [
        o
        for o in fake.store.objects.values()
        if isinstance(o, PostRec) and o.video_id is not None and not o.deleted
    ]


def _writes(fake) -> list[tuple[str, str]]:
    return [(m, p) for m, p in fake.store.requests if m != "GET"]


def test_the_video_is_published_only_after_its_captions_are_on_it(fb, fake, page) -> None:
    post = fb.publish(Draft(text=TEXT, media=(_video(),)))
    [video] = _videos(fake)
    # Uploaded unpublished, captioned, then published: in that order.
    assert [p.rsplit("/", 1)[-1] for _m, p in _writes(fake)] == ["videos", "captions", video.id]
    assert set(video.captions) == {"nb_NO"} and video.captions["nb_NO"].is_default
    [published] = _video_posts(fake)
    assert published.is_published and published.video_id == video.id
    assert post.id == published.id and post.is_published


def test_a_scheduled_video_is_scheduled_after_its_captions_are_on_it(fb, fake, page) -> None:
    at = NOW + timedelta(days=2)
    post = fb.schedule(Draft(text=TEXT, media=(_video(),)), at, now=NOW)
    [video] = _videos(fake)
    assert [p.rsplit("/", 1)[-1] for _m, p in _writes(fake)] == ["videos", "captions", video.id]
    assert set(video.captions) == {"nb_NO"}
    [scheduled] = _video_posts(fake)
    assert not scheduled.is_published and scheduled.scheduled_publish_time == at
    assert not post.is_published and post.scheduled_at == at
    assert [p.id for p in fb.list_scheduled()] == [post.id]


@pytest.mark.parametrize("schedule", [False, True], ids=["publish", "schedule"])
def test_refused_captions_leave_no_uncaptioned_video(fb, fake, page, schedule) -> None:
    """PU-3 block: the captions refused (a permanent Graph 100), the video is deleted and
    the error says the video is not published; nothing is public or scheduled."""
    fake.inject(code=100, method="POST", path="/captions", message="(#100) Invalid file")
    draft = Draft(text=TEXT, media=(_video(),))
    with pytest.raises(ConnectorError) as refused:
        if schedule:
            fb.schedule(draft, NOW + timedelta(days=2), now=NOW)
        else:
            fb.publish(draft)
    assert refused.value.permanent
    assert "tekstingen av videoen" in refused.value.message
    assert "ikke publisert" in refused.value.message
    assert _video_posts(fake) == []
    assert [v.deleted for v in _videos(fake)] == [True]
    assert fb.list_scheduled() == []


def test_captions_answered_not_done_leave_no_uncaptioned_video(fb, fake, page) -> None:
    """Graph answering the captions `{"success": false}` is not taken as done."""
    fake.malform(method="POST", path="/captions", values={"success": False})
    with pytest.raises(ConnectorError) as refused:
        fb.publish(Draft(text=TEXT, media=(_video(),)))
    assert refused.value.code == ErrorCode.BAD_ANSWER
    assert _video_posts(fake) == []
    assert [v.deleted for v in _videos(fake)] == [True]


def test_a_transient_captions_error_leaves_nothing_to_adopt(fb, fake, page) -> None:
    """A transient error (retried later by the delivery) leaves no post with the text
    on the Page: the retry's look-up by text finds nothing and posts the video anew."""
    fake.inject(code=2, method="POST", path="/captions", times=-1, is_transient=True)
    with pytest.raises(ConnectorError) as failed:
        fb.publish(Draft(text=TEXT, media=(_video(),)))
    assert not failed.value.permanent
    assert _video_posts(fake) == []
    assert [p.text for p in fb.list_posts().items] == []


def test_a_caption_file_with_no_cue_is_refused_before_the_video_goes_up(fb, fake, page) -> None:
    with pytest.raises(ConnectorError) as refused:
        fb.publish(Draft(text=TEXT, media=(_video(Caption("nb_NO", "\n")),)))
    assert refused.value.code == ErrorCode.BAD_REQUEST and refused.value.permanent
    assert "PU-3" in refused.value.message
    assert _writes(fake) == [] and _videos(fake) == []


def test_a_link_beside_a_video_is_refused_not_dropped(fb, fake, page) -> None:
    """A video post has a description and no link field (spec §1.8): the caller writes
    the link into the text (`rules.caption`); one sent beside it would be lost."""
    with pytest.raises(ConnectorError) as refused:
        fb.publish(
            Draft(text=TEXT, link="https://kommune.example/sak", media=(_video(),)),
        )
    assert refused.value.code == ErrorCode.BAD_REQUEST and refused.value.permanent
    assert _writes(fake) == []
    text = f"{TEXT}\n\nhttps://kommune.example/sak"
    fb.publish(Draft(text=text, media=(_video(),)))
    [video] = _videos(fake)
    assert video.description == text
    assert [p.message for p in _video_posts(fake)] == [text]
