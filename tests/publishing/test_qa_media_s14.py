"""Uploaded media after the QA pass of December 2026 (s14): a photo's location (EXIF GPS,
XMP) is removed before it is stored, served at the public URL Instagram fetches or sent
to Facebook (PU-1, EM-7), the orientation kept; HEIC/AVIF photos and broken images are
refused with a message saying what to do."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image, PngImagePlugin

from ordstyrer.core.errors import NotFound, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_upload
from ordstyrer.publishing.models import MediaAsset, MediaKind
from ordstyrer.publishing.services import post_create
from tests.publishing.conftest import MP4

pytestmark = pytest.mark.django_db

GPS_IFD, EXIF_IFD, ORIENTATION = 0x8825, 0x8769, 0x0112
# Rissa, 63.58 N 9.97 E: where the photographer lives.
PLACE = {1: "N", 2: (63.0, 34.0, 48.0), 3: "E", 4: (9.0, 58.0, 12.0)}


def _exif(gps: bool = True) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # taken with the phone on its side: shown turned 90°
    exif[0x010F] = "Telefonprodusent"
    if gps:
        exif.get_ifd(GPS_IFD).update(PLACE)
    exif.get_ifd(EXIF_IFD)[0x9003] = "2026:06:12 18:54:00"
    return exif.tobytes()


def photo(fmt: str = "JPEG", *, gps: bool = True, **save) -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    for x in range(64):
        image.putpixel((x, x % 48), (250, 250, 0))
    out = io.BytesIO()
    image.save(out, fmt, exif=_exif(gps), **save)
    return out.getvalue()


def read(content: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(content)) as image:
        image.load()  # decodes
        return image.getexif()


def location_removed(asset: MediaAsset) -> bool:
    """What the upload's audit entry says."""
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    return bool(entry.data.get("location_removed"))


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _upload(w, name: str, content: bytes, **kw) -> MediaAsset:
    return media_upload(
        actor=w.editor, municipality=w.municipality, filename=name, content=content, **kw
    )


def test_a_jpegs_gps_position_is_removed_and_the_orientation_kept(world, client):
    w = world
    original = photo()
    assert read(original).get_ifd(GPS_IFD)  # the test's photo says where it was taken
    client.force_login(w.editor)
    response = client.post(
        url(w, "media"),
        {"file": io.BytesIO(original), "alt_text": "Bibliotekaren viser fram nye bøker"},
        follow=True,
    )
    page = response.content.decode()
    assert "Bildet inneholdt stedsinformasjon (GPS-posisjon)" in page
    asset = MediaAsset.objects.get(municipality=w.municipality)
    stored = bytes(asset.content)
    exif = read(stored)
    assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD)
    assert exif[ORIENTATION] == 6 and exif[0x010F] == "Telefonprodusent"
    assert exif.get_ifd(EXIF_IFD)[0x9003] == "2026:06:12 18:54:00"
    # Only the metadata changed: the picture itself is the same bytes.
    assert stored[stored.index(b"\xff\xda") :] == original[original.index(b"\xff\xda") :]
    assert asset.size == len(stored) and asset.mime == "image/jpeg"
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert entry.data["location_removed"] is True and entry.data["sha256"] == asset.sha256
    # What Instagram fetches is `stored` (the public URL serves the stored file while a
    # post is on its way, PU-6: test_s19_public_media); what Facebook is sent:
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text="Nye bøker på biblioteket.",
        media_ids=[asset.pk],
    )
    sent = delivery.build_draft(post, w.page).media[0].content
    assert sent == stored and GPS_IFD not in read(sent)


def test_the_composers_upload_says_so_too(world, client):
    w = world
    client.force_login(w.editor)
    page = client.post(
        url(w, "compose"),
        {
            "channels": [w.page.pk],
            "text": "Nye bøker på biblioteket. Se https://indrefosen.kommune.no",
            "upload": io.BytesIO(photo()),
            "upload_alt": "Bibliotekaren viser fram nye bøker",
        },
        follow=True,
    ).content.decode()
    assert "Bildet inneholdt stedsinformasjon (GPS-posisjon)" in page
    asset = MediaAsset.objects.get(municipality=w.municipality)
    assert GPS_IFD not in read(bytes(asset.content))


def test_a_photo_without_a_position_is_stored_as_it_came(world):
    original = photo(gps=False)
    asset = _upload(world, "uten-sted.jpg", original)
    assert bytes(asset.content) == original and not location_removed(asset)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_position_too(world, fmt):
    asset = _upload(world, f"bilde.{fmt.lower()}", photo(fmt))
    exif = read(bytes(asset.content))
    assert location_removed(asset) and GPS_IFD not in exif and exif[ORIENTATION] == 6


def test_an_xmp_location_is_removed(world):
    info = PngImagePlugin.PngInfo()
    info.add_itxt(
        "XML:com.adobe.xmp",
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description '
        'exif:GPSLatitude="63,34.8N" exif:GPSLongitude="9,58.2E"/></x:xmpmeta>',
        zip=True,
    )
    image = Image.new("RGB", (8, 8), (1, 2, 3))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    asset = _upload(world, "xmp.png", out.getvalue())
    assert location_removed(asset) and b"GPSLatitude" not in bytes(asset.content)
    assert b"xmp" not in bytes(asset.content)


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"avif"])
def test_heic_and_avif_photos_are_refused_with_a_way_out(world, client, brand):
    content = b"\x00\x00\x00\x1cftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(ServiceError) as refused:
        _upload(world, "IMG_0042.HEIC", content)
    assert "eksporter bildet som JPEG" in refused.value.message
    client.force_login(world.editor)
    page = client.post(url(world, "media"), {"file": io.BytesIO(content), "alt_text": "x"})
    assert "HEIC- eller AVIF-bilde" in page.content.decode()
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()


def test_a_video_is_still_a_video(world):
    asset = _upload(world, "film.mp4", MP4, caption_mode="no_speech")
    assert asset.kind == MediaKind.VIDEO and asset.mime == "video/mp4"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff" + b"ikke et bilde " * 50,  # only the JPEG magic
        photo(gps=False)[:-200],  # cut off
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    ],
    ids=["jpeg-magic-then-junk", "truncated-jpeg", "png-magic-then-junk"],
)
def test_a_broken_image_is_refused(world, content):
    with pytest.raises(ServiceError) as refused:
        _upload(world, "bilde.jpg", content)
    assert "skadet eller ufullstendig" in refused.value.message
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_cut_off_image_is_refused_after_the_archive_has_made_a_pdf(world, monkeypatch, fmt):
    """WeasyPrint (archive PDF/A) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES at
    import; a worker that has made a PDF must still refuse a cut-off upload."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    image = Image.new("RGB", (320, 240), (30, 120, 200))
    for x in range(320):
        image.putpixel((x, x % 240), (250, 250, 0))
    out = io.BytesIO()
    image.save(out, fmt)
    whole = out.getvalue()
    with pytest.raises(ServiceError) as refused:
        _upload(world, f"bilde.{fmt.lower()}", whole[: len(whole) * 2 // 3])
    assert "skadet eller ufullstendig" in refused.value.message
    assert _upload(world, f"hel.{fmt.lower()}", whole).pk  # the whole file is taken


def test_an_outsider_is_refused_before_anything_is_read(world):
    """Not found (as everywhere for an outsider), also for a broken file."""
    for content in (photo(), b"\xff\xd8\xff" + b"x" * 100):
        with pytest.raises(NotFound):
            media_upload(
                actor=world.p.outsider,
                municipality=world.municipality,
                filename="x.jpg",
                content=content,
            )
