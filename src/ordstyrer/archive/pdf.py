"""PDF/A-2b renderings of archive records (norwegian-standards §1.7, §2).

One rendering per record, made once (by the background sweep or on first use) and
kept unchanged in `ArchiveRendering`, so every download and every export hands
over the same archival document with the same checksum. WeasyPrint renders
tagged PDF/A-2b with `/Lang nb` and the title in the XMP metadata; the creation
date is the record's archive time, which makes the output reproducible.

The renderer never fetches anything: only `data:` URLs (the record's own images)
are allowed. Characters the embedded fonts cannot draw (emoji, for instance) are
written as «[U+1F44D]» in running text and as JSON `\\u` escapes in the raw JSON,
because PDF/A forbids references to the missing-glyph (.notdef) character. Running
text is set in DejaVu Sans and Sans Bold, so what those two draw is kept (Vietnamese,
Hebrew, Sorani …); only the fields set in DejaVu Sans Mono (ids, links, hashes, the raw
JSON) are held to what the mono font draws.

Images go in as PDF/A-2b allows them (ISO 19005-2): never interpolated (§6.2.8: the
style sheet's `image-rendering: crisp-edges`), and in RGB or grey under the sRGB output
intent (§6.2.4.3): a CMYK or other image is converted to sRGB for the document (with its
own ICC profile where it has one); the stored file stays as it came.

The look of the documents is versioned (`STYLE`): a police evidence package is rebuilt
on every download and must come out byte for byte as when it was prepared, so it is
rebuilt with the style it was prepared with (`archive.police`). Style 2 brought the
image, font and long-word rules above; style 1, how the documents looked before, is
kept frozen for the packages prepared with it (`_style_v1.html`, `_legacy_printable`).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import traceback
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ordstyrer.archive.canonical import parse_iso, sha256_hex
from ordstyrer.archive.models import (
    ArchiveFile,
    ArchiveRecord,
    ArchiveRendering,
    RecordKind,
    RenderingFailure,
)
from ordstyrer.policy import GROUNDS

logger = logging.getLogger("ordstyrer.archive")
# A record the sweep cannot render is tried this often, this far apart (one that always
# fails must not hold up the records after it, nor fill the log every 30 seconds).
RENDER_ATTEMPTS = 3
RENDER_RETRY_AFTER = timedelta(hours=1)
# A data: URL's payload: the whole attachment (a citizen's photo), personal data the log
# must never hold. The media type before it is kept for diagnosis.
# "data:" only as a URL's scheme: not inside a word ("metadata: …").
_DATA_URL = re.compile(r"(?<![\w.+-])data:(?P<mime>[\w.+-]+/[\w.+-]+)?[^\s'\"]*", re.IGNORECASE)
# The renderings running in this context collect the levels of WeasyPrint's lines that
# named one of their data: URLs, so the rendering can log its own line about the record.
_redacted_lines: ContextVar[list[int] | None] = ContextVar("pdf_redacted_lines", default=None)


class WithoutDataUrls(logging.Filter):
    """WeasyPrint logs an image it cannot use (ERROR «Failed to load image at %r») with
    its URL, and the renderer's only images are data: URLs of the record's attachments:
    the line would carry the whole photo into the log. It goes out with the URL cut to
    its media type."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 — a malformed line is left to logging's own report
            return True
        redacted = _DATA_URL.sub(lambda m: f"data:{m['mime'] or ''}[…]", text)
        if redacted == text:
            return True
        record.msg = redacted
        record.args = None
        seen = _redacted_lines.get()
        if seen is not None:
            seen.append(record.levelno)
        return True


# WeasyPrint logs every layout step at INFO; the worker's log is not the place for that.
# A logger's filters see only its own records, so each logger of WeasyPrint gets one.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)
for _name in ("weasyprint", "weasyprint.progress"):
    logging.getLogger(_name).addFilter(WithoutDataUrls())

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PDF_VARIANT = "pdf/a-2b"
PRONOM_PDFA_2B = "fmt/477"  # PRONOM: Acrobat PDF/A – Portable Document Format 2b
EMBEDDED_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
SANS_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # running text, headings, labels
MONO_FONTS = ("DejaVuSansMono.ttf",)  # `.mono` and `pre`: ids, links, hashes, raw JSON
FONT_FILES = SANS_FONTS + MONO_FONTS
# The documents' style: 2 now; 1 for evidence packages prepared before it (module doc).
STYLE = 2
LEGACY_STYLE = 1
STYLES = (LEGACY_STYLE, STYLE)
# Image modes WeasyPrint writes as /DeviceRGB or /DeviceGray; any other is converted.
PDFA_IMAGE_MODES = frozenset({"RGB", "RGBA", "L", "LA"})
STYLE_SHEETS = {
    LEGACY_STYLE: "archive/pdf/_style_v1.html",
    STYLE: "archive/pdf/_style.html",
}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts")

