"""Instagram takes JPEG images whose aspect ratio lies within 4:5 to 1.91:1, and MOV or MP4
videos (Meta's IG User Media reference). Anything else was refused by Meta only after
approval (review s21): a PNG, an iPhone's 3:4 portrait, a WebM; on a Facebook + Instagram
post Facebook published and the user had to write a new post. Now each is a block finding
before approval (`rules.channel_findings`, rule "channel"); Facebook is unchanged."""

from __future__ import annotations

import io
from importlib import import_module

import pytest
from django.apps import apps
from PIL import Image

from ordstyrer.publishing import rules
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import MediaAsset, PostChannel, PostStatus
from ordstyrer.publishing.services import PostRefused, post_create, post_publish
from tests.publishing.conftest import jpeg, make_channel, png

pytestmark = pytest.mark.django_db

TEXT = "Sommerkonsert i parken på lørdag klokka sju. Velkommen!"
RULE = "Instagram tar bare JPEG-bilder med sideforhold mellom 4:5 og 1,91:1"
# An EXIF block that says "rotate 90° clockwise to show" (orientation 6), as an iPhone
# writes under a portrait photo stored on its side.
ROTATED = 6


def _jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (40, 120, 200))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _asset(w, content: bytes, name: str, **facts):
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename=name,
        content=content,
        alt_text="Korpset spiller i parken",
        caption_mode=facts.pop("caption_mode", ""),
    )
    return media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="none",
        photographer_permission=True,
        **facts,
    )


def _channels(w):
    instagram = make_channel(w.p, name="Pubby", kind="instagram", editor=w.editor)
    facebook = make_channel(w.p, name="Pubby", kind="facebook", editor=w.editor)
    return instagram, facebook


def _draft(w, channels, assets):
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[c.pk for c in channels],
        text=TEXT,
        media_ids=[a.pk for a in assets],
    )


def _format_blocks(post, channel):
    return [
        f
        for f in post.findings
        if f["rule"] == "channel" and f["severity"] == "block" and f["channel"] == channel.pk
    ]


def test_a_png_and_a_portrait_jpeg_on_instagram_are_blocked_before_approval(world):
    """The review's two files: a PNG, and a 300×400 JPEG (3:4 = 0.75, narrower than 4:5).
    Each is named in a block on the Instagram channel, in Norwegian, with the rule and
    the way out; the post cannot be sent, so nothing goes anywhere."""
    w = world
    instagram, facebook = _channels(w)
    poster = _asset(w, png(4), "plakat.png")
    portrait = _asset(w, _jpeg(300, 400), "portrett.jpg")
    assert (portrait.mime, portrait.width, portrait.height) == ("image/jpeg", 300, 400)

    post = _draft(w, [instagram], [poster, portrait])
    blocks = [f["message_nb"] for f in _format_blocks(post, instagram)]
    assert len(blocks) == 2, post.findings
    assert "vedlegg 1 er et PNG-bilde" in blocks[0] and RULE in blocks[0]
    assert "Lagre bildet som JPEG" in blocks[0]
    assert "vedlegg 2 er 300×400 piksler, sideforhold 0,75:1" in blocks[1] and RULE in blocks[1]
    assert "Beskjær bildet" in blocks[1]
    with pytest.raises(PostRefused, match="PNG-bilde"):
        post_publish(actor=w.editor, post_id=post.pk)

    # On Facebook + Instagram the post is refused as a whole: Facebook publishes nothing
    # that the user must then write anew for Instagram.
    both = _draft(w, [facebook, instagram], [poster])
    assert _format_blocks(both, instagram) and not _format_blocks(both, facebook)
    with pytest.raises(PostRefused):
        post_publish(actor=w.editor, post_id=both.pk, override_reason="Test.")
    both.refresh_from_db()
    assert both.status == PostStatus.DRAFT
    assert not PostChannel.objects.filter(post=both).exclude(status="queued").exists()


