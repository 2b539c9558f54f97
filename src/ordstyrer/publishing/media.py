"""Media and the consent and copyright register (PU-3, PU-4, PU-6, PU-7).

A photo or video is uploaded once and reused across posts. The register holds who is
in it (recognisable people, or a crowd at a public event), each person's consent (by
whom, when; for a child the guardian's signed form), the photographer and their
permission, and whether music is cleared. The PU-6/PU-7 findings read it
(`checks.media_facts`). Withdrawing a consent flags every post that uses the file, sends
the ones still on their way back to their authors as drafts, and `post_take_down`
deletes a published one on the platform after a confirmation. Either way the file's
public URL (what Instagram fetches, `access.public_media_asset`) gets a new token.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import secrets
import struct
import zlib
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

import pillow_heif
from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    ServiceError,
    finding_text,
    lazy_interpolate,
)
from ordstyrer.core.ids import parse_id
from ordstyrer.core.images import UNREADABLE
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.core.services import after_commit, person
from ordstyrer.core.worker import SweepClock
from ordstyrer.publishing import access, tasks
from ordstyrer.publishing.models import (
    CaptionMode,
    Consent,
    DeliveryStatus,
    MediaAsset,
    MediaKind,
    People,
    Post,
    PostChannel,
    PostEvent,
    PostStatus,
)
from ordstyrer.tenants.models import Municipality

MB = 1024 * 1024
MAX_IMAGE = 10 * MB  # Facebook's limit for photos (Graph §1.8)
MAX_VIDEO = 50 * MB  # kept in the database: larger films belong on the video platform
MAX_FORM = 5 * MB
MAX_CAPTIONS = 512 * 1024
IMAGE_TYPES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


# ISO base media files (`ftyp` box) whose major brand is a still image: HEIF/HEIC (the
# iPhone's default) and AVIF. Facebook takes JPEG or PNG photos and Instagram JPEG only
# (`rules.LIMITS`), and these would otherwise pass for an MP4 video (QA 2026-12):
# `media_upload` stores them as JPEG (`_as_jpeg`).
STILL_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Converted to JPEG on upload: decoded by libheif (pillow-heif) or Pillow's own AVIF.
CONVERTED_MIMES = frozenset({"image/heif", "image/avif"})


def _still_image_mime(content: bytes) -> str:
    """AVIF's mime type when the `ftyp` box names AVIF among its brands (the major one,
    or a compatible one after a generic `mif1`), else HEIF's (HEVC, the iPhone's)."""
    size = int.from_bytes(content[:4], "big")
    brands = {content[8:12]} | {
        content[i : i + 4] for i in range(16, min(size, len(content), 256) - 3, 4)
    }
    return "image/avif" if brands & AVIF_BRANDS else "image/heif"


def _sniff(content: bytes, filename: str) -> tuple[str, str]:
    """(kind, mime) from the file's first bytes; refuse what is neither image nor video."""
    for magic, (mime, _ext) in IMAGE_TYPES.items():
        if content.startswith(magic):
            return MediaKind.IMAGE, mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return MediaKind.IMAGE, "image/webp"
    if content[4:8] == b"ftyp":
        if content[8:12] in STILL_IMAGE_BRANDS:
            return MediaKind.IMAGE, _still_image_mime(content)
        return MediaKind.VIDEO, "video/quicktime" if b"qt" in content[8:12] else "video/mp4"
    if content[:4] == b"\x1a\x45\xdf\xa3":
        return MediaKind.VIDEO, "video/webm"
    raise ServiceError(
        lazy_interpolate(
            gettext_lazy(
                "«%(name)s» er verken et bilde (JPEG, PNG, GIF, WebP) eller en video (MP4, MOV, WebM)."
            ),
            {"name": filename[:100]},
        ),
        code="invalid",
    )


# --------------------------------------------------------------------------- images

PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
# The formats whose further frames are an animation. A JPEG with further images in MPF
# (CIPA DC-007: an Android Ultra HDR gain map, a depth map) is a still photo, though Pillow
# reads it as MPO with `is_animated` set; only its first image is kept
# (`_jpeg_without_location`).
ANIMATED_FORMATS = frozenset({"GIF", "PNG", "WEBP"})


def _complete(content: bytes, mime: str) -> bool:
    """The file has its format's end: Pillow alone cannot tell, because WeasyPrint (the
    archive's PDF/A) sets Pillow's process-wide `LOAD_TRUNCATED_IMAGES`, after which a
    cut-off image decodes padded with grey instead of failing."""
    if mime == "image/jpeg":  # an end-of-image marker after the last start-of-scan
        scan = content.rfind(b"\xff\xda")
        return scan >= 0 and content.find(b"\xff\xd9", scan) >= 0
    if mime == "image/png":
        return b"IEND" in content[-64:]
    if mime == "image/webp":  # the RIFF header says how long the file is
        return len(content) >= 12 and int.from_bytes(content[4:8], "little") + 8 <= len(content)
    if mime == "image/gif":
        return content.rstrip(b"\x00").endswith(b";")
    return True


def _require_readable(content: bytes, mime: str, filename: str) -> None:
    """Decode the whole image (only as the format its first bytes claim): a file that
    only starts like a JPEG, or is cut off, is refused here rather than at the platform
    after approval. JPEGs decode at an eighth of their size (every byte is still read)."""
    try:
        if not _complete(content, mime):
            raise EOFError("truncated")
        with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[mime]]) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
            animated = image.format in ANIMATED_FORMATS and bool(
                getattr(image, "is_animated", False)
            )
    except UNREADABLE:
        raise _unreadable_image(filename) from None
    if animated:
        raise _animated_image(filename)


# EXIF orientations 5 to 8 turn the image a quarter (TIFF 6.0, tag 274): shown, its
# width is the stored height. Facebook and Instagram show a photo as `exif_transpose` does.
_ORIENTATION = 0x0112
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


def image_size(content: bytes, mime: str) -> tuple[int, int] | None:
    """The image's (width, height) in pixels as it is shown, its EXIF orientation
    applied (an iPhone's portrait JPEG is stored 4032×3024 and shown 3024×4032), read
    from its header; None when it cannot be read. Stored at upload for Instagram's
    aspect ratio (`rules.channel_findings`)."""
    try:
        with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[mime]]) as image:
            width, height = image.size
            if image.getexif().get(_ORIENTATION) in _QUARTER_TURNS:
                return height, width
            return width, height
    except (*UNREADABLE, KeyError):
        return None


def _animated_image(filename: str) -> ServiceError:
    # Facebook's /photos takes no animated photos (Graph §1.8) and an Instagram image
    # post is a still fetched from our URL (§4.5; Meta's image specification names
    # JPEG): an animated GIF (APNG, WebP, AVIF) would fail at the platform after approval
    # or go out as one frame. Refused here, with the way out (s15).
    return ServiceError(
        lazy_interpolate(
            gettext_lazy(
                "«%(name)s» er et animert bilde. Facebook og Instagram publiserer ikke "
                "animerte bilder: last opp et stillbilde (JPEG eller PNG), eller lagre "
                "animasjonen som video (MP4) og last den opp."
            ),
            {"name": filename[:100]},
        ),
        code="invalid",
    )