KIND_NB = {
    "deleted_comment": "Slettet kommentar",
    "hidden_comment": "Skjult kommentar",
    "journal_inbound": "Journalført henvendelse",
    "journal_outbound": "Journalført svar",
    "moderation_note": "Modereringsnotat",
    "own_post": "Kommunens innlegg",
}
DIRECTION_NB = {
    "I": "I – inngående dokument",
    "U": "U – utgående dokument",
    "X": "X – organinternt dokument uten oppfølging",
}
PLATFORM_NB = {"facebook": "Facebook", "instagram": "Instagram", "simulated": "Simulert plattform"}
ACTION_NB = {
    "delete": "Slettet fra plattformen",
    "hide": "Skjult på plattformen",
    "ban": "Brukeren utestengt",
    "journal": "Journalført",
    "reply": "Besvart",
    "note": "Notat",
    "archive": "Arkivert",
}
SYSTEM_ACTOR_NB = "Ordstyrer (system)"

# The same labels on the console's page of a record, in the console's language: the
# PDF/A above is the archival document and stays Bokmål.
ACTION_LABELS = {
    "delete": _("Slettet fra plattformen"),
    "hide": _("Skjult på plattformen"),
    "ban": _("Brukeren utestengt"),
    "journal": _("Journalført"),
    "reply": _("Besvart"),
    "note": _("Notat"),
    "archive": _("Arkivert"),
}
DIRECTION_LABELS = {
    "I": _("I – inngående dokument"),
    "U": _("U – utgående dokument"),
    "X": _("X – organinternt dokument uten oppfølging"),
}
PLATFORM_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "simulated": _("Simulert plattform"),
}


class RenderError(Exception):
    """The PDF/A document could not be made (fonts or libraries missing)."""


def renderer_name() -> str:
    import weasyprint

    return f"WeasyPrint {weasyprint.__version__}"


