"""The PDF/A documents as PDF/A-2b requires them and as the deposit needs them (MO-2,
MO-3, AR-3; ISO 19005-2): no interpolated image (§6.2.8), no CMYK image under the sRGB
output intent (§6.2.4.3), no word lost off the page's edge, every letter the fonts can
draw kept — and a police package prepared before the documents' style changed still
rebuilt byte for byte."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pikepdf
import pytest
from PIL import Image

from ordstyrer.archive.canonical import sha256_hex
from ordstyrer.archive.entry import ArchiveEntry, ContextItem, Edit, Kind, MediaFile, Person
from ordstyrer.archive.models import ArchiveFile, PoliceStatus
from ordstyrer.archive.pdf import (
    LEGACY_STYLE,
    printable,
    printable_json,
    printable_mono,
    render_record_pdf,
    rendering_for,
)
from ordstyrer.archive.police import (
    PoliceFacts,
    _append_status,
    build_package,
    package_for_download,
    police_package_prepare,
)
from ordstyrer.archive.services import actor_name, archive_append
from tests.archive.conftest import deleted_comment, make_channel, tamper
from tests.archive.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

PREPARED = datetime(2025, 5, 17, 9, 30, 5, tzinfo=UTC)
VIETNAMESE = "Cảm ơn rất nhiều"
# A link as Facebook hands it on: the fbclid alone is 130 characters without a break.
FBCLID = (
    "IwZXh0bgNhZW0CMTEAAR2kQ7b1x9YdXq3Lz0vT8mKpNf4sWc6HjR1uA5eG7iB2oDyS9tUvX0wZaQcLmEnPo"
    "FrGhJkIlMnOpQrStUvWxYz_aem_AbCdEfGhIjKlMnOpQrStUv"
)


def image(mode: str, fmt: str, colour: object = None) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (40, 30), colour).save(out, fmt)
    return out.getvalue()


def images_of(data: bytes) -> list[dict[str, object]]:
    """Every image XObject of the PDF, soft masks included: whether it is interpolated,
    its colour space, whether it has a soft mask, and the image itself."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            {
                "interpolate": bool(obj.get("/Interpolate", False)),
                "space": str(obj.get("/ColorSpace")),
                "smask": "/SMask" in obj,
                "image": pikepdf.PdfImage(obj).as_pil_image(),
            }
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]


def with_files(personas, *media: MediaFile, **kw):
    return archive_append(
        actor=personas.communications,
        entry=deleted_comment(personas, make_channel(personas), media=media, **kw),
    )


# --- images (ISO 19005-2 §6.2.8, §6.2.4.3) -------------------------------------------


def test_no_image_or_soft_mask_is_interpolated(personas):
    """§6.2.8: an Image dictionary's Interpolate key, if present, shall be false. A photo
    with transparency has a soft mask, an image of its own."""
    record = with_files(
        personas,
        MediaFile("gjennomsiktig.png", "image/png", image("RGBA", "PNG", (200, 10, 10, 128))),
        MediaFile("foto.jpg", "image/jpeg", image("RGB", "JPEG", (10, 120, 200))),
    )
    found = images_of(bytes(rendering_for(record).pdf))
    assert len(found) == 3  # two images and the PNG's soft mask
    assert any(image["smask"] for image in found)
    assert [image["interpolate"] for image in found] == [False] * 3


def test_the_evidence_pdf_interpolates_no_image_either(personas):
    record = with_files(
        personas, MediaFile("foto.png", "image/png", image("RGBA", "PNG", (1, 2, 3, 4)))
    )
    police_package_prepare(
        actor=personas.communications, record=record, protected_grounds=["a"], now=PREPARED
    )
    package, _prepared = package_for_download(record)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        evidence = archive.read("bevis-000001/bevis-000001.pdf")
    found = images_of(evidence)
    assert found and not any(image["interpolate"] for image in found)