def _as_jpeg(content: bytes, mime: str, filename: str) -> tuple[bytes, bool]:
    """A HEIC/HEIF or AVIF photo drawn again as a JPEG, and whether its metadata placed
    it. As `_reencoded` draws a file whose metadata cannot be rewritten: upright, its
    colour profile kept and no other metadata, so neither EXIF's GPS block nor XMP that
    names a place leaves the installation (PU-1, EM-7). Only the primary image: a HEIC's
    depth map, HDR gain map and thumbnails go, as a JPEG's further MPF images do.

    libheif applies the file's own rotation and mirroring (`irot`/`imir`, which the
    iPhone writes to match its EXIF orientation) and pillow-heif then sets the EXIF
    orientation to 1; Pillow's AVIF leaves it in EXIF, which `exif_transpose` applies. A
    file that cannot be decoded is refused with the way out, an animated AVIF as any
    animated image is."""
    try:
        if mime == "image/heif":
            heif = pillow_heif.open_heif(io.BytesIO(content))
            width, height = heif.size
            if width * height > 2 * (Image.MAX_IMAGE_PIXELS or width * height):
                raise Image.DecompressionBombError("too many pixels")
            opened = heif.to_pillow()
        else:
            opened = Image.open(io.BytesIO(content), formats=["AVIF"])
        with opened as image:
            if getattr(image, "is_animated", False):
                raise _animated_image(filename)
            image.load()
            placed = _GPS_IFD in image.getexif() or _names_place(image.info.get("xmp") or b"")
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            for quality in (90, 80):  # a 48-megapixel photo may need the second
                out = io.BytesIO()
                upright.save(
                    out, "JPEG", quality=quality, icc_profile=image.info.get("icc_profile")
                )
                if out.tell() <= MAX_IMAGE:
                    break
            return out.getvalue(), placed
    except (*UNREADABLE, RuntimeError):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "«%(name)s» er et HEIC- eller AVIF-bilde (vanlig fra iPhone) som ikke kan "
                    "leses: filen er skadet eller ufullstendig. Hent bildet fra telefonen på "
                    "nytt, eller eksporter bildet som JPEG og last det opp igjen."
                ),
                {"name": filename[:100]},
            ),
            code="invalid",
        ) from None


def _unreadable_image(filename: str) -> ServiceError:
    return ServiceError(
        lazy_interpolate(
            gettext_lazy(
                "«%(name)s» kan ikke leses som et bilde: filen er skadet eller ufullstendig. "
                "Lagre bildet på nytt som JPEG eller PNG og last det opp igjen."
            ),
            {"name": filename[:100]},
        ),
        code="invalid",
    )


# Where a photo says where it was taken besides EXIF's GPS block: XMP (exif:GPS…,
# Iptc4xmpCore:Location, LocationCreated/Shown, photoshop:City/State/Country) and IPTC
# (datasets 2:26/27 location, 2:90 city, 2:92 sublocation, 2:95 province, 2:100/101
# country).
_XMP_LOCATION = (b"GPS", b"Location", b"photoshop:City", b"photoshop:State", b"Country")
_IPTC_LOCATION = tuple(b"\x1c\x02" + bytes([n]) for n in (26, 27, 90, 92, 95, 100, 101))
_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_MAKER_NOTE = 0x927C
_XMP_JPEG = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


class _Unparsed(Exception):
    """The file's structure is not what its format says (the image re-encodes)."""


def _exif_without_location(data: bytes) -> bytes | None:
    """EXIF (with or without its `Exif` header) without its GPS block, or None when
    it has none. The vendor's maker note goes too (its offsets would not survive the
    rewrite, and some hold a position); the orientation and the rest stay."""
    exif = Image.Exif()
    exif.load(data)
    if _GPS_IFD not in exif:
        return None
    del exif[_GPS_IFD]
    if _EXIF_IFD in exif:
        exif.get_ifd(_EXIF_IFD).pop(_MAKER_NOTE, None)
    return exif.tobytes()


def _segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        raise _Unparsed
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _jpeg_without_location(content: bytes) -> tuple[bytes, bool]:
    """The JPEG's first image with its metadata segments rewritten (its image data is not
    touched), and whether any image in the file placed the photo. Only the first image is
    kept: MPF's further images (CIPA DC-007: an Android Ultra HDR gain map, a depth map, a
    3D camera's second view), each with EXIF of its own, MPF's index of them, and whatever
    else follows the first image go, so what is stored and sent to Facebook is a still
    JPEG like any other (PU-1: a later image's GPS block went out with it)."""
    first, pos, removed = _jpeg_image(content, 0)
    while content.startswith(b"\xff\xd8\xff", pos):  # MPF's further images, one by one
        _later, pos, placed = _jpeg_image(content, pos)
        removed = removed or placed
    return first, removed


# The next marker in entropy-coded data: 0xFF then anything but a stuffed zero, a restart
# marker (RST0-7) or a fill byte (ITU-T T.81 §B.1.1.5, §F.1.2.3).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_image(content: bytes, start: int) -> tuple[bytes, int, bool]:
    """The image that starts at `start` with its metadata segments rewritten, where it
    ends (after its end-of-image marker), and whether the segments placed the photo. From
    the first start of scan on (scans, and the tables of a progressive JPEG between them)
    the bytes are copied."""
    out, pos, removed = [content[start : start + 2]], start + 2, False
    while True:
        if pos + 4 > len(content) or content[pos] != 0xFF:
            raise _Unparsed
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            out.append(content[pos : pos + 1])
            pos += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan (or end)
            break
        end = pos + 2 + struct.unpack(">H", content[pos + 2 : pos + 4])[0]
        if end > len(content):
            raise _Unparsed
        payload = content[pos + 4 : end]
        keep = content[pos:end]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            exif = _exif_without_location(payload)
            if exif is not None:
                keep, removed = _segment(0xE1, exif), True
        elif marker == 0xE1 and payload.startswith(_XMP_JPEG):
            if any(needle in payload for needle in _XMP_LOCATION):
                keep, removed = b"", True
        elif marker == 0xED and any(needle in payload for needle in _IPTC_LOCATION):
            keep, removed = b"", True
        elif marker == 0xE2 and payload.startswith(b"MPF\x00"):
            keep = b""  # the index of the further images, which do not stay
        out.append(keep)
        pos = end
    scan = pos
    while content[pos + 1] != 0xD9:
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
        else:
            if pos + 4 > len(content):
                raise _Unparsed
            pos += 2 + struct.unpack(">H", content[pos + 2 : pos + 4])[0]
            if marker == 0xDA:  # the scan's entropy-coded data runs to the next marker
                found = _NEXT_MARKER.search(content, pos)
                if found is None:
                    raise _Unparsed
                pos = found.start()
        if pos + 2 > len(content) or content[pos] != 0xFF:
            raise _Unparsed
    out.append(content[scan : pos + 2])
    return b"".join(out), pos + 2, removed


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_without_location(content: bytes) -> tuple[bytes, bool]:
    """The PNG with its `eXIf` chunk rewritten and an XMP text chunk that places the photo
    dropped; the image data is not touched."""
    out, pos, removed = [content[:8]], 8, False
    while pos < len(content):
        if pos + 12 > len(content):
            raise _Unparsed
        length = struct.unpack(">I", content[pos : pos + 4])[0]
        kind = content[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(content):
            raise _Unparsed
        data = content[pos + 8 : pos + 8 + length]
        keep = content[pos:end]
        if kind == b"eXIf":
            exif = _exif_without_location(data)
            if exif is not None:
                keep, removed = _png_chunk(kind, exif.removeprefix(b"Exif\x00\x00")), True
        elif kind == b"iTXt" and data.startswith(b"XML:com.adobe.xmp\x00"):
            text = data
            if data[18:19] == b"\x01":  # compressed: keyword, flag, method, language, key
                try:
                    rest = data[20:].split(b"\x00", 2)[2]
                    text = zlib.decompressobj().decompress(rest, 4 * 1024 * 1024)
                except (IndexError, zlib.error):
                    raise _Unparsed from None
            if any(needle in text for needle in _XMP_LOCATION):
                keep, removed = b"", True
        out.append(keep)
        pos = end
        if kind == b"IEND":
            out.append(content[pos:])
            break
    return b"".join(out), removed


def _webp_without_location(content: bytes) -> tuple[bytes, bool]:
    """The WebP with its `EXIF` chunk rewritten and an `XMP ` chunk that places the
    photo dropped (and its flag in `VP8X` cleared); the image data is not touched."""
    chunks, pos, removed, xmp_dropped = [], 12, False, False
    while pos < len(content):
        if pos + 8 > len(content):
            raise _Unparsed
        kind = content[pos : pos + 4]
        length = struct.unpack("<I", content[pos + 4 : pos + 8])[0]
        end = pos + 8 + length + (length & 1)
        if pos + 8 + length > len(content):
            raise _Unparsed
        data = content[pos + 8 : pos + 8 + length]
        if kind == b"EXIF":
            exif = _exif_without_location(data)
            if exif is not None:
                data, removed = exif.removeprefix(b"Exif\x00\x00"), True
        elif kind == b"XMP " and any(needle in data for needle in _XMP_LOCATION):
            removed = xmp_dropped = True
            pos = end
            continue
        chunks.append((kind, data))
        pos = end
    if xmp_dropped:
        chunks = [
            (k, bytes([d[0] & ~0x04]) + d[1:]) if k == b"VP8X" and d else (k, d) for k, d in chunks
        ]
    body = b"".join(
        k + struct.pack("<I", len(d)) + d + (b"\x00" if len(d) & 1 else b"") for k, d in chunks
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body, removed


def _reencoded(content: bytes, mime: str) -> bytes:
    """The image drawn again without any metadata, upright (its EXIF orientation
    applied): for a file whose metadata could not be rewritten in place."""
    with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[mime]]) as image:
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if PILLOW_FORMATS[mime] == "JPEG":
            upright.save(out, "JPEG", quality=95, icc_profile=image.info.get("icc_profile"))
        else:
            upright.save(out, PILLOW_FORMATS[mime], icc_profile=image.info.get("icc_profile"))
        return out.getvalue()