@lru_cache(maxsize=4)
def _covered(fonts: tuple[str, ...] = FONT_FILES) -> frozenset[int] | None:
    """Code points every one of `fonts` can draw (None: a font not found)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with WeasyPrint
        return None
    sets = []
    for name in fonts:
        path = next((Path(d) / name for d in FONT_DIRS if (Path(d) / name).is_file()), None)
        if path is None:
            hits = (
                list(Path("/usr/share/fonts").rglob(name))
                if Path("/usr/share/fonts").is_dir()
                else []
            )
            path = hits[0] if hits else None
        if path is None:
            logger.warning("font not found for PDF/A coverage", extra={"font": name})
            return None
        sets.append(set(TTFont(path, lazy=True).getBestCmap()))
    return frozenset(set.intersection(*sets))


def _draw_what_the_fonts_cover(
    text: str,
    keep: str,
    stand_in: Callable[[str], str],
    fonts: tuple[str, ...],
    hidden: Callable[[str], bool] | None = None,
) -> str:
    """`text` with each character `fonts` cannot draw (and not in `keep`), or that is
    `hidden`, replaced by `stand_in(char)`."""
    covered = _covered(fonts)
    if covered is None:
        return text
    return "".join(
        char
        if (ord(char) in covered or char in keep) and not (hidden and hidden(char))
        else stand_in(char)
        for char in text
    )


# Format characters running text keeps where the fonts have them: the soft hyphen, the
# zero-width non-joiner (Persian and Sorani spelling needs it) and the left-to-right and
# right-to-left marks. The others have no mark of their own and go (`_code_point`): a
# zero-width space, a joiner between emoji that are written as code points, and the
# bidirectional embeddings and overrides, which would show the archived text in another
# order than it was written.
KEPT_FORMAT_CHARACTERS = frozenset("\u00ad\u200c\u200e\u200f")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" and char not in KEPT_FORMAT_CHARACTERS


def _code_point(char: str) -> str:
    if unicodedata.category(char) in ("Cf", "Mn", "Cc", "Cs"):
        return ""  # joiners, variation selectors, controls: no visible mark of their own
    return f"[U+{ord(char):04X}]"


def _json_escape(char: str) -> str:
    point = ord(char)
    if point > 0xFFFF:
        high, low = divmod(point - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
    return f"\\u{point:04x}"


def printable(text: str) -> str:
    """Running text (DejaVu Sans, and Sans Bold where it is bold) with characters those
    fonts cannot draw written as [U+XXXX]."""
    return _draw_what_the_fonts_cover(text, "\n\t", _code_point, SANS_FONTS, _invisible)


def printable_mono(text: str) -> str:
    """A field set in DejaVu Sans Mono (an id, a link, a hash) with characters the mono
    font cannot draw written as [U+XXXX]."""
    return _draw_what_the_fonts_cover(text, "\n\t", _code_point, MONO_FONTS)


def _legacy_printable(text: str) -> str:
    """Style 1: every text held to what all three fonts draw (`STYLE`)."""
    return _draw_what_the_fonts_cover(text, "\n\t", _code_point, FONT_FILES)


def printable_json(raw: str, *, style: int = STYLE) -> str:
    """The raw JSON pretty-printed, with characters the mono font lacks as JSON \\u
    escapes (the text stays valid JSON with the same meaning)."""
    fonts = FONT_FILES if style == LEGACY_STYLE else MONO_FONTS
    try:
        text = json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return (_legacy_printable if style == LEGACY_STYLE else printable_mono)(raw)
    return _draw_what_the_fonts_cover(text, "\n", _json_escape, fonts)


def local(value: str | datetime | None) -> str:
    """A time as Norwegians read it: 16.05.2025 kl. 10.00 (Europe/Oslo)."""
    when = parse_iso(value) if isinstance(value, str) else value
    if when is None:
        return ""
    return when.astimezone(OSLO).strftime("%d.%m.%Y kl. %H.%M.%S")


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def pdfa_image(mime: str, data: bytes) -> tuple[str, bytes]:
    """The image as the PDF/A document may show it (ISO 19005-2 §6.2.4.3): RGB or grey
    as it is; any other mode (CMYK, Lab, 16-bit grey, …) converted to sRGB, through
    its own ICC profile where it has one, upright as its EXIF orientation says (the
    copy carries no EXIF). A JPEG stays a JPEG (quality 95), anything else becomes a
    PNG. What Pillow cannot read goes in as it came (WeasyPrint then leaves it out,
    `WithoutDataUrls`). The archived file itself is never changed."""
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        if image.mode in PDFA_IMAGE_MODES:
            return mime, data
        image.load()
        fmt = image.format
        icc = image.info.get("icc_profile")
        alpha = "A" in image.getbands() or "transparency" in image.info
        image = ImageOps.exif_transpose(image) or image
        converted = None
        if icc and not alpha:
            try:
                converted = ImageCms.profileToProfile(
                    image,
                    ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                    ImageCms.createProfile("sRGB"),
                    outputMode="RGB",
                )
            except (ImageCms.PyCMSError, OSError, ValueError):
                converted = None  # a profile lcms cannot use: the plain conversion
        if converted is None:
            converted = image.convert("RGBA" if alpha and fmt != "JPEG" else "RGB")
        out = io.BytesIO()
        if fmt == "JPEG":
            converted.convert("RGB").save(out, "JPEG", quality=95)
            return "image/jpeg", out.getvalue()
        converted.save(out, "PNG")
        return "image/png", out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return mime, data


def _embedded(mime: str, data: bytes, style: int) -> str:
    if style == LEGACY_STYLE:
        return _data_uri(mime, data)
    return _data_uri(*pdfa_image(mime, data))


def _same(text: str) -> str:
    return text


def _pretty_json(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return raw


def _moment(value: str | None) -> datetime | None:
    """A time for the console page, which writes it in its own language's format."""
    return parse_iso(value) if value else None


