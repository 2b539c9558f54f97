"""Location in media, the gaps after s14 (PU-1, EM-7): a phone's MP4/MOV loses its
recording place (`©xyz`, 3GPP `loci`, Apple's `com.apple.quicktime.location.*` keys)
without re-encoding and without moving a byte; photos and videos stored before uploads
were cleaned are cleaned by `ordstyrer media-strip-location`; an animated GIF is refused
with a reason, since Facebook and Instagram publish no animated photos.

The videos are built box by box here (ISO/IEC 14496-12): a `stco` chunk offset points
at the "encoded" samples in `mdat`, so a moved byte shows."""

from __future__ import annotations

import hashlib
import io
import secrets
import struct

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from ordstyrer.cli import main
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_upload, without_location
from ordstyrer.publishing.models import MediaAsset, MediaKind
from ordstyrer.publishing.services import post_create
from tests.publishing.conftest import MP4
from tests.publishing.test_qa_media_s14 import GPS_IFD, ORIENTATION, PLACE, photo, read

pytestmark = pytest.mark.django_db

# Rissa, where the person filming lives (ISO 6709, as an iPhone writes it).
HOME = b"+63.5800+009.9700+012.000/"
XYZ = b"+63.5800+009.9700/"
LOCATION_KEY = b"com.apple.quicktime.location.ISO6709"
SAMPLES = b"ramme-1:" + bytes(range(256)) * 4  # what the stco offset points at


# --------------------------------------------------------------------------- boxes


def box(kind: bytes, *children: bytes, size: str = "32") -> bytes:
    """One box: a 32-bit size, a 64-bit one (size 1 and `largesize`), or size 0 (it
    runs to the end of the file)."""
    payload = b"".join(children)
    if size == "64":
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    if size == "to-end":
        return struct.pack(">I4s", 0, kind) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def key(name: bytes) -> bytes:
    return struct.pack(">I", 8 + len(name)) + b"mdta" + name


def item(index: int, value: bytes) -> bytes:
    return box(index.to_bytes(4, "big"), box(b"data", struct.pack(">II", 1, 0) + value))


def fixed(degrees: float) -> bytes:
    return struct.pack(">i", round(degrees * 65536))


def moov(offset: int, *, located: bool = True, xyz_size: str = "32", table: str = "stco") -> bytes:
    """A phone's `moov`: one track whose sample table points at `offset`; with
    `located`, the place in every form phones write it."""
    if table == "co64":  # 64-bit chunk offsets, as a file over 4 GB has them
        stco = box(b"co64", struct.pack(">IIQ", 0, 1, offset))
    else:
        stco = box(b"stco", struct.pack(">III", 0, 1, offset))
    xyz = box(b"\xa9xyz", struct.pack(">HH", len(XYZ), 0x15C7) + XYZ, size=xyz_size)
    loci = box(
        b"loci",
        bytes(4) + struct.pack(">H", 0x15C7) + b"Hjemme\x00\x00",
        fixed(9.97) + fixed(63.58) + fixed(12.0) + b"Jorda\x00\x00",
    )
    tool = box(b"\xa9too", struct.pack(">HH", 4, 0x15C7) + b"Lavf")
    keys = [key(b"com.apple.quicktime.make")] + ([key(LOCATION_KEY)] if located else [])
    items = [item(1, b"Apple")] + ([item(2, HOME)] if located else [])
    meta = box(
        b"meta",
        box(b"hdlr", bytes(8) + b"mdta" + bytes(13)),
        box(b"keys", struct.pack(">II", 0, len(keys)), *keys),
        box(b"ilst", *items),
    )
    trak = box(
        b"trak",
        box(b"tkhd", bytes(84)),
        box(b"mdia", box(b"mdhd", bytes(24)), box(b"minf", box(b"stbl", stco))),
        *([box(b"udta", xyz)] if located else []),
    )
    udta = box(b"udta", *([xyz, loci] if located else []), tool)
    return box(b"moov", box(b"mvhd", bytes(100)), trak, udta, meta)