def _places(content: bytes, mime: str) -> bool:
    """Whether Pillow still finds a GPS block in the file."""
    with Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[mime]]) as image:
        return _GPS_IFD in image.getexif()


# --------------------------------------------------------------------------- video

# Where a phone's MP4/MOV says where it was filmed (PU-1, EM-7): QuickTime's and
# Android's `©xyz` ("+63.5800+009.9700/", in `moov/udta` or a track's `udta`), 3GPP's
# `loci` (TS 26.244 §8.11), Apple's metadata keys `com.apple.quicktime.location.*`
# (ISO 6709 position, accuracy, name …) whose values are `moov/meta/ilst` items, and XMP
# (`udta/XMP_`, or a top-level `uuid` box) that names a place.
VIDEO_BOXES = frozenset({"video/mp4", "video/quicktime"})
_PLACE_BOXES = frozenset({b"\xa9xyz", b"loci"})
_APPLE_LOCATION = b"com.apple.quicktime.location."
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_CONTAINERS = frozenset({b"moov", b"trak", b"udta", b"ilst"})
_MAX_DEPTH = 16  # moov/trak/udta/meta/ilst is five; a deeper tree is not a phone's


def _boxes(
    data: bytearray, start: int, end: int, *, top: bool = False
) -> list[tuple[bytes, int, int, int]]:
    """(type, start, payload start, end) of each box in data[start:end] (ISO/IEC 14496-12
    §4.2): a size of 1 is followed by a 64-bit size, a size of 0 runs to the end of the
    file (or of its container). QuickTime may end a list with a 32-bit zero.

    With `top` (the file's top level), bytes after `moov` that are no box are a vendor's
    trailer (Samsung's `SEFH…SEFT`), not a broken file: the list ends there and they stay
    as they are. A broken tree inside `moov`, fewer bytes than a box header, a tail that
    starts as a top-level box (a cut-off `mdat`) or a file with no `moov` before it are
    still `_Unparsed`."""
    found: list[tuple[bytes, int, int, int]] = []
    pos = start
    while pos < end:
        try:
            box = _box_at(data, pos, end)
        except _Unparsed:
            tail = bytes(data[pos : pos + 8])
            after_moov = any(kind == b"moov" for kind, *_rest in found)
            if top and after_moov and len(tail) == 8 and tail[4:8] not in _TOP_LEVEL:
                break  # a vendor's trailer
            raise
        if box is None:
            break
        found.append(box)
        pos = box[3]
    return found


# Boxes a file holds at its top level (ISO/IEC 14496-12 §4.2, QuickTime's `wide`): a tail
# that starts as one of them is a box cut off or broken, not a vendor's trailer.
_TOP_LEVEL = frozenset(
    {b"ftyp", b"moov", b"mdat", b"moof", b"mfra", b"free", b"skip", b"wide", b"uuid", b"meta"}
)


def _box_at(data: bytearray, pos: int, end: int) -> tuple[bytes, int, int, int] | None:
    """The box at `pos` within data[:end], or None for QuickTime's closing zero."""
    if end - pos < 8:
        if any(data[pos:end]):
            raise _Unparsed
        return None
    size, kind = struct.unpack(">I4s", data[pos : pos + 8])
    header = 8
    if size == 1:
        if end - pos < 16:
            raise _Unparsed
        size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
    elif size == 0:
        size = end - pos
    if size < header or pos + size > end:
        raise _Unparsed
    return kind, pos, pos + header, pos + size


def _names_place(data: bytearray | bytes) -> bool:
    return any(needle in data for needle in _XMP_LOCATION)


class _Hit(NamedTuple):
    """What goes: a box (its type at `type_at` becomes `free`) or, with `type_at` None,
    an Apple location key's name; the bytes from `payload` to `end` are zeroed."""

    type_at: int | None
    payload: int
    end: int


def _location_boxes(data: bytearray, start: int, end: int, depth: int = 0) -> list[_Hit]:
    """Each box in data[start:end], at any depth of the containers that hold metadata,
    that says where the video was filmed (depth 0: the file's top level)."""
    if depth > _MAX_DEPTH:
        raise _Unparsed
    found: list[_Hit] = []
    for kind, box, body, stop in _boxes(data, start, end, top=depth == 0):
        place = kind in _PLACE_BOXES or (kind == b"XMP_" and _names_place(data[body:stop]))
        if kind == b"uuid" and data[body : body + 16] == _XMP_UUID:
            place = _names_place(data[body + 16 : stop])
        if place:
            found.append(_Hit(box + 4, body, stop))
        elif kind == b"meta":
            found += _meta_location(data, body, stop, depth + 1)
        elif kind in _CONTAINERS:
            found += _location_boxes(data, body, stop, depth + 1)
    return found


def _meta_location(data: bytearray, body: int, stop: int, depth: int) -> list[_Hit]:
    """A `meta` box: ISO's starts with a version and flags (14496-12 §8.11.1), QuickTime's
    holds its children at once. Apple's `keys` names each `ilst` item by its 1-based
    index; the items of location keys go, and the keys' names with them."""
    if data[body : body + 4] == b"\x00\x00\x00\x00":
        body += 4
    children = _boxes(data, body, stop)
    found: list[_Hit] = []
    located: set[int] = set()
    for kind, _box, start, end in children:
        if kind != b"keys":
            continue
        if end - start < 8:
            raise _Unparsed
        count, pos = struct.unpack(">I", data[start + 4 : start + 8])[0], start + 8
        for index in range(1, count + 1):
            if end - pos < 8:
                raise _Unparsed
            size = struct.unpack(">I", data[pos : pos + 4])[0]
            if size < 8 or pos + size > end:
                raise _Unparsed
            if data[pos + 8 : pos + size].startswith(_APPLE_LOCATION):
                located.add(index)
                found.append(_Hit(None, pos + 8, pos + size))
            pos += size
    for kind, box, start, end in children:
        if kind == b"ilst":
            for item, item_box, item_body, item_end in _boxes(data, start, end):
                if int.from_bytes(item, "big") in located or item in _PLACE_BOXES:
                    found.append(_Hit(item_box + 4, item_body, item_end))
        elif kind != b"keys":
            found += _location_boxes(data, box, end, depth + 1)
    return found


def _video_without_location(content: bytes) -> tuple[bytes, bool]:
    """The MP4/MOV with each box that holds a place turned into a `free` box of the same
    size, its payload zeroed (a location key's name zeroed too): nothing is re-encoded and
    no byte moves, so the `stco`/`co64` chunk offsets into `mdat` stay valid."""
    data = bytearray(content)
    found = _location_boxes(data, 0, len(data))
    for hit in found:
        if hit.type_at is not None:
            data[hit.type_at : hit.type_at + 4] = b"free"
        data[hit.payload : hit.end] = bytes(hit.end - hit.payload)
    return bytes(data), bool(found)