def record_context(
    record: ArchiveRecord,
    files: list[ArchiveFile],
    *,
    for_pdf: bool = True,
    style: int = STYLE,
) -> dict[str, Any]:
    """What the record's document shows. For the PDF every text is made printable and
    images are embedded, labels are Bokmål and times are written out («16.05.2025 kl.
    10.00.00»): it is the archival document; `style` is the documents' look (`STYLE`;
    an evidence package is rebuilt with the one it was prepared with). For the console
    page texts stay as they are, labels are in the console's language and times are
    datetimes (None where the record has none) for the template's date format."""
    if style not in STYLES:
        raise ValueError(f"unknown document style {style}")
    body = json.loads(record.canonical)
    legacy = style == LEGACY_STYLE
    p: Callable[[str], str] = (_legacy_printable if legacy else printable) if for_pdf else _same
    # What the templates set in DejaVu Sans Mono (`.mono`, `pre`).
    mono: Callable[[str], str] = (
        (_legacy_printable if legacy else printable_mono) if for_pdf else _same
    )
    when: Callable[[Any], Any] = local if for_pdf else _moment
    actions: Mapping[str, Any] = ACTION_NB if for_pdf else ACTION_LABELS
    directions: Mapping[str, Any] = DIRECTION_NB if for_pdf else DIRECTION_LABELS
    platforms: Mapping[str, Any] = PLATFORM_NB if for_pdf else PLATFORM_LABELS
    lang = "nb" if for_pdf else _console_language()
    author = body.get("author")
    recipient = body.get("recipient")
    where = body["where"]
    extra = body.get("extra") or {}
    by_position = {f.position: f for f in files}
    attachments = []
    for item in body["files"]:
        stored = by_position.get(item["position"])
        attachments.append(
            {
                "position": item["position"],
                "name": p(item["name"]),
                "mime": item["mime"],
                "size": item["size"],
                "sha256": item["sha256"],
                "image": _embedded(item["mime"], bytes(stored.data), style)
                if for_pdf and stored is not None and item["mime"] in EMBEDDED_IMAGE_TYPES
                else None,
            }
        )
    ground = body["ground"]
    confidentiality = body.get("confidentiality")
    # A deletion decided by one person and approved by another (MO-1's second
    # approver): the record's actor is the approver; both are named.
    requested_by = str(extra.get("requested_by") or "")
    approved_by = str(extra.get("approved_by") or "")
    two_people = bool(requested_by and approved_by and requested_by != approved_by)
    actor = (
        p(body["actor"]["name"])
        if body.get("actor")
        else (SYSTEM_ACTOR_NB if for_pdf else _("Ordstyrer (system)"))
    )
    return {
        "style": style,
        "style_sheet": STYLE_SHEETS[style],
        "title": p(body["title"]),
        "public_title": p(body["public_title"]),
        "kind": KIND_NB.get(body["kind"], body["kind"]),
        "municipality": p(body["municipality"]["name"]),
        "sequence": body["sequence"],
        "archived_at": when(body["archived_at"]),
        "created_iso": whole_seconds(body["archived_at"]),
        "hash": record.hash,
        "prev_hash": record.prev_hash,
        "text": p(body["said"]["text"]),
        "text_language": said_language(body),
        "edits": [{"text": p(e["text"]), "at": when(e["at"])} for e in body["said"]["edits"]],
        "author": _party(author, p, mono),
        "recipient": _party(recipient, p, mono),
        # An internal note's (X) recipient is the person it is about, not someone answered.
        "recipient_is_subject": body["journal"]["direction"] == "X",
        "platform": platforms.get(where["platform"], p(where["platform"])),
        "channel_name": p(where["channel_name"]),
        "post_id": mono(where["post_id"]),
        "item_id": mono(where["item_id"]),
        "permalink": mono(where["permalink"]),
        "post_text": p(where["post_text"]),
        "context": [
            {"author": p(c["author"]), "text": p(c["text"]), "at": when(c["at"])}
            for c in where["context"]
        ],
        "created": when(body["when"]["created"]),
        "captured": when(body["when"]["captured"]),
        "deleted": when(body["when"]["deleted"]),
        "action": actions.get(body["action"], body["action"]),
        "ground": GROUNDS[ground].label(lang) if ground in GROUNDS else ground,
        "justification": p(body["justification"]),
        "actor": actor,
        "requested_by": p(requested_by) if two_people else None,
        "approved_by": p(approved_by) if two_people else None,
        # «Registrert av» is left out when it only repeats the approver.
        "actor_shown": not two_people or actor != p(approved_by),
        "journal": body["journal"]["journal"],
        "direction": directions.get(body["journal"]["direction"], ""),
        "confidentiality": confidentiality,
        "refers_to": body.get("refers_to"),
        "attachments": attachments,
        "raw": None
        if body.get("raw") is None
        else (printable_json(body["raw"], style=style) if for_pdf else _pretty_json(body["raw"])),
        "kind_label": str(RecordKind(body["kind"]).label)
        if body["kind"] in RecordKind.values
        else "",
    }


def _party(
    person: Mapping[str, str] | None, p: Callable[[str], str], mono: Callable[[str], str]
) -> dict[str, str] | None:
    """An author or recipient: the name in running text, the id and profile link in
    mono (as the templates set them)."""
    if not person:
        return None
    return {k: (p(v) if k == "name" else mono(v)) for k, v in person.items()}