def video(
    *, brand: bytes = b"isom", layout: str = "mdat-first", located: bool = True, table: str = "stco"
) -> bytes:
    """`mdat-first`: a 64-bit `mdat` before `moov` (the file as a camera writes it);
    `mdat-last`: `moov` first and `mdat` running to the end of the file (size 0)."""
    ftyp = box(b"ftyp", brand + bytes(4) + brand + b"mp41")
    if layout == "mdat-first":
        mdat = box(b"mdat", SAMPLES, size="64")
        return ftyp + mdat + moov(len(ftyp) + 16, located=located, table=table)
    head = len(ftyp) + len(moov(0, located=located, table=table)) + 8
    return ftyp + moov(head, located=located, table=table) + box(b"mdat", SAMPLES, size="to-end")


CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"ilst"}


def tree(data: bytes, start: int = 0, end: int | None = None, path: str = "") -> list:
    """(path, start, end) of every box, read independently of the code under test."""
    end = len(data) if end is None else end
    out, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        name = f"{path}/{kind.decode('latin-1')}".lstrip("/")
        out.append((name, pos, pos + size))
        if kind in CONTAINERS:
            out += tree(data, pos + header, pos + size, name)
        elif kind == b"meta":
            out += tree(data, pos + header, pos + size, name)
        pos += size
    return out


def types(data: bytes, parent: str) -> list[str]:
    return [p.rsplit("/", 1)[1] for p, _s, _e in tree(data) if p.rsplit("/", 1)[0] == parent]


def samples_at_offset(data: bytes) -> bytes:
    (path, start, _e) = next(b for b in tree(data) if b[0].endswith(("/stco", "/co64")))
    if path.endswith("co64"):
        offset = struct.unpack(">Q", data[start + 16 : start + 24])[0]
    else:
        offset = struct.unpack(">I", data[start + 16 : start + 20])[0]
    return data[offset : offset + len(SAMPLES)]


def _upload(w, name: str, content: bytes, **kw) -> MediaAsset:
    return media_upload(
        actor=w.editor, municipality=w.municipality, filename=name, content=content, **kw
    )


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


# --------------------------------------------------------------------------- video upload


@pytest.mark.parametrize("layout", ["mdat-first", "mdat-last"])
@pytest.mark.parametrize(("brand", "mime"), [(b"isom", "video/mp4"), (b"qt  ", "video/quicktime")])
def test_a_phone_videos_place_is_freed_and_no_byte_moves(world, layout, brand, mime):
    original = video(brand=brand, layout=layout)
    assert samples_at_offset(original) == SAMPLES  # the test's file is consistent
    assert HOME in original and XYZ in original and b"Hjemme" in original
    asset = _upload(world, "IMG_0042.MOV", original, caption_mode="no_speech")
    stored = bytes(asset.content)
    assert asset.kind == MediaKind.VIDEO and asset.mime == mime
    for secret in (HOME, XYZ, b"+63.58", b"Hjemme", fixed(63.58), LOCATION_KEY):
        assert secret not in stored
    # Same length, same tree, offsets still right: nothing was re-encoded or moved.
    assert len(stored) == len(original) and asset.size == len(stored)
    assert samples_at_offset(stored) == SAMPLES
    assert [(s, e) for _p, s, e in tree(stored)] == [(s, e) for _p, s, e in tree(original)]
    assert types(stored, "moov/udta") == ["free", "free", "\xa9too"]
    assert types(stored, "moov/trak/udta") == ["free"]
    assert types(stored, "moov/meta/ilst") == ["\x00\x00\x00\x01", "free"]
    # Only the place's bytes changed: every difference is inside a `free` box or the
    # location key's name; the make (and its key) stay.
    name_at = original.index(LOCATION_KEY)
    freed = [(s, e) for p, s, e in tree(stored) if p.endswith("free")]
    freed.append((name_at, name_at + len(LOCATION_KEY)))
    changed = [i for i, (a, b) in enumerate(zip(original, stored, strict=True)) if a != b]
    assert changed and all(any(s <= i < e for s, e in freed) for i in changed)
    assert all(not any(stored[s + 8 : e]) for p, s, e in tree(stored) if p.endswith("free"))
    assert b"com.apple.quicktime.make" in stored and b"Apple" in stored
    assert sha(stored) == asset.sha256
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert entry.data["location_removed"] is True and entry.data["sha256"] == asset.sha256
    # What Instagram fetches is `stored` (the public URL serves the stored file while a
    # post is on its way, PU-6: test_s19_public_media); what Facebook is sent:
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Kommunestyret i dag.",
        media_ids=[asset.pk],
    )
    assert delivery.build_draft(post, world.page).media[0].content == stored
    # Cleaning again finds nothing.
    assert without_location(stored, mime) == (stored, False)