def without_location(content: bytes, mime: str, *, name: str = "") -> tuple[bytes, bool]:
    """The file without where it was taken (PU-1, EM-7: a location is personal data,
    often the photographer's home), and whether there was any. An image loses EXIF's GPS
    block and XMP and IPTC that name a place; an MP4/MOV its location boxes
    (`_video_without_location`). Everything else stays as it was, an image's orientation
    included. This is what is stored, served at the public URL Instagram fetches, and
    sent to Facebook (QA 2026-12: a JPEG's GPS position went out byte for byte); uploads
    and `ordstyrer media-strip-location` (files stored before) both come here.

    A file that cannot be read raises `ServiceError` (`name` is the file's name in its
    message): a video whose box tree is broken is refused, never half cleaned."""
    if mime in VIDEO_BOXES:
        try:
            return _video_without_location(content)
        except (_Unparsed, struct.error):
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy(
                        "«%(name)s» kan ikke leses som en video: filens struktur (MP4/MOV-bokser) "
                        "er skadet eller ufullstendig. Eksporter videoen på nytt som MP4 og last "
                        "den opp igjen."
                    ),
                    {"name": name[:100]},
                ),
                code="invalid",
            ) from None
    strip = {
        "image/jpeg": _jpeg_without_location,
        "image/png": _png_without_location,
        "image/webp": _webp_without_location,
    }.get(mime)
    if strip is None:  # GIF has no EXIF; WebM is not an ISO file
        return content, False
    try:
        cleaned, removed = strip(content)
        if _places(cleaned, mime):
            raise _Unparsed
    except (_Unparsed, *UNREADABLE):
        try:
            cleaned, removed = _reencoded(content, mime), True
        except UNREADABLE:
            raise _unreadable_image(name) from None
    return cleaned, removed


def location_removed(asset: MediaAsset) -> bool:
    """Whether `media_upload` took location data out of this file (for the upload's
    confirmation; not stored)."""
    return bool(getattr(asset, "_location_removed", False))


def _require_publisher(actor: ActorLike, municipality: Municipality) -> None:
    if not roles_in(actor, municipality):
        raise not_found()
    if not access.may_publish_here(actor, municipality):
        raise NotPermitted(
            gettext_lazy("Bare de som publiserer for kommunen kan gjøre dette (CH-3).")
        )


# Control characters a subtitle file never holds (tab, line feed and carriage return
# aside): NUL bytes are what UTF-16 without a byte order mark looks like when read as
# UTF-8 or cp1252, and PostgreSQL refuses to store them.
_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r") | {"\x7f"}


def _decode_captions(raw: bytes) -> str | None:
    """The text of a subtitle file: UTF-8 (with or without a byte order mark), UTF-16 or
    UTF-32 with one, or else Windows-1252, which older Norwegian subtitle tools save
    ("Blåbær" as one byte a letter). None when it is none of them: better a request to
    save it as UTF-8 than a subtitle full of wrong letters."""
    if raw.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encodings = ("utf-32",)
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        # cp1252 maps every byte but five to a character, so it is tried last, and only
        # a file with no control characters counts as read (see `_CONTROL`).
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = raw.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return text
    return None


def read_captions(name: str, raw: bytes | str) -> str:
    """The text of an uploaded subtitle file (PU-3), or the `ServiceError` that says what
    is wrong with it in words the uploader can act on."""
    if isinstance(raw, bytes) and len(raw) > 4 * MAX_CAPTIONS:  # UTF-32: four bytes a letter
        raise ServiceError(gettext_lazy("Undertekstfilen er for stor."), code="invalid")
    text = _decode_captions(raw) if isinstance(raw, bytes) else raw
    if text is None or not _CONTROL.isdisjoint(text):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "«%(name)s» er ikke lagret som UTF-8. Lagre undertekstfilen med tegnkoding "
                    "UTF-8 og last den opp på nytt."
                ),
                {"name": name[:100]},
            ),
            code="invalid",
        )
    if len(text) > MAX_CAPTIONS:
        raise ServiceError(gettext_lazy("Undertekstfilen er for stor."), code="invalid")
    stripped = text.lstrip()
    if not (stripped.startswith("WEBVTT") or "-->" in stripped):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("«%(name)s» ser ikke ut som en undertekstfil (SRT eller WebVTT)."),
                {"name": name},
            ),
            code="invalid",
        )
    from ordstyrer.publishing.delivery import vtt_to_srt

    vtt_to_srt(text)  # PU-3: a file with no cue is refused now, not when it is sent
    return text


def media_upload(
    *,
    actor: ActorLike,
    municipality: Municipality,
    filename: str,
    content: bytes,
    alt_text: str = "",
    title: str = "",
    caption_mode: str = "",
    captions_name: str = "",
    captions: bytes | str | None = None,
    now: datetime | None = None,
) -> MediaAsset:
    """Store an image or video for posts (PU-4 alt text, PU-3 captions). A HEIC/HEIF or
    AVIF photo is stored as a JPEG (`_as_jpeg`, named `….jpg`). An image is decoded first
    (a broken or animated one is refused) and its size as shown is stored
    (`image_size`, for Instagram's aspect ratio); an image or MP4/MOV is stored without
    its location (`without_location`; `location_removed(asset)` tells the
    confirmation)."""
    now = now or timezone.now()
    filename = (str(filename or "fil").replace("/", "_").replace("\\", "_"))[:200]
    if not content:
        raise ServiceError(gettext_lazy("Filen er tom."), code="invalid")
    kind, mime = _sniff(content, filename)
    if kind == MediaKind.IMAGE and len(content) > MAX_IMAGE:
        raise ServiceError(gettext_lazy("Bildet er større enn 10 MB."), code="invalid")
    if kind == MediaKind.VIDEO and len(content) > MAX_VIDEO:
        raise ServiceError(gettext_lazy("Videoen er større enn 50 MB."), code="invalid")
    _require_publisher(actor, municipality)  # before any decoding work
    if mime in CONVERTED_MIMES:
        # Stored, served and sent as the JPEG Facebook and Instagram take; from here on
        # it is checked and cleaned as any uploaded JPEG.
        (content, placed), mime = _as_jpeg(content, mime, filename), "image/jpeg"
        if len(content) > MAX_IMAGE:
            raise ServiceError(gettext_lazy("Bildet er større enn 10 MB."), code="invalid")
        filename = (filename.rsplit(".", 1)[0] if "." in filename else filename)[:196] + ".jpg"
    else:
        placed = False
    if kind == MediaKind.IMAGE:
        _require_readable(content, mime, filename)
    content, removed = without_location(content, mime, name=filename)
    removed = removed or placed
    size = image_size(content, mime) if kind == MediaKind.IMAGE else None
    if caption_mode not in CaptionMode.values:
        raise ServiceError(gettext_lazy("Ukjent valg for teksting."), code="invalid")
    captions_text = ""
    if kind == MediaKind.VIDEO and caption_mode == CaptionMode.FILE:
        if not captions:
            raise ServiceError(
                gettext_lazy("Last opp undertekstfilen (SRT eller WebVTT)."), code="invalid"
            )
        captions_text = read_captions(captions_name or "undertekster", captions)
    with transaction.atomic():
        _require_publisher(actor, municipality)
        asset = MediaAsset.objects.create(
            municipality=municipality,
            kind=kind,
            filename=filename,
            mime=mime,
            size=len(content),
            width=size[0] if size else None,
            height=size[1] if size else None,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            public_token=secrets.token_urlsafe(32),
            alt_text=str(alt_text or "").strip()[:2000],
            title=str(title or "").strip()[:200],
            caption_mode=caption_mode if kind == MediaKind.VIDEO else "",
            captions_name=str(captions_name or "")[:200] if captions_text else "",
            captions_text=captions_text,
            uploaded_by=person(actor),
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="media_upload",
            municipality=municipality,
            obj=asset,
            data={
                "kind": kind,
                "sha256": asset.sha256,
                "size": asset.size,
                **({"location_removed": True} if removed else {}),
            },
        )
    asset._location_removed = removed  # type: ignore[attr-defined]  # see location_removed
    return asset


# The files `without_location` may change; the rest (GIF, WebM) hold no location it reads.
LOCATION_MIMES = frozenset({"image/jpeg", "image/png", "image/webp", *VIDEO_BOXES})


