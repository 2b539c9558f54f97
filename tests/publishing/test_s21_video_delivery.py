"""Review s21: a Facebook video post through delivery, against the Graph stand-in over
HTTP (the product's own connector, never mocked).

* PU-3 (block: videos need captions): the caption file goes up as SRT whatever line ends
  the WebVTT was saved with (CR alone included, which `media.read_captions` accepts); a
  file with no cue is refused when it is uploaded, and one stored earlier blocks the
  check; captions the platform refuses fail the delivery with the video never public,
  and a retry after a transient error posts the video captioned instead of adopting an
  uncaptioned copy.
* The link: a video post has no link field on Facebook, so the link goes into the
  video's description (`rules.caption`, as Instagram's caption), and the length check
  measures it there (`rules.measured_text`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.publishing import delivery, rules
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, MediaAsset, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer_fakegraph.store import PostRec, VideoRec
from tests.publishing.conftest import MP4

TEXT = "Kommunestyret møtes torsdag klokka 18 i rådhuset. Se opptaket fra forrige møte."
LINK = "https://indrefosen.kommune.no/politikk"
CUES = ("Velkommen til kommunestyret.", "Sak 12: skolebruksplanen.")
VTT = "WEBVTT\n\n00:00.000 --> 00:02.500\n{0}\n\n00:02.500 --> 00:05.000 align:start\n{1}\n"


def _upload(c, captions: str) -> MediaAsset:
    video = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="mote.mp4",
        content=MP4,
        title="Kommunestyret",
        caption_mode="file",
        captions_name="mote.vtt",
        captions=captions.encode(),
    )
    return media_update(
        actor=c.world.editor,
        asset_id=video.pk,
        people="none",
        photographer_permission=True,
        music_cleared=True,
    )


def _send(c, video: MediaAsset):
    """Published on the Facebook page, with the link PU-9 asks for."""
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
        links=[LINK],
        media_ids=[video.pk],
    )
    post = post_publish(actor=c.world.editor, post_id=post.pk)
    return post, post.deliveries.get()


def _videos(c) -> list[VideoRec]:
    return [o for o in c.fake.store.objects.values() if isinstance(o, VideoRec)]


def _video_posts(c, *, published: bool = True) -> list[PostRec]:
    return [
        o
        for o in c.fake.store.objects.values()
        if isinstance(o, PostRec)
        and o.video_id is not None
        and not o.deleted
        and o.is_published is published
    ]


@pytest.mark.parametrize("ends", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_a_webvtt_caption_file_goes_up_as_srt_whatever_its_line_ends(connected, ends):
    c = connected
    video = _upload(c, VTT.format(*CUES).replace("\n", ends))
    _post, row = _send(c, video)
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    [published] = _video_posts(c)
    [uploaded] = _videos(c)
    assert published.video_id == uploaded.id
    assert uploaded.captions["nb_NO"].content == (
        f"1\n00:00:00,000 --> 00:00:02,500\n{CUES[0]}\n\n"
        f"2\n00:00:02,500 --> 00:00:05,000\n{CUES[1]}\n"
    )


def test_captions_refused_fail_the_delivery_with_no_video_out(connected):
    """PU-3: the platform refuses the caption file: the delivery fails with a reason
    that says so, and no uncaptioned video is public or on Facebook's scheduler."""
    c = connected
    video = _upload(c, VTT.format(*CUES))
    post, row = _send(c, video)
    c.fake.inject(code=100, method="POST", path="/captions", message="(#100) Invalid file")
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.FAILED
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and post.status == PostStatus.FAILED
    assert "tok ikke imot tekstingen av videoen" in row.error
    assert "videoen er ikke publisert" in row.error
    assert _video_posts(c) == [] and _video_posts(c, published=False) == []
    assert [v.deleted for v in _videos(c)] == [True]