@pytest.mark.parametrize("layout", ["mdat-first", "mdat-last"])
def test_64_bit_chunk_offsets_still_point_at_the_samples(world, layout):
    original = video(layout=layout, table="co64")
    assert samples_at_offset(original) == SAMPLES
    stored = bytes(_upload(world, "film.mp4", original, caption_mode="no_speech").content)
    assert HOME not in stored and XYZ not in stored and len(stored) == len(original)
    assert samples_at_offset(stored) == SAMPLES


def test_a_64_bit_location_box_is_freed_with_its_size_kept(world):
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    original = ftyp + moov(0, xyz_size="64") + box(b"mdat", SAMPLES)
    stored = bytes(_upload(world, "film.mp4", original, caption_mode="no_speech").content)
    assert XYZ not in stored and len(stored) == len(original)
    (_p, start, end) = next(b for b in tree(stored) if b[0] == "moov/udta/free")
    assert stored[start : start + 4] == b"\x00\x00\x00\x01"  # still a 64-bit size …
    assert struct.unpack(">Q", stored[start + 8 : start + 16])[0] == end - start  # … kept


@pytest.mark.parametrize("layout", ["mdat-first", "mdat-last"])
def test_a_video_without_a_place_is_stored_as_it_came(world, layout):
    original = video(layout=layout, located=False)
    asset = _upload(world, "film.mp4", original, caption_mode="no_speech")
    assert bytes(asset.content) == original
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert "location_removed" not in entry.data
    # The tests' minimal MP4 (a last box of size 0, running to the end) too.
    assert bytes(_upload(world, "kort.mp4", MP4, caption_mode="no_speech").content) == MP4


def _broken() -> dict[str, bytes]:
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    whole = video()
    keys_count = whole.replace(
        struct.pack(">II", 0, 2) + key(b"com.apple.quicktime.make"),
        struct.pack(">II", 0, 9) + key(b"com.apple.quicktime.make"),
    )
    nested = box(b"udta", b"")
    for _ in range(40):
        nested = box(b"udta", nested)
    return {
        "cut-off": whole[:-40],  # moov says it is longer than the file
        "box-smaller-than-its-header": ftyp + struct.pack(">I4s", 4, b"moov") + bytes(32),
        "64-bit-size-smaller-than-its-header": ftyp + struct.pack(">I4sQ", 1, b"moov", 8),
        "child-past-its-parent": ftyp + box(b"moov", struct.pack(">I4s", 64, b"udta")),
        "more-keys-than-the-box-holds": keys_count,
        "junk-after-the-last-box": ftyp + box(b"moov") + b"\x01\x02\x03",
        "nested-too-deep": ftyp + box(b"moov", nested),
    }


@pytest.mark.parametrize("name", list(_broken()))
def test_a_broken_box_tree_is_refused_in_norwegian_and_nothing_is_stored(world, client, name):
    content = _broken()[name]
    with pytest.raises(ServiceError) as refused:
        _upload(world, "film.mp4", content, caption_mode="no_speech")
    assert "kan ikke leses som en video" in refused.value.message
    assert "Eksporter videoen på nytt som MP4" in refused.value.message
    client.force_login(world.editor)
    page = client.post(
        url(world, "media"),
        {"file": io.BytesIO(content), "caption_mode": "no_speech", "alt_text": "x"},
    )
    assert page.status_code == 200 and "kan ikke leses som en video" in page.content.decode()
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()