def test_a_cmyk_photo_goes_into_the_pdf_as_srgb_and_stays_cmyk_in_the_archive(personas):
    """§6.2.4.3: a /DeviceCMYK image under an sRGB output intent is not PDF/A-2b. The
    document shows the photo converted; the archived file is the one that came."""
    cmyk = image("CMYK", "JPEG", (0, 255, 255, 0))  # red
    record = with_files(personas, MediaFile("foto.jpg", "image/jpeg", cmyk))
    data = bytes(rendering_for(record).pdf)
    (photo,) = images_of(data)
    assert photo["space"] == "/DeviceRGB"
    red, green, blue = photo["image"].convert("RGB").getpixel((20, 15))
    assert red > 230 and green < 30 and blue < 30
    stored = ArchiveFile.objects.get(record=record)
    assert bytes(stored.data) == cmyk and stored.sha256 == sha256_hex(cmyk)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "sRGB" in str(pdf.Root.OutputIntents[0].OutputConditionIdentifier)


@pytest.mark.parametrize(
    ("mode", "fmt", "mime", "colour"),
    [
        ("P", "GIF", "image/gif", 3),
        ("L", "JPEG", "image/jpeg", 128),
        ("LA", "PNG", "image/png", (128, 200)),
        ("I;16", "PNG", "image/png", 40000),
    ],
)
def test_every_embedded_image_is_rgb_or_grey(personas, mode, fmt, mime, colour):
    record = with_files(personas, MediaFile(f"bilde.{fmt.lower()}", mime, image(mode, fmt, colour)))
    spaces = {image["space"] for image in images_of(render_record_pdf(record))}
    assert spaces and spaces <= {"/DeviceRGB", "/DeviceGray"}


# --- long words (MO-2, AR-3) -----------------------------------------------------------


def test_a_word_longer_than_the_line_is_kept_whole(personas):
    """The PDF/A is the deposit's only document: a link, a «hahaha…», a long name or a
    justification that ran off the right edge was lost from it."""
    link = f"https://www.kommune.no/plan?fbclid={FBCLID}"
    laugh = "ha" * 90 + "SLUTT"
    name = "Ola" + "N" * 120 + "SLUTTNAVN"
    why = "Begrunnelse" + "b" * 150 + "SLUTTBEGR"
    record = archive_append(
        actor=personas.communications,
        entry=deleted_comment(
            personas,
            make_channel(personas),
            text=f"Les mer her: {link} Høringsfrist 1. juni.",
            edits=(Edit(laugh, datetime(2025, 5, 16, 7, 55, tzinfo=UTC)),),
            context=(ContextItem(name, laugh),),
            author=Person(name, "1"),
            justification=why,
        ),
    )
    flat = pdf_text(bytes(rendering_for(record).pdf)).replace("\n", "")
    for whole in (FBCLID, link, laugh, name, why):
        assert whole in flat, whole


def test_an_own_posts_long_link_is_kept_whole(personas):
    record = archive_append(
        actor=None,
        entry=ArchiveEntry(
            municipality=personas.municipality,
            kind=Kind.OWN_POST,
            text=f"Planen: https://www.kommune.no/plan?fbclid={FBCLID} Frist 1. juni.",
            author=Person("Kari Moen"),
            channel=make_channel(personas),
            action="archive",
            journal=True,
        ),
    )
    assert FBCLID in pdf_text(bytes(rendering_for(record).pdf)).replace("\n", "")


# --- letters the fonts draw ------------------------------------------------------------