def said_language(body: Mapping[str, Any]) -> str:
    """The written standard of what a record says, where the record knows it: a notice
    to an author keeps the language it was sent in (`moderation.capture.notice_entry`),
    an internal note (X) is the product's own Bokmål (`archive.services`). A citizen's
    words or a reply: "" (not stored with the record)."""
    if body["kind"] == RecordKind.MODERATION_NOTE:
        return "nb"
    language = (body.get("extra") or {}).get("notice_language")
    return language if language in ("nb", "nn") else ""


def _console_language() -> str:
    lang = (get_language() or "nb")[:2]
    return lang if lang in ("nb", "nn", "en") else "nb"


def whole_seconds(iso: str) -> str:
    """The time as WeasyPrint can write it the same in both places: the Info
    dictionary's /CreationDate holds whole seconds, and PDF/A requires xmp:CreateDate
    (written as given) to be equivalent, so the fraction goes."""
    return datetime.fromisoformat(iso).replace(microsecond=0).isoformat()


def html_to_pdfa(html: str) -> bytes:
    """Render HTML to tagged PDF/A-2b without fetching anything but data: URLs."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # pango/harfbuzz missing on the machine
        raise RenderError(f"WeasyPrint kan ikke lages PDF her: {exc}") from exc
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def render_record_pdf(record: ArchiveRecord) -> bytes:
    files = list(record.files.order_by("position"))
    html = render_to_string("archive/pdf/record.html", record_context(record, files))
    redacted: list[int] = []
    token = _redacted_lines.set(redacted)
    try:
        pdf = html_to_pdfa(html)
    finally:
        _redacted_lines.reset(token)
    if redacted:
        # WeasyPrint's own line cannot say which record it was about: this one does,
        # and nothing else (no file name, no data).
        logger.warning(
            "archive rendering: an attachment image could not be embedded",
            extra={"record_id": record.pk},
        )
    return pdf


def rendering_for(record: ArchiveRecord, *, now: datetime | None = None) -> ArchiveRendering:
    """The record's PDF/A document, made now if it does not exist yet."""
    existing = ArchiveRendering.objects.filter(record=record).first()
    if existing is not None:
        return existing
    pdf = render_record_pdf(record)
    rendering = ArchiveRendering(
        record=record,
        pdf=pdf,
        size=len(pdf),
        sha256=sha256_hex(pdf),
        renderer=renderer_name(),
        rendered_at=now or timezone.now(),
    )
    try:
        with transaction.atomic():
            rendering.save(force_insert=True)
    except IntegrityError:  # another worker made it first: theirs is the document
        return ArchiveRendering.objects.get(record=record)
    return rendering


def render_missing_renderings(*, limit: int, now: datetime) -> int:
    """Render up to `limit` records that have no document yet; returns how many.

    A `RenderError` (no PDF libraries on this machine) stops the run: every record would
    fail alike. Any other error is the record's own: it is logged without its message
    (which may quote the record), counted in its `RenderingFailure` and passed by, so the
    records after it are rendered; it is tried again `RENDER_RETRY_AFTER` later, at most
    `RENDER_ATTEMPTS` times. A download or an export of it still renders it on demand."""
    retry = Q(
        render_failure__attempts__lt=RENDER_ATTEMPTS,
        render_failure__failed_at__lte=now - RENDER_RETRY_AFTER,
    )
    missing = list(
        ArchiveRecord.objects.filter(rendering__isnull=True)
        .filter(Q(render_failure__isnull=True) | retry)
        .select_related("render_failure")
        .order_by("id")[:limit]
    )
    made = 0
    for record in missing:
        try:
            rendering_for(record, now=now)
        except RenderError:
            logger.exception("archive rendering failed", extra={"record_id": record.pk})
            break
        except Exception as exc:  # noqa: BLE001 — one poisoned record fails alone
            _note_failure(record, exc, now=now)
            continue
        made += 1
    return made


def _note_failure(record: ArchiveRecord, exc: Exception, *, now: datetime) -> None:
    failure = getattr(record, "render_failure", None)
    attempts = (failure.attempts if failure else 0) + 1
    RenderingFailure.objects.update_or_create(
        record=record,
        defaults={"attempts": attempts, "failed_at": now, "error_type": type(exc).__name__},
    )
    given_up = attempts >= RENDER_ATTEMPTS
    # The frames only: the exception's message may quote the record (personal data).
    logger.log(
        logging.ERROR if given_up else logging.WARNING,
        "archive rendering given up" if given_up else "archive rendering failed, to be retried",
        extra={
            "record_id": record.pk,
            "attempts": attempts,
            "error_type": type(exc).__name__,
            "frames": "".join(traceback.format_tb(exc.__traceback__))[-4000:],
        },
    )