def media_strip_location(
    *, asset_id: Any, dry_run: bool = False, now: datetime | None = None
) -> bool:
    """Take the location out of a file stored before uploads did (PU-1, EM-7), with the
    upload's own `without_location`; for `ordstyrer media-strip-location`, the operator's
    command (no actor: whoever runs it on the server). Whether the file had one (with
    `dry_run`, would lose one; nothing is written).

    Only the bytes, their size and their SHA-256 change: the row, its public URL (what
    Instagram fetched for posts already published) and the register stay; the audit
    entry keeps both checksums. A second run finds nothing. A file that cannot be read
    raises `ServiceError` and is left as it was."""
    now = now or timezone.now()
    with transaction.atomic():
        asset = _lock_asset(asset_id)
        before = bytes(asset.content)
        cleaned, removed = without_location(before, asset.mime, name=asset.filename)
        if not removed or cleaned == before:
            return False
        if dry_run:
            return True
        old_sha256, old_size = asset.sha256, asset.size
        asset.content = cleaned
        asset.size = len(cleaned)
        asset.sha256 = hashlib.sha256(cleaned).hexdigest()
        asset.updated_at = now
        asset.save(update_fields=["content", "size", "sha256", "updated_at"])
        audit_record(
            actor=None,
            action="media_strip_location",
            municipality=asset.municipality,
            obj=asset,
            data={
                "kind": asset.kind,
                "sha256_before": old_sha256,
                "sha256": asset.sha256,
                "size_before": old_size,
                "size": asset.size,
            },
        )
    return True


def _lock_asset(asset_id: Any) -> MediaAsset:
    try:
        return (
            MediaAsset.objects.select_for_update(of=("self",))
            .select_related("municipality")
            .get(pk=int(asset_id))
        )
    except (MediaAsset.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext_lazy("Fant ikke filen.")) from None


def media_update(
    *,
    actor: ActorLike,
    asset_id: Any,
    alt_text: str | None = None,
    title: str | None = None,
    caption_mode: str | None = None,
    people: str | None = None,
    children: bool | None = None,
    photographer: str | None = None,
    photographer_permission: bool | None = None,
    music_cleared: bool | None = None,
    now: datetime | None = None,
) -> MediaAsset:
    """Change what the register knows about a file (alt text, PU-6/PU-7 facts).

    For the three-valued facts None means "leave as is"; the register form and the
    composer pass only the fields the person changed from what the page showed
    (`shown_*`). The alt text, the title and a video's captions go out with the
    file as they are when it is sent: they do not change while a post with the file is on
    its way (`_require_not_on_its_way`, PU-3, PU-4). Nor does a fact the checks read
    (PU-6, PU-7) change so that such a post would get a block finding
    (`_require_no_new_block`): a copy on Facebook's scheduler is checked by nobody again
    and would go out with it."""
    now = now or timezone.now()
    with transaction.atomic():
        asset = _lock_asset(asset_id)
        _require_publisher(actor, asset.municipality)
        before = _facts(asset)
        sent_before = _as_sent(asset)
        checked_before = _checked(asset)
        if alt_text is not None:
            asset.alt_text = str(alt_text).strip()[:2000]
        if title is not None:
            asset.title = str(title).strip()[:200]
        if caption_mode is not None and asset.kind == MediaKind.VIDEO:
            if caption_mode not in CaptionMode.values:
                raise ServiceError(gettext_lazy("Ukjent valg for teksting."), code="invalid")
            if caption_mode == CaptionMode.FILE and not asset.captions_text:
                raise ServiceError(
                    gettext_lazy("Last opp undertekstfilen (SRT eller WebVTT)."), code="invalid"
                )
            asset.caption_mode = caption_mode
        if people is not None:
            if people not in People.values:
                raise ServiceError(
                    gettext_lazy("Ukjent valg for personer på bildet."), code="invalid"
                )
            asset.people = people
        if children is not None:
            asset.children = children
        if photographer is not None:
            asset.photographer = str(photographer).strip()[:200]
        if photographer_permission is not None:
            asset.photographer_permission = photographer_permission
        if music_cleared is not None:
            asset.music_cleared = music_cleared
        sent = _as_sent(asset)
        if sent != sent_before:
            # PU-3 when only the captions changed, else PU-4 (the alt text, the title).
            only_captions = sent[:2] == sent_before[:2]
            _require_not_on_its_way(asset, now=now, rule="PU-3" if only_captions else "PU-4")
        busy = _posts_on_their_way(asset, now=now) if _checked(asset) != checked_before else []
        blocked_before = {post.pk: _blocks(post, now=now) for post in busy}  # read as stored
        asset.updated_at = now
        asset.save()
        _require_no_new_block(busy, blocked_before, now=now)
        audit_record(
            actor=actor,
            action="media_update",
            municipality=asset.municipality,
            obj=asset,
            data={"before": before, "after": _facts(asset)},
        )
    return asset


def _as_sent(asset: MediaAsset) -> tuple[str, str, str]:
    """What goes out with the file as it is when it is sent (`delivery.build_draft`): the
    alt text, the title, and a video's captions (a caption file goes with it, PU-3)."""
    return asset.alt_text, asset.title, asset.caption_mode


def _checked(asset: MediaAsset) -> tuple[Any, ...]:
    """The rest of the register the checks read (`checks.media_facts`: PU-6, PU-7)."""
    return (
        asset.people,
        asset.children,
        asset.photographer,
        asset.photographer_permission,
        asset.music_cleared,
    )