def test_letters_dejavu_sans_draws_are_kept_in_running_text(personas):
    """Vietnamese tone letters, Hebrew and Sorani letters are in DejaVu Sans and Sans
    Bold, not in Sans Mono: running text keeps them; only the mono fields (ids, links,
    the raw JSON) are held to the mono font."""
    assert printable("Cảm ơn. שלום. ڕۆژ") == "Cảm ơn. שלום. ڕۆژ"
    assert printable_mono("ả") == "[U+1EA3]"
    # Sorani's zero-width non-joiner stays; an override that would show the text in
    # another order than it was written goes, as before.
    assert printable("دە\u200cنگ") == "دە\u200cنگ"
    assert printable("abc\u202edef") == "abcdef"
    assert json.loads(printable_json('{"m": "Cảm ơn"}')) == {"m": "Cảm ơn"}
    record = archive_append(
        actor=personas.communications,
        entry=deleted_comment(
            personas,
            make_channel(personas),
            text=f"{VIETNAMESE}. שלום",
            author=Person("Nguyễn Thị Ảnh", "42", "https://www.facebook.com/ả"),
            raw={"message": VIETNAMESE},
        ),
    )
    text = pdf_text(bytes(rendering_for(record).pdf))
    assert VIETNAMESE in text
    assert "Nguyễn Thị Ảnh" in text
    assert "https://www.facebook.com/[U+1EA3]" in text  # the profile link is mono
    assert '"message": "C\\u1ea3m' in text  # the raw JSON too, as the same JSON


# --- police packages prepared before the style changed (MO-3) ---------------------------


def tricky(personas):
    return with_files(
        personas,
        MediaFile("foto.jpg", "image/jpeg", image("CMYK", "JPEG", (0, 255, 255, 0))),
        text=f"{VIETNAMESE} {'ha' * 90}",
    )


def test_a_package_is_rebuilt_in_the_style_it_was_prepared_with(personas):
    record = tricky(personas)
    prepared = police_package_prepare(
        actor=personas.communications, record=record, protected_grounds=["a"], now=PREPARED
    )
    assert json.loads(prepared.canonical)["evidence_style"] == 2
    package, _ = package_for_download(record)
    assert sha256_hex(package) == prepared.package_sha256
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        evidence = archive.read("bevis-000001/bevis-000001.pdf")
    assert VIETNAMESE in pdf_text(evidence)
    assert not any(image["interpolate"] for image in images_of(evidence))


def test_a_package_prepared_before_styles_were_versioned_still_verifies(personas, caplog):
    """Its prepared step, written as the code before wrote it, names no style: it is
    rebuilt as it was made then (style 1: interpolated images, Vietnamese written as
    code points) and matches the SHA-256 stored with it — not in today's style."""
    record = tricky(personas)
    by = actor_name(personas.communications)
    then = PoliceFacts("185", ("a",), "", PREPARED, by, LEGACY_STYLE)
    made_then = build_package(record, then)
    prepared = _append_status(
        record=record,
        actor=personas.communications,
        status=PoliceStatus.PREPARED,
        at=PREPARED,
        penal_provision="185",
        protected_grounds=["a"],
        note="",
        package_sha256=sha256_hex(made_then),
    )
    assert "evidence_style" not in json.loads(prepared.canonical)
    package, _ = package_for_download(record)
    assert sha256_hex(package) == prepared.package_sha256
    assert "differs from the one prepared" not in caplog.text
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        evidence = archive.read("bevis-000001/bevis-000001.pdf")
    assert "C[U+1EA3]m" in pdf_text(evidence)
    assert all(image["interpolate"] for image in images_of(evidence))
    today = build_package(record, PoliceFacts("185", ("a",), "", PREPARED, by))
    assert sha256_hex(today) != prepared.package_sha256


def test_a_package_that_no_longer_comes_out_the_same_is_logged(personas, caplog):
    record = tricky(personas)
    police_package_prepare(
        actor=personas.communications, record=record, protected_grounds=["a"], now=PREPARED
    )
    tamper(
        "UPDATE archive_policereportstatus SET package_sha256 = %s WHERE record_id = %s",
        ("0" * 64, record.pk),
    )
    package, _ = package_for_download(record)
    assert package.startswith(b"PK")  # the evidence is still handed over
    assert "police package differs from the one prepared" in caplog.text