# --------------------------------------------------------------------------- animated images


def animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), (i * 80, 40, 255 - i * 80)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name"), [("GIF", "vinker.gif"), ("PNG", "a.png"), ("WEBP", "a.webp")]
)
def test_an_animated_image_is_refused_with_the_reason(world, client, fmt, name):
    content = animation(fmt)
    with Image.open(io.BytesIO(content)) as image:
        assert image.is_animated  # the test's file moves
    with pytest.raises(ServiceError) as refused:
        _upload(world, name, content)
    message = refused.value.message
    assert "er et animert bilde" in message and "Facebook og Instagram" in message
    assert "som video (MP4)" in message
    client.force_login(world.editor)
    page = client.post(url(world, "media"), {"file": io.BytesIO(content), "alt_text": "x"})
    assert "er et animert bilde" in page.content.decode()
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()


def test_a_still_gif_is_still_accepted(world):
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(out, "GIF")
    asset = _upload(world, "logo.gif", out.getvalue())
    assert asset.mime == "image/gif" and bytes(asset.content) == out.getvalue()


# --------------------------------------------------------------------------- stored before


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_before(w, name: str, content: bytes, kind: str, mime: str) -> MediaAsset:
    """A file as the upload stored it before it cleaned anything (byte for byte)."""
    return MediaAsset.objects.create(
        municipality=w.municipality,
        kind=kind,
        filename=name,
        mime=mime,
        size=len(content),
        sha256=sha(content),
        content=content,
        public_token=secrets.token_urlsafe(32),
        alt_text="Ordføreren klipper snoren",
        created_at=timezone.now(),
    )