def _posts_on_their_way(asset: MediaAsset, *, now: datetime) -> list[Post]:
    """The posts using the file that are on their way: waiting for an approval,
    scheduled, publishing or paused (`services.ON_ITS_WAY`), or with a copy that still
    goes out by itself whatever their status (the pull-back's filter,
    `services.pull_back_filter`: a post failed on another channel whose copy Ordstyrer
    holds, or the platform's scheduler has, for its time).

    The posts using the file are locked first (a published one never goes on its way
    again without an edit, so it is left alone): a post sent at the same moment is seen
    as sent."""
    from ordstyrer.publishing.services import ON_ITS_WAY, pull_back_filter

    locked = list(
        Post.objects.select_for_update(of=("self",))
        .filter(attachments__asset=asset)
        .exclude(status=PostStatus.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Read after the locks: a post sent (or settled) at the same moment as it is now.
    return list(
        Post.objects.filter(pk__in=locked)
        .filter(Q(status__in=ON_ITS_WAY) | pull_back_filter(now=now))
        .select_related("municipality")
        .distinct()
        .order_by("pk")
    )


def _require_not_on_its_way(asset: MediaAsset, *, now: datetime, rule: str = "PU-4") -> None:
    """PU-3, PU-4, four eyes: the alt text, the title and the captions the approver
    approved (or the sender sent) are what goes out; the delivery reads them from the
    file when it sends (`delivery.build_draft`). While a post with the file is on its way
    (`_posts_on_their_way`) they do not change: the post is withdrawn first (a failed
    one saved again, `services.post_update`, which stops that copy) and sent again
    (checked, and approved, afresh)."""
    busy = _posts_on_their_way(asset, now=now)
    if not busy:
        return
    from ordstyrer.publishing.services import ON_ITS_WAY

    on_its_way = [p for p in busy if p.status in ON_ITS_WAY]
    if not on_its_way:
        # Failed on one channel, its copy for another still to go out: there is nothing
        # to withdraw, and "på vei ut (Feilet)" would read as a contradiction.
        raise Conflict(
            gettext_lazy(
                "Filen er med i et innlegg som feilet på én kanal, men som fortsatt skal ut "
                "på en annen. Alternativ tekst, tittel og teksting går ut slik innlegget ble "
                "sendt: lagre innlegget på nytt først, så blir det et utkast igjen, eller "
                "vent til det er publisert."
            ),
            rule=rule,
            code="media_in_use",
        )
    raise Conflict(
        lazy_interpolate(
            gettext_lazy(
                "Filen er med i et innlegg som er på vei ut (%(status)s). Alternativ tekst, "
                "tittel og teksting går ut slik innlegget ble godkjent: trekk tilbake "
                "innlegget først, eller vent til det er publisert."
            ),
            {"status": PostStatus(on_its_way[0].status).label},
        ),
        rule=rule,
        code="media_in_use",
    )


def _blocks(post: Post, *, now: datetime) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The post's block findings as the checks read it now (`services.post_findings_now`,
    the register as stored), each by its rule, channel and message."""
    from ordstyrer.publishing.services import post_findings_now

    return {
        (f.get("rule"), f.get("channel"), f.get("message_nb")): f
        for f in post_findings_now(post, now=now)
        if f.get("severity") == "block"
    }


def _require_no_new_block(
    busy: list[Post],
    blocked_before: dict[int, dict[tuple[Any, ...], dict[str, Any]]],
    *,
    now: datetime,
) -> None:
    """PU-6, PU-7: a change of the register (children in the photo, the photographer's
    permission withdrawn …) that gives a post on its way a block finding it did not have
    is refused, its reason named, as the lock on what goes out is
    (`_require_not_on_its_way`); the caller's transaction undoes the saved change.
    Refused rather than the post pulled back: the post was approved as the register stood,
    and one click in the register does not undo another person's approval; whoever knows
    the photo must not go out withdraws the post (which cancels a copy on Facebook's
    scheduler) and then records it. A withdrawn consent still pulls posts back at once
    (`consent_withdraw`). Without this, an Ordstyrer-held copy stopped at send time
    (`delivery.delivery_run`) but a copy on Facebook's scheduler went out with the block."""
    from ordstyrer.publishing.services import ON_ITS_WAY

    for post in busy:
        new = [f for key, f in _blocks(post, now=now).items() if key not in blocked_before[post.pk]]
        if not new:
            continue
        reason = finding_text(new[0])
        if post.status in ON_ITS_WAY:
            message = lazy_interpolate(
                gettext_lazy(
                    "Filen er med i et innlegg som er på vei ut (%(status)s), og endringen gir "
                    "det et funn som stopper det: %(reason)s Innlegget skal ikke ut slik: trekk "
                    "det tilbake først, så blir det et utkast igjen, og lagre så endringen."
                ),
                {"status": PostStatus(post.status).label, "reason": reason},
            )
        else:
            message = lazy_interpolate(
                gettext_lazy(
                    "Filen er med i et innlegg som feilet på én kanal, men som fortsatt skal ut "
                    "på en annen, og endringen gir det et funn som stopper det: %(reason)s "
                    "Innlegget skal ikke ut slik: lagre det på nytt først, så blir det et utkast "
                    "igjen, og lagre så endringen."
                ),
                {"reason": reason},
            )
        raise Conflict(message, rule=str(new[0].get("rule") or ""), code="media_in_use")


def _facts(asset: MediaAsset) -> dict[str, Any]:
    return {
        "alt_text": bool(asset.alt_text),
        "caption_mode": asset.caption_mode,
        "people": asset.people,
        "children": asset.children,
        "photographer": asset.photographer,
        "photographer_permission": asset.photographer_permission,
        "music_cleared": asset.music_cleared,
    }


def consent_record(
    *,
    actor: ActorLike,
    asset_id: Any,
    person_name: str,
    given_by: str,
    given_at: date,
    is_child: bool = False,
    form_name: str = "",
    form_content: bytes | None = None,
    now: datetime | None = None,
) -> Consent:
    """Register one person's consent to a photo/video (PU-6); a child's needs the
    guardian's signed form."""
    now = now or timezone.now()
    person_name = str(person_name or "").strip()[:200]
    given_by = str(given_by or "").strip()[:200]
    if not person_name or not given_by:
        raise ServiceError(
            gettext_lazy("Skriv hvem som er på bildet og hvem som ga samtykke."), code="invalid"
        )
    if not isinstance(given_at, date) or given_at > timezone.localdate(now):
        raise ServiceError(
            gettext_lazy("Datoen for samtykket mangler eller er i framtiden."), code="invalid"
        )
    if is_child and not form_content:
        raise ServiceError(
            gettext_lazy(
                "For barn trengs foresattes signerte samtykkeskjema (PU-6). Last det opp."
            ),
            rule="PU-6",
            code="invalid",
        )
    if form_content and len(form_content) > MAX_FORM:
        raise ServiceError(gettext_lazy("Skjemaet er større enn 5 MB."), code="invalid")
    with transaction.atomic():
        asset = _lock_asset(asset_id)
        _require_publisher(actor, asset.municipality)
        consent = Consent.objects.create(
            asset=asset,
            person_name=person_name,
            is_child=bool(is_child),
            given_by=given_by,
            given_at=given_at,
            form_name=str(form_name or "")[:200] if form_content else "",
            form_content=form_content or None,
            recorded_by=person(actor),
            recorded_at=now,
        )
        if asset.people in ("", People.NONE):
            asset.people = People.RECOGNISABLE
        if is_child:
            asset.children = True
        elif asset.children is None:
            asset.children = False
        asset.updated_at = now
        asset.save()
        audit_record(
            actor=actor,
            action="consent_record",
            municipality=asset.municipality,
            obj=consent,
            data={"asset_id": asset.pk, "child": bool(is_child), "form": bool(form_content)},
        )
    return consent


def posts_using(asset: MediaAsset) -> list[Post]:
    return list(
        Post.objects.filter(attachments__asset=asset).distinct().order_by("-created_at", "-id")
    )


def published_deliveries(post: Post) -> QuerySet[PostChannel]:
    """The post's copies out on a platform: what a take-down deletes (PU-6). A post can
    have them whatever its own status says: one failed on another channel is `failed`,
    one pulled back to draft keeps the copies already out."""
    return post.deliveries.filter(status=DeliveryStatus.PUBLISHED)


def posts_to_take_down(asset: MediaAsset) -> list[Post]:
    """The posts using the file that are out on some platform and not taken down yet:
    what the console offers to take down once a consent is withdrawn (PU-6)."""
    return list(
        Post.objects.filter(
            attachments__asset=asset,
            deliveries__status=DeliveryStatus.PUBLISHED,
            taken_down_at__isnull=True,
        )
        .distinct()
        .order_by("-created_at", "-id")
    )


class WithdrawalEffect(NamedTuple):
    """What withdrawing a consent does to one post using the file (PU-6), shown on the
    confirmation before it is done."""

    post: Post
    stopped: bool  # on its way: back to draft, its author told (`services.posts_pull_back`)
    out_on: list[str]  # the channels where it is out: offered for take-down


def consent_withdraw_preview(
    asset: MediaAsset, *, now: datetime | None = None
) -> list[WithdrawalEffect]:
    """Every post using the file and what `consent_withdraw` will do to it: each is
    flagged; one on its way is stopped (the posts `services.posts_pull_back` takes, by
    its own filter `services.pull_back_filter`: waiting, scheduled or paused, or with a
    copy that still goes out by itself, on the platform's scheduler or held by Ordstyrer
    on a post failed on another channel); one out on a platform and not taken down is
    offered for take-down."""
    from ordstyrer.publishing.services import pull_back_filter

    now = now or timezone.now()
    using = Post.objects.filter(attachments__asset=asset)
    stopping = set(
        Post.objects.filter(pk__in=using.values("pk"))
        .filter(pull_back_filter(now=now))
        .values_list("pk", flat=True)
    )
    posts = using.distinct().prefetch_related("deliveries__channel").order_by("-created_at", "-id")
    effects = []
    for post in posts:
        out_on = [
            d.channel.name for d in post.deliveries.all() if d.status == DeliveryStatus.PUBLISHED
        ]
        effects.append(
            WithdrawalEffect(
                post=post,
                stopped=post.pk in stopping,
                out_on=[] if post.taken_down_at else out_on,
            )
        )
    return effects


def consent_withdraw(
    *, actor: ActorLike, consent_id: Any, note: str = "", now: datetime | None = None
) -> list[Post]:
    """Consent withdrawn (PU-6): stamped, and every post using the file is flagged; the
    posts still on their way (waiting, scheduled, paused, or failed on one channel with
    a copy still to go out by itself on another) go back to their authors as drafts
    (`services.posts_pull_back`: a platform-scheduled copy is cancelled, a held one
    stopped, the author is told); the posts out on some platform (`posts_to_take_down`:
    published, or partly published and failed elsewhere) are returned so the console can
    offer to take them down."""
    from ordstyrer.publishing.services import posts_pull_back

    now = now or timezone.now()
    with transaction.atomic():
        try:
            consent = (
                Consent.objects.select_for_update(of=("self",))
                .select_related("asset__municipality")
                .get(pk=int(consent_id))
            )
        except (Consent.DoesNotExist, ValueError, TypeError):
            raise NotFound(gettext_lazy("Fant ikke samtykket.")) from None
        asset = consent.asset
        _require_publisher(actor, asset.municipality)
        if consent.withdrawn_at is not None:
            return posts_to_take_down(asset)
        consent.withdrawn_at, consent.withdrawn_by = now, person(actor)
        consent.withdrawal_note = str(note or "").strip()[:2000]
        consent.save()
        # The link Meta was given (and anyone it reached) dies for good (PU-6); the file
        # is no longer served anyway (`access.public_media_asset`).
        new_public_token([asset.pk])
        flag = _("Samtykket fra %(person)s er trukket tilbake (PU-6).") % {
            "person": consent.person_name
        }
        affected = posts_using(asset)
        for post in affected:
            Post.objects.filter(pk=post.pk).update(flagged_reason=flag, updated_at=now)
            PostEvent.objects.create(
                post=post,
                action="consent_withdrawn",
                from_status=post.status,
                to_status=post.status,
                actor=person(actor),
                at=now,
                note=flag,
                data={"consent_id": consent.pk},
            )
        pulled = posts_pull_back(
            post_ids=[p.pk for p in affected], actor=actor, reason=flag, now=now
        )
        audit_record(
            actor=actor,
            action="consent_withdraw",
            municipality=asset.municipality,
            obj=consent,
            data={
                "asset_id": asset.pk,
                "posts": [p.pk for p in affected],
                "pulled_back": [p.pk for p in pulled],
                "public_url_revoked": True,
            },
        )
    return posts_to_take_down(asset)


def new_public_token(
    asset_ids: Iterable[int], *, keep_for_other_posts_than: int | None = None
) -> int:
    """Give these files a new public token, so the URL a platform was given no longer
    serves them (PU-6: consent withdrawn, post taken down). With
    `keep_for_other_posts_than`, a file another post still needs fetched right now
    (`access.fetching_deliveries`) keeps its token until that delivery is done: its URL
    is on its way to the platform. How many changed."""
    assets = MediaAsset.objects.filter(pk__in=list(asset_ids))
    if keep_for_other_posts_than is not None:
        busy = access.fetching_deliveries(exclude_post_id=keep_for_other_posts_than)
        assets = assets.exclude(Exists(busy))
    changed = 0
    for pk in assets.order_by("pk").values_list("pk", flat=True):
        changed += MediaAsset.objects.filter(pk=pk).update(public_token=secrets.token_urlsafe(32))
    return changed


def deliveries_to_take_down_again(post: Post, *, now: datetime) -> QuerySet[PostChannel]:
    """The copies of a taken-down post still out whose deletion is not under way (PU-6):
    it failed (the platform refused, a transient error outlasted its retries, Instagram
    where a person must delete it; `delivery.take_down_run` puts why on the row's
    `error`), or its claim is stale (a run lost, which the publishing sweep also picks
    up, `delivery.take_down_due`). What a retry of the take-down tries again; none for a
    post not taken down."""
    from ordstyrer.publishing.delivery import STALE_CLAIM

    if post.taken_down_at is None:
        return PostChannel.objects.none()
    return (
        published_deliveries(post)
        .exclude(platform_id="")
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
    )


def comments_going_with(deliveries: Iterable[PostChannel], *, lock: bool = False) -> list[Any]:
    """The citizens' comments and replies the inbox holds under these copies of a post,
    which the platform deletes with it (Facebook deletes a post's comments with it):
    not those gone already, nor those a moderation deletion is archiving and removing
    (MO-2: archived there). What a take-down archives first
    (`archive_comments_going_with`) and its confirmation counts. `lock` locks the rows
    (inside the caller's transaction)."""
    from ordstyrer.inbox.models import InboxItem
    from ordstyrer.inbox.selectors import deleted_by_municipality
    from ordstyrer.moderation.actions import MODERATED_KINDS

    under = [Q(channel_id=d.channel_id, post_id=d.platform_id) for d in deliveries if d.platform_id]
    if not under:
        return []
    where = under[0]
    for q in under[1:]:
        where |= q
    rows = InboxItem.objects.filter(
        where, removed_at__isnull=True, from_page=False, kind__in=MODERATED_KINDS
    ).order_by("pk")
    if lock:
        rows = rows.select_for_update(of=("self",))
    items = list(rows.select_related("municipality", "channel__municipality"))
    moderated = deleted_by_municipality([i.pk for i in items])
    return [i for i in items if i.pk not in moderated]


def comments_going_with_per_channel(deliveries: Iterable[PostChannel]) -> list[tuple[Any, int]]:
    """(channel, how many) of the citizens' comments that go with these copies of a post
    (`comments_going_with`), in the copies' order, channels with none left out: what the
    take-down's confirmation states, channel by channel."""
    rows = list(deliveries)
    counts = Counter(item.channel_id for item in comments_going_with(rows))
    return [(row.channel, counts[row.channel_id]) for row in rows if counts[row.channel_id]]


def archive_comments_going_with(
    deliveries: Iterable[PostChannel], *, actor: ActorLike, reason: str, now: datetime
) -> tuple[int, int]:
    """Archive every comment the platform deletes with these copies of a post, before
    it is deleted (MO-2: "Everything deleted is archived first"): called inside the
    transaction that queues the deletion, so the records are committed before the
    platform is called. Nobody judged the comment, so the record has no ground.

    Its author is told why (MO-4) by a private notice queued here
    (`moderation.with_post.tell_authors`), which the deletion waits for
    (`delivery.take_down_run`); where no private notice can reach them, the archive
    notes beside the record why they are not told.

    The comment itself is left as it is, in the inbox and online: it is removed only
    when the platform confirms the post's deletion, or the editor confirms deleting it
    by hand where the API cannot (`comments_gone_with`). Until then its history says it
    is archived and still on the platform. A retried take-down archives nothing twice
    (the record's idempotency key), and so tells nobody twice. How many it archived now,
    and of those how many authors will be told."""
    from ordstyrer.archive.models import ArchiveRecord
    from ordstyrer.archive.services import archive_append
    from ordstyrer.inbox.transitions import log_event
    from ordstyrer.moderation.capture import deleted_with_post_entry
    from ordstyrer.moderation.with_post import tell_authors

    items = comments_going_with(deliveries, lock=True)
    note = _(
        "Innlegget kommentaren står under, tas ned (PU-6). Kommentaren er arkivert (MO-2) "
        "og er fortsatt på plattformen til innlegget er slettet der."
    )
    archived = []
    for item in items:
        entry = deleted_with_post_entry(item=item, reason=reason, now=now)
        if ArchiveRecord.objects.filter(
            municipality=entry.municipality, idempotency_key=entry.idempotency_key
        ).exists():
            continue
        archived.append((item, archive_append(actor=actor, entry=entry, now=now)))
        log_event(item, action="note", actor=actor, now=now, text=note)
    return len(archived), tell_authors(archived, actor=actor, reason=reason, now=now)


def comments_gone_with(
    deliveries: Iterable[PostChannel], *, actor: ActorLike, reason: str, now: datetime
) -> int:
    """The comments under these copies of a post are gone from the platform with it:
    its deletion is confirmed (`delivery.mark_taken_down`), by the platform or by the
    editor who deleted it by hand. Each is archived if it was not yet (one that came in
    after the take-down's records were written; the rest were archived before the
    deletion, MO-2) and marked removed and, open in the inbox, closed as moderated (out
    of the work list, no deadline), as a moderation deletion does. The notices to their
    authors (MO-4) are over: one still unsent is withdrawn (`with_post.give_up`), and the
    author of one archived only now was not told (noted beside its record). Called
    inside the transaction that records the deletion, with the copies' platform ids as
    they were. How many it removed."""
    from ordstyrer.archive.services import archive_append
    from ordstyrer.inbox.models import CloseReason, InboxItem
    from ordstyrer.inbox.transitions import log_event, policy_state, transition
    from ordstyrer.inbox.workflow import OPEN
    from ordstyrer.moderation import with_post
    from ordstyrer.moderation.capture import deleted_with_post_entry
    from ordstyrer.moderation.models import ActionKind, ModerationAction

    items = comments_going_with(deliveries, lock=True)
    ids = [item.pk for item in items]
    notices = ModerationAction.objects.filter(kind=ActionKind.WITH_POST, item_id__in=ids)
    with_post.give_up(notices, now=now, why=_("Innlegget ble slettet før beskjeden var sendt."))
    with_post.gone(ids, now=now)
    told = set(notices.values_list("item_id", flat=True))
    note = _("Slettes med innlegget den sto under, som er tatt ned (PU-6); arkivert først (MO-2).")
    state = None
    for item in items:
        record = archive_append(
            actor=actor, entry=deleted_with_post_entry(item=item, reason=reason, now=now), now=now
        )
        if item.pk not in told:  # a note already there (archived before) stays the one
            with_post.note_not_told(item, record=record, actor=actor, why="late", now=now)
        InboxItem.objects.filter(pk=item.pk).update(removed_at=now)
        item.removed_at = now
        if item.status in OPEN and item.listed:
            state = state or policy_state(item.municipality)
            transition(
                item,
                action="close",
                actor=actor,
                now=now,
                targets=state[1],
                version=state[2],
                close_reason=CloseReason.MODERATED,
                note=note,
            )
        else:
            log_event(item, action="note", actor=actor, now=now, text=note)
    return len(items)


def post_take_down(
    *, actor: ActorLike, post_id: Any, reason: str, now: datetime | None = None
) -> Post:
    """Delete a post on every platform where it is out (after the console's
    confirmation), e.g. when consent is withdrawn (PU-6). Communications or the post's
    author. Any post with a published delivery: one out on one channel and failed on
    another is `failed`, yet its photo is online. One still on its way elsewhere stops
    there and is a draft again (`services.post_stop_for_take_down`), its author told
    (`notifications.pulled_back_notify`) unless they took it down. Each copy counts as
    published until the platform confirms its deletion (`delivery.take_down_run`);
    released anew, the post can be taken down again (`services._release`).

    Taken down already, it tries again where the deletion failed
    (`deliveries_to_take_down_again`) and nowhere else. Each copy whose deletion is
    queued is claimed (`claimed_at`) until the platform answers, so a second click
    neither calls the platform again for it nor for a copy already taken down; with
    nothing to try again the post comes back unchanged. The copy is due at once: a task
    lost before it ran is run by the publishing sweep (`delivery.take_down_due`).

    The platform deletes the comments under the post with it: each one the inbox holds
    is archived in this transaction (`archive_comments_going_with`, MO-2), so its
    record is committed before the worker's deletion. They show as removed only once
    the deletion is confirmed (`comments_gone_with`): where the platform refuses it, or
    on Instagram until the editor confirms deleting it by hand
    (`post_taken_down_by_hand`), they are still online and shown so. Their authors are
    told why in a private notice queued here, which the deletion waits for, bounded
    (MO-4, `moderation.with_post`); the archive says for each author whether and when
    they were told, or why not, and the audit entry counts them.

    The post's files get a new public token (`new_public_token`): the URL Instagram
    fetched them from serves nothing again, as `access.public_media_asset` already
    refuses it for a post taken down."""
    from ordstyrer.publishing.services import lock_post, post_stop_for_take_down

    now = now or timezone.now()
    clock = SweepClock(now)  # the claim below is stamped when it is made (`SweepClock`)
    reason = str(reason or "").strip()[:2000]
    if not reason:
        raise ServiceError(gettext_lazy("Skriv hvorfor innlegget tas ned."), code="invalid")
    with transaction.atomic():
        post = lock_post(post_id)
        if not roles_in(actor, post.municipality):
            raise NotFound(gettext_lazy("Fant ikke innlegget."))
        if not access.may_edit(actor, post):
            raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))
        if post.taken_down_at is not None:
            again = list(deliveries_to_take_down_again(post, now=now))
            if not again:
                return post
            source = post.status
            retry = True
        else:
            if not published_deliveries(post).exists():
                raise Conflict(
                    gettext_lazy("Bare publiserte innlegg kan tas ned."), code="conflict"
                )
            source = post_stop_for_take_down(post, now=now)
            if post.status != source and post.author_id != getattr(person(actor), "pk", None):
                # Stopped on its way and a draft again: its author is told why, as a
                # consent pull-back tells them (`services.posts_pull_back`), unless the
                # author took it down.
                after_commit(tasks.post_pulled_back_notify, post_id=post.pk)
            post.taken_down_at = now
            again = list(published_deliveries(post).exclude(platform_id=""))
            retry = False
        post.flagged_reason = reason
        post.updated_at = now
        post.save()
        # The URL its files were fetched from dies (PU-6), unless another post on its way
        # needs one fetched now; they are no longer served for this post anyway.
        new_public_token(
            post.attachments.values_list("asset_id", flat=True),
            keep_for_other_posts_than=post.pk,
        )
        # The comments go with the post: archived here, committed before the platform
        # is called (MO-2).
        archived, told = archive_comments_going_with(again, actor=actor, reason=reason, now=now)
        channel_ids = [d.channel_id for d in again]
        data = {"retry": True, "channel_ids": channel_ids} if retry else {}
        PostEvent.objects.create(
            post=post,
            action="take_down",
            from_status=source,
            to_status=post.status,
            actor=person(actor),
            at=now,
            note=reason,
            data=data,
        )
        audit_record(
            actor=actor,
            action="post_take_down",
            municipality=post.municipality,
            obj=post,
            data={
                "reason": reason,
                "from": source,
                "to": post.status,
                "comments_archived": archived,
                # MO-4: their authors told in a private notice, or not (the archive: why).
                "authors_told": told,
                "authors_not_told": archived - told,
                **data,
            },
        )
        # Claimed, and due at once: the task runs it, or the publishing sweep if the task
        # is lost (a worker that died before taking it), never both
        # (`delivery.take_down_queued`). Stamped with the time of the claim, after the
        # archiving above, not the decision's start: its `STALE_CLAIM` counts from here.
        claimed = clock.now()
        PostChannel.objects.filter(pk__in=[d.pk for d in again]).update(
            claimed_at=claimed, next_attempt_at=claimed
        )
        for delivery in again:
            after_commit(tasks.post_take_down, post_channel_id=delivery.pk)
    return post