def test_a_retry_does_not_adopt_an_uncaptioned_copy(connected):
    """A transient error on the captions: the attempt leaves no post behind, and the
    retry (which looks for an earlier attempt's post by its text) puts the video out
    once, captioned."""
    c = connected
    video = _upload(c, VTT.format(*CUES))
    _post, row = _send(c, video)
    c.fake.inject(code=2, method="POST", path="/captions", times=-1, is_transient=True)
    assert delivery.delivery_run(post_channel_id=row.pk) == "retrying"
    assert _video_posts(c) == []
    c.fake.store.injections.clear()
    row.refresh_from_db()
    later = row.next_attempt_at + timedelta(seconds=1)
    assert delivery.delivery_run(post_channel_id=row.pk, now=later) == DeliveryStatus.PUBLISHED
    [published] = _video_posts(c)
    video_rec = c.fake.store.objects[published.video_id]
    assert isinstance(video_rec, VideoRec) and set(video_rec.captions) == {"nb_NO"}
    row.refresh_from_db()
    assert row.platform_id == published.id


def test_the_link_goes_into_the_video_description(connected):
    """The confirm page shows the link and PU-9 passes on it: it is sent, in the
    video's description, as `rules.caption` writes it."""
    c = connected
    video = _upload(c, VTT.format(*CUES))
    _post, row = _send(c, video)
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    [uploaded] = _videos(c)
    assert uploaded.description == rules.caption(TEXT, LINK)
    assert [p.message for p in _video_posts(c)] == [rules.caption(TEXT, LINK)]


def test_the_length_check_counts_the_link_of_a_facebook_video():
    """`rules.measured_text`: the link in a video's description counts toward the
    63,206 characters; beside a photo or a text post it does not."""
    limit = rules.limits_for("facebook").max_text
    text = "a" * (limit - 10)
    video = rules.MediaFacts(kind="video", size=1, caption_mode="no_speech")
    image = rules.MediaFacts(kind="image", size=1, caption_mode="", alt_text="Rådhuset")

    def too_long(media):
        found = rules.channel_findings(
            kind="facebook", name="Side", channel_id=1, text=text, links=[LINK], media=media
        )
        return [f for f in found if "tegn" in f["message_nb"]]

    assert too_long([video])
    assert not too_long([image]) and not too_long([])
    assert rules.measured_text("facebook", text, [LINK], video=True) == rules.caption(text, LINK)


def test_a_caption_file_with_no_cue_is_refused_at_upload(connected):
    """PU-3: refused when it is uploaded, in words the uploader can act on, not when
    the post is sent."""
    c = connected
    for captions in ("WEBVTT\n", "WEBVTT\r\rNOTE bare en merknad\r", "WEBVTT\n\n00:01.000 -->\n"):
        with pytest.raises(ServiceError) as refused:
            _upload(c, captions)
        assert "Fant ingen undertekster" in str(refused.value.message)


def test_a_stored_caption_file_with_no_cue_blocks_the_check(connected):
    """A file stored before such files were refused at upload: PU-3 blocks the post
    (its video has no captions), and were it sent anyway, the connector refuses it
    before the video goes up."""
    c = connected
    video = _upload(c, VTT.format(*CUES))
    MediaAsset.objects.filter(pk=video.pk).update(captions_text="WEBVTT\r\r")
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[c.facebook.pk],
        text=TEXT,
        media_ids=[video.pk],
    )
    assert [f["severity"] for f in post.findings if f["rule"] == "PU-3"] == ["block"]
    draft = delivery.build_draft(post, c.facebook)
    assert [m.captions[0].srt for m in draft.media] == [""]


@pytest.mark.parametrize(
    ("source", "srt"),
    [
        (
            "WEBVTT\r\rintro\r00:01.000 --> 00:02.000 line:0\r<v Kari>Hei</v>\r",
            "1\n00:00:01,000 --> 00:00:02,000\nHei\n",
        ),
        (
            "1\r\n00:00:01,000 --> 00:00:02,000\r\nHei\r\n\r\n2\r\n00:00:03,000 --> "
            "00:00:04,000\r\npå deg\r\n",
            "1\n00:00:01,000 --> 00:00:02,000\nHei\n\n2\n00:00:03,000 --> 00:00:04,000\npå deg\n",
        ),
        (
            "WEBVTT\n\nNOTE ingen tekst her\n\n00:01.000 --> 00:02.000\n\n"
            "00:03.000 --> 00:04.000\nBare denne\n",
            "1\n00:00:03,000 --> 00:00:04,000\nBare denne\n",
        ),
    ],
    ids=["webvtt-cr", "srt-crlf", "cue-without-text"],
)
def test_vtt_to_srt(source, srt):
    assert delivery.vtt_to_srt(source) == srt