def test_facebook_alone_takes_the_same_files_as_before(world):
    """Facebook takes PNG and any aspect ratio: no new finding, and the post goes."""
    w = world
    _instagram, facebook = _channels(w)
    poster = _asset(w, png(5), "plakat.png")
    portrait = _asset(w, _jpeg(300, 400), "portrett.jpg")
    post = _draft(w, [facebook], [poster, portrait])
    assert not _format_blocks(post, facebook), post.findings
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Test.")
    assert post.status in (PostStatus.PUBLISHING, PostStatus.SCHEDULED)


def test_an_iphone_portrait_stored_on_its_side_is_measured_as_shown(world):
    """A JPEG stored 4:3 with EXIF orientation 6 is shown (by Meta too) as 3:4: its size is
    stored as shown, so the 3024×4032 case of the review is blocked; a square or a 4:5
    photo passes."""
    w = world
    instagram, _facebook = _channels(w)
    sideways = _asset(w, _jpeg(400, 300, orientation=ROTATED), "IMG_0001.jpg")
    assert (sideways.width, sideways.height) == (300, 400)
    post = _draft(w, [instagram], [sideways])
    assert "300×400 piksler" in _format_blocks(post, instagram)[0]["message_nb"]

    fine = [_asset(w, _jpeg(400, 500), "fire-fem.jpg"), _asset(w, jpeg(2, (60, 60)), "kvadrat.jpg")]
    post = _draft(w, [instagram], fine)
    assert not _format_blocks(post, instagram), post.findings
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Test.")
    assert post.status == PostStatus.PUBLISHING


def test_a_webm_video_on_instagram_is_blocked(world):
    """Instagram takes MOV or MP4 videos (Reels); a WebM was sent as it was."""
    w = world
    instagram, facebook = _channels(w)
    film = _asset(
        w,
        b"\x1a\x45\xdf\xa3" + b"\x00" * 64,
        "konsert.webm",
        caption_mode="no_speech",
        music_cleared=True,
    )
    assert film.mime == "video/webm"
    post = _draft(w, [instagram, facebook], [film])
    blocks = _format_blocks(post, instagram)
    assert len(blocks) == 1
    assert (
        "vedlegg 1 er en WebM-video; Instagram tar bare MP4- og MOV-videoer"
        in (blocks[0]["message_nb"])
    )
    assert "Eksporter videoen som MP4" in blocks[0]["message_nb"]
    assert "MP4 and MOV videos" in blocks[0]["message_en"]
    assert not _format_blocks(post, facebook)


@pytest.mark.parametrize(
    ("width", "height", "blocked"),
    [
        (1080, 1350, False),  # 4:5 exactly
        (1080, 1351, True),
        (1080, 1080, False),
        (1910, 1000, False),  # 1.91:1 exactly
        (1911, 1000, True),
        (3024, 4032, True),  # an iPhone portrait, 3:4
        (None, None, False),  # not known: not judged
    ],
)
def test_the_aspect_ratio_bounds_are_inclusive(width, height, blocked):
    facts = [
        rules.MediaFacts(
            kind="image",
            size=1000,
            caption_mode="",
            alt_text="Et bilde",
            mime="image/jpeg",
            width=width,
            height=height,
        )
    ]

    def found(kind: str) -> list[dict]:
        return rules.channel_findings(
            kind=kind, name="Pubby", channel_id=1, text=TEXT, links=[], media=facts
        )

    assert bool(found("instagram")) is blocked
    assert found("facebook") == []


def test_images_stored_before_get_their_size_from_the_migration(world):
    """The migration reads the size of each image stored before uploads did (as shown:
    orientation applied), so their check is as good as a new upload's."""
    w = world
    sideways = _asset(w, _jpeg(400, 300, orientation=ROTATED), "gammel.jpg")
    MediaAsset.objects.filter(pk=sideways.pk).update(width=None, height=None)
    migration = import_module("ordstyrer.publishing.migrations.0004_mediaasset_width_height")
    migration.read_sizes(apps, None)
    sideways.refresh_from_db()
    assert (sideways.width, sideways.height) == (300, 400)