def deletes_by_api(channel: Any) -> bool:
    """Whether the platform's API deletes a published post on this channel: Instagram's
    cannot, so a person deletes it in the app and confirms it (`post_taken_down_by_hand`,
    PU-6)."""
    from ordstyrer.connectors.base import ConnectorError
    from ordstyrer.connectors.registry import connector_class

    try:
        return hasattr(connector_class(channel.kind), "delete_post")
    except ConnectorError:
        return False


def post_taken_down_by_hand(
    *, actor: ActorLike, post_id: Any, channel_id: Any, now: datetime | None = None
) -> Post:
    """The editor confirms deleting a post taken down (`post_take_down`) by hand in the
    app, on a channel whose API cannot delete it (Instagram, PU-6). The copy then counts
    as taken down and the comments under it, archived when the take-down was decided
    (MO-2), as removed (`delivery.mark_taken_down`): until this confirmation they are
    online and shown so. Communications or the post's author, as the take-down.

    A copy no longer out (a second click) returns the post unchanged; a channel whose
    API deletes is refused (the take-down is tried again there instead)."""
    from ordstyrer.publishing.delivery import mark_taken_down
    from ordstyrer.publishing.services import lock_post

    now = now or timezone.now()
    with transaction.atomic():
        post = lock_post(post_id)
        if not roles_in(actor, post.municipality):
            raise NotFound(gettext_lazy("Fant ikke innlegget."))
        if not access.may_edit(actor, post):
            raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))
        if post.taken_down_at is None:
            raise Conflict(gettext_lazy("Innlegget er ikke tatt ned."), code="conflict")
        row = (
            published_deliveries(post)
            .exclude(platform_id="")
            .filter(channel_id=parse_id(channel_id) or 0)
            .select_related("channel", "post__municipality")
            .first()
        )
        if row is None:
            return post
        if deletes_by_api(row.channel):
            raise Conflict(
                lazy_interpolate(
                    gettext_lazy(
                        "Ordstyrer sletter innlegget på «%(channel)s» selv: prøv å ta det ned igjen."
                    ),
                    {"channel": row.channel.name},
                ),
                code="conflict",
            )
        if not mark_taken_down(row, actor=actor, now=now, by_hand=True):
            return post
        post.updated_at = now
        post.save(update_fields=["updated_at"])
        PostEvent.objects.create(
            post=post,
            action="take_down",
            from_status=post.status,
            to_status=post.status,
            actor=person(actor),
            at=now,
            note=_("Slettet for hånd i appen: «%(channel)s».") % {"channel": row.channel.name},
            data={"by_hand": True, "channel_ids": [row.channel_id]},
        )
    return post