@pytest.fixture
def _keep_the_test_connection(monkeypatch):
    """`ordstyrer <django command>` closes every connection when it ends; in a test that
    would close the test's own transaction (PostgreSQL)."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


@pytest.fixture
def archive(world):
    """What an installation holds after the upgrade: photos and a video with a place,
    one of each without, two broken files, an animated GIF, and a post that uses the
    photo."""
    w = world
    files = {
        "photo": stored_before(w, "IMG_1.jpg", photo(), "image", "image/jpeg"),
        "png": stored_before(w, "kart.png", photo("PNG"), "image", "image/png"),
        "video": stored_before(w, "IMG_2.MOV", video(brand=b"qt  "), "video", "video/quicktime"),
        "clean_photo": stored_before(w, "uten.jpg", photo(gps=False), "image", "image/jpeg"),
        "clean_video": stored_before(w, "uten.mp4", video(located=False), "video", "video/mp4"),
        "broken": stored_before(
            w, "ødelagt.mp4", video()[:-40], "video", "video/mp4"
        ),  # moov cut off
        "broken_photo": stored_before(
            w, "halvt.jpg", b"\xff\xd8\xff" + b"ikke et bilde " * 50, "image", "image/jpeg"
        ),
        "gif": stored_before(w, "logo.gif", animation("GIF"), "image", "image/gif"),
    }
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text="Den nye brua er åpnet.",
        media_ids=[files["photo"].pk],
    )
    before = {k: (bytes(a.content), a.sha256, a.public_token) for k, a in files.items()}
    return w, files, post, before


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("media_strip_location", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_the_command_cleans_what_was_stored_before_and_keeps_the_rest(archive):
    w, files, post, before = archive
    said, failed = run()
    assert failed is not None and failed.returncode == 1  # the broken files, reported
    assert "ikke endret" in str(failed)
    # The GIF is not counted: nothing in it is a place the stripper reads.
    assert (
        "7 filer gått gjennom: 2 bilder og 1 videoer fikk fjernet stedsinformasjon, "
        "2 hadde ingen, 2 kunne ikke leses." in said
    )
    assert f"Fil nr. {files['broken'].pk}: «ødelagt.mp4» kan ikke leses som en video" in said
    assert f"Fil nr. {files['broken_photo'].pk}: «halvt.jpg» kan ikke leses som et bilde" in said
    for name in ("photo", "png", "video"):
        asset = MediaAsset.objects.get(pk=files[name].pk)
        content = bytes(asset.content)
        assert content != before[name][0]
        # The same row and public URL; the checksum and size follow the bytes.
        assert asset.public_token == before[name][2]
        assert asset.sha256 == sha(content) != before[name][1] and asset.size == len(content)
        assert asset.alt_text == "Ordføreren klipper snoren"
        entry = AuditEntry.objects.get(action="media_strip_location", object_id=str(asset.pk))
        assert entry.data["sha256_before"] == before[name][1]
        assert entry.data["sha256"] == asset.sha256
    photo_now = bytes(MediaAsset.objects.get(pk=files["photo"].pk).content)
    exif = read(photo_now)
    assert GPS_IFD not in exif and exif[ORIENTATION] == 6  # the upload's own stripping
    video_now = bytes(MediaAsset.objects.get(pk=files["video"].pk).content)
    assert HOME not in video_now and XYZ not in video_now
    assert len(video_now) == len(before["video"][0]) and samples_at_offset(video_now) == SAMPLES
    for name in ("clean_photo", "clean_video", "broken", "broken_photo", "gif"):
        asset = MediaAsset.objects.get(pk=files[name].pk)
        assert (bytes(asset.content), asset.sha256) == before[name][:2]
    # The post's file: what its public URL's token leads to (served while a post is on
    # its way, PU-6) and what Facebook is sent.
    assert bytes(MediaAsset.objects.get(public_token=before["photo"][2]).content) == photo_now
    assert delivery.build_draft(post, w.page).media[0].content == photo_now
    # Once is enough: a second run changes nothing and writes no audit entry.
    entries = AuditEntry.objects.count()
    again, _failed = run()
    assert "0 bilder og 0 videoer fikk fjernet stedsinformasjon" in again
    assert AuditEntry.objects.count() == entries
    assert bytes(MediaAsset.objects.get(pk=files["photo"].pk).content) == photo_now


def test_a_dry_run_counts_and_changes_nothing(archive):
    _w, files, _post, before = archive
    said, failed = run("--dry-run")
    assert failed is not None and failed.returncode == 1
    assert "2 bilder og 1 videoer ville fått fjernet stedsinformasjon" in said
    assert "Prøvekjøring (--dry-run): ingenting er endret." in said
    for name, asset in files.items():
        asset.refresh_from_db()
        assert (bytes(asset.content), asset.sha256) == before[name][:2]
    assert not AuditEntry.objects.filter(action="media_strip_location").exists()


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_the_ordstyrer_command_reports_in_one_norwegian_line(archive, capsys):
    _w, files, _post, _before = archive
    try:
        code = main(["media-strip-location"])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err
    last = out.err.strip().splitlines()[-1]  # after Django's system-check warnings
    assert last.startswith("ordstyrer media-strip-location: 2 fil(er) kunne ikke leses")
    assert "fikk fjernet stedsinformasjon" in out.out
    MediaAsset.objects.filter(pk__in=[files["broken"].pk, files["broken_photo"].pk]).delete()
    try:
        code = main(["media-strip-location"])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code == 0 and "0 bilder og 0 videoer fikk fjernet" in out.out
    assert "media-strip-location:" not in out.err
    try:
        code = main(["media-strip-location", "--alle"])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code == 2 and "ukjente argumenter: --alle" in out.err


# --------------------------------------------------------------------------- review of s15


def _place_exif(*, gps: bool) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    if gps:
        exif.get_ifd(GPS_IFD).update(PLACE)
    return exif.tobytes()


def two_image_jpeg(*, first_placed: bool) -> bytes:
    """A phone's JPEG with a second image in MPF (CIPA DC-007), as an Android Ultra HDR
    photo carries its gain map: Pillow reads it as MPO, `is_animated` set. The second
    image has EXIF of its own, with the place."""
    main = Image.new("RGB", (64, 48), (30, 120, 200))
    gain_map = Image.new("RGB", (16, 12), (128, 128, 128))
    gain_map.encoderinfo = {"exif": _place_exif(gps=True)}
    out = io.BytesIO()
    main.save(
        out, "MPO", save_all=True, append_images=[gain_map], exif=_place_exif(gps=first_placed)
    )
    return out.getvalue()


@pytest.mark.parametrize("first_placed", [True, False], ids=["both-placed", "second-placed"])
def test_a_jpeg_with_a_second_image_is_stored_as_a_still_jpeg_without_location(
    world, client, first_placed
):
    """Such photos were accepted before s15, and are no animation (PU-1, EM-7)."""
    original = two_image_jpeg(first_placed=first_placed)
    with Image.open(io.BytesIO(original)) as image:  # the test's file is what phones write
        assert image.format == "MPO" and image.n_frames == 2 and image.is_animated
        first_size = image.mpinfo[0xB002][0]["Size"]
        image.seek(1)
        assert GPS_IFD in image.getexif()
    asset = _upload(world, "PXL_20261206_101512.jpg", original, alt_text="Brua i sol")
    stored = bytes(asset.content)
    assert asset.kind == MediaKind.IMAGE and asset.mime == "image/jpeg"
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert image.format == "JPEG" and not getattr(image, "is_animated", False)
        assert GPS_IFD not in image.getexif() and image.getexif()[ORIENTATION] == 6
    # The first image, its picture's bytes untouched; the second image and MPF's index go.
    first = original[:first_size]
    assert stored[stored.index(b"\xff\xda") :] == first[first.index(b"\xff\xda") :]
    assert b"MPF\x00" not in stored and stored.count(b"\xff\xd8") == 1
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert entry.data["location_removed"] is True
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Brua i sol.",
        media_ids=[asset.pk],
    )
    assert delivery.build_draft(post, world.page).media[0].content == stored
    assert without_location(stored, "image/jpeg") == (stored, False)


SEF_TRAILER = b"SEFH" + bytes(4) + b"\x01\x00\x00\x00SEFT"  # Samsung's, after the boxes


def test_a_vendor_trailer_after_the_boxes_stays_and_the_video_is_cleaned(world):
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    head = len(ftyp) + len(moov(0)) + 8
    original = ftyp + moov(head) + box(b"mdat", SAMPLES) + SEF_TRAILER
    asset = _upload(world, "20261206_101512.mp4", original, caption_mode="no_speech")
    stored = bytes(asset.content)
    assert HOME not in stored and XYZ not in stored and b"Hjemme" not in stored
    assert len(stored) == len(original) and stored.endswith(SEF_TRAILER)
    assert samples_at_offset(stored) == SAMPLES
    entry = AuditEntry.objects.get(action="media_upload", object_id=str(asset.pk))
    assert entry.data["location_removed"] is True


def _broken_with_trailer() -> dict[str, bytes]:
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    mdat = box(b"mdat", SAMPLES)
    return {
        "broken-inside-moov": ftyp + box(b"moov", struct.pack(">I4s", 64, b"udta")) + mdat,
        "no-moov": ftyp + mdat,
        "mdat-cut-off-after-moov": ftyp + moov(0) + mdat[:-40],
    }


@pytest.mark.parametrize("name", list(_broken_with_trailer()))
def test_a_trailer_does_not_excuse_a_broken_video(world, name):
    with pytest.raises(ServiceError) as refused:
        _upload(world, "film.mp4", _broken_with_trailer()[name] + SEF_TRAILER)
    assert "kan ikke leses som en video" in refused.value.message
    assert not MediaAsset.objects.filter(municipality=world.municipality).exists()
