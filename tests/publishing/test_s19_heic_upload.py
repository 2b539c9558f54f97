"""HEIC/HEIF photos (the iPhone's default) and AVIF are stored as JPEG on upload (s19):
upright, with the same pixels' dimensions, and without where they were taken (PU-1,
EM-7: no location leaves the installation); a damaged one is refused in Norwegian with
the way out."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from django.urls import reverse
from PIL import Image

from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing.media import media_upload
from ordstyrer.publishing.models import MediaAsset, MediaKind

pytestmark = pytest.mark.django_db

GPS_IFD, ORIENTATION = 0x8825, 0x0112
# Rissa, 63.58 N 9.97 E: where the photographer lives.
PLACE = {1: "N", 2: (63.0, 34.0, 48.0), 3: "E", 4: (9.0, 58.0, 12.0)}
RED = (220, 20, 20)


def _picture() -> Image.Image:
    """64×48, blue, with a red block in its top left corner (to see which way is up)."""
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    image.paste(RED, (0, 0, 12, 12))
    return image


def _exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Apple"
    exif.get_ifd(GPS_IFD).update(PLACE)
    return exif.tobytes()


def heic() -> bytes:
    """An iPhone-like HEIC made by pillow-heif itself, EXIF with a GPS position."""
    picture = _picture()
    picture.info["exif"] = _exif()
    out = io.BytesIO()
    pillow_heif.from_pillow(picture).save(out, quality=90)
    return out.getvalue()


def heic_on_its_side() -> bytes:
    """As the iPhone stores a photo taken upright: the sensor's landscape pixels with a
    rotation (`irot`) and EXIF orientation 6 that both say "turn 90° clockwise"."""
    picture = _picture()
    heif = pillow_heif.from_bytes(mode="RGB", size=picture.size, data=picture.tobytes())
    heif.info["exif"] = _exif(orientation=6)
    out = io.BytesIO()
    heif.save(out, quality=90)
    return out.getvalue()


def avif_on_its_side() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "AVIF", exif=_exif(orientation=6))
    return out.getvalue()


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _upload(w, name: str, content: bytes) -> MediaAsset:
    return media_upload(actor=w.editor, municipality=w.municipality, filename=name, content=content)


def _stored(asset: MediaAsset) -> Image.Image:
    image = Image.open(io.BytesIO(bytes(asset.content)))
    image.load()
    return image


def test_an_iphone_heic_is_stored_as_a_jpeg_without_its_gps_position(world, client):
    """PU-1, EM-7: the HEIC goes in through the console's upload and comes out a JPEG of
    the same size with no GPS block; the confirmation and the audit say so."""
    w = world
    original = heic()
    decoded = pillow_heif.open_heif(io.BytesIO(original))
    placed = Image.Exif()
    placed.load(decoded.info["exif"])
    assert placed.get_ifd(GPS_IFD)  # the test's photo says where it was taken
    size = decoded.size
    client.force_login(w.editor)
    response = client.post(
        url(w, "media"),
        {"file": io.BytesIO(original), "alt_text": "Ordføreren klipper snoren"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Bildet inneholdt stedsinformasjon (GPS-posisjon)" in response.content.decode()
    asset = MediaAsset.objects.get(municipality=w.municipality)
    # What Instagram fetches is this, as stored: the public URL serves the stored bytes
    # with their `mime` while a post is on its way (PU-6, test_s19_public_media).
    assert asset.kind == MediaKind.IMAGE and asset.mime == "image/jpeg"
    assert asset.filename.endswith(".jpg")
    stored = _stored(asset)
    assert stored.format == "JPEG" and stored.size == size == (64, 48)
    exif = stored.getexif()
    assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD)
    assert b"ftyp" not in bytes(asset.content)[:16]
    assert asset.size == len(bytes(asset.content))
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert entry.data["location_removed"] is True and entry.data["sha256"] == asset.sha256


@pytest.mark.parametrize("make", [heic_on_its_side, avif_on_its_side], ids=["heic", "avif"])
def test_a_photo_taken_upright_is_stored_upright(world, make):
    """PU-1: the rotation the phone recorded is applied to the JPEG's pixels (the JPEG
    keeps no EXIF to say it), and the GPS block goes."""
    asset = _upload(world, "IMG_0043.HEIC", make())
    stored = _stored(asset)
    assert stored.format == "JPEG" and stored.size == (48, 64)
    assert GPS_IFD not in stored.getexif()
    assert stored.getexif().get(ORIENTATION, 1) == 1
    # The red top-left corner of the sensor's picture is top right once turned.
    r, g, b = stored.convert("RGB").getpixel((42, 5))
    assert r > 150 and g < 90 and b < 90
    r, g, b = stored.convert("RGB").getpixel((5, 5))
    assert b > 150


def test_a_damaged_heic_is_refused_in_norwegian(world, client):
    """PU-1: a HEIC cut off half way cannot be converted: the upload says so, with the
    way out, and stores nothing (no traceback)."""
    damaged = heic()
    damaged = damaged[: len(damaged) // 2]
    with pytest.raises(ServiceError) as refused:
        _upload(world, "IMG_0044.HEIC", damaged)
    assert "skadet eller ufullstendig" in refused.value.message
    assert "eksporter bildet som JPEG" in refused.value.message
    client.force_login(world.editor)
    page = client.post(url(world, "media"), {"file": io.BytesIO(damaged), "alt_text": "x"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "HEIC- eller AVIF-bilde" in text and "skadet eller ufullstendig" in text
    assert "Traceback" not in text
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()
