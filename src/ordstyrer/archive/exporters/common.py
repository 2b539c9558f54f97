"""What every archive export shares: the period, the records, their documents, the
Noark code values, stable identifiers and validation against the official XSDs.

Code values follow norwegian-standards §1.3–1.5: Fiks Arkiv uses codes (`I`, `EA`,
`A` …) with a description, both in the metadatakatalog namespace; eFormidling
(Noark 5 v3.1) and the Noark 5 v5.0 arkivuttrekk use the Norwegian code texts.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, IntegerField, Max, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from lxml import etree
from PIL import Image
from PIL import __version__ as PILLOW_VERSION

from ordstyrer.archive.canonical import parse_iso, raw_bytes, safe_text, sha256_hex
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.pdf import PRONOM_PDFA_2B, rendering_for
from ordstyrer.archive.screening import Screening, ScreeningContext, export_public_title
from ordstyrer.core.images import UNREADABLE

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SYSTEM = "Ordstyrer"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Stable UUIDs (Noark systemID) for the same record in every export: UUID v5.
NAMESPACE = uuid.UUID("5b0c2f1e-8d3a-4c55-9a53-6f7264737479")

SCHEMAS = {
    "fiks-arkiv": "fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd",
    "eformidling": "eformidling-arkivmelding/arkivmelding.xsd",
    "arkivstruktur": "noark5-arkivuttrekk-v5.0/arkivstruktur.xsd",
    "endringslogg": "noark5-arkivuttrekk-v5.0/endringslogg.xsd",
    "loependeJournal": "noark5-arkivuttrekk-v5.0/loependeJournal.xsd",
    "offentligJournal": "noark5-arkivuttrekk-v5.0/offentligJournal.xsd",
    "addml": "addml-8.3/addml.xsd",
}

# Records are filed in one case folder (saksmappe) per group and year.
CATEGORY = {
    "deleted_comment": 1,
    "hidden_comment": 1,
    "journal_inbound": 2,
    "journal_outbound": 2,
    "moderation_note": 3,
    "own_post": 4,
}
CATEGORY_TITLE = {
    1: "Sosiale medier – slettet og skjult innhold",
    2: "Sosiale medier – henvendelser og svar",
    3: "Sosiale medier – modereringsnotater",
    4: "Sosiale medier – kommunens innlegg",
}
CATEGORY_SLUG = {1: "moderert-innhold", 2: "henvendelser", 3: "notater", 4: "innlegg"}

# (Fiks code, Noark text)
JOURNALPOSTTYPE = {
    "I": ("I", "Inngående dokument"),
    "U": ("U", "Utgående dokument"),
    "X": ("X", "Organinternt dokument uten oppfølging"),
}
JOURNALSTATUS = {True: ("J", "Journalført"), False: ("A", "Arkivert")}
PARTTYPE = {
    "EA": "Avsender",
    "EM": "Mottaker",
    "IA": "Intern avsender",
    "IM": "Intern mottaker",
}
VARIANT = {"A": "Arkivformat", "P": "Produksjonsformat"}
ROLE = {"H": "Hoveddokument", "V": "Vedlegg"}
DOCUMENT_TYPE = ("KORR", "Melding fra sosiale medier")
DOCUMENT_STATUS = ("F", "Dokumentet er ferdigstilt")
# PRONOM identifiers by MIME type (noark5-standard kap. 3 M701; `av/0` = unknown). The
# identification is by declared MIME type, not by DROID.
PRONOM = {
    "application/pdf": (PRONOM_PDFA_2B, "PDF/A-2b"),
    "application/json": ("fmt/817", "JSON"),
    "image/jpeg": ("fmt/43", "JPEG File Interchange Format 1.01"),
    "image/png": ("fmt/13", "Portable Network Graphics 1.2"),
    "image/tiff": ("fmt/353", "Tagged Image File Format"),
    "video/mp4": ("fmt/199", "MPEG-4 Media File"),
    "audio/mpeg": ("fmt/134", "MPEG 1/2 Audio Layer 3"),
}
# Long-term formats accepted for deposit (norwegian-standards §2): only these go in the
# Noark 5 package; a file in another format is converted (`to_archive_format`) or, if it
# cannot be, left out with its reason on record — never silently (AR-3).
ARCHIVE_FORMATS = frozenset({"image/jpeg", "image/png", "image/tiff", "video/mp4", "audio/mpeg"})


class ExportError(Exception):
    """The export cannot be made; the message is one Norwegian sentence."""


# The years an export period may span, in the CLI, the console and the API alike: a
# period's end is the day after `until` at midnight in Norwegian time, which does not
# exist for 9999-12-31 (OverflowError) nor, in UTC, for 0001-01-01.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def year_in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    # The highest record number the export includes, noted when it starts (`pinned`):
    # an exporter that reads the records more than once must see the same records in
    # every pass, though records keep being archived while it runs (AR-2).
    through: int | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """[since 00:00, the day after until 00:00) in Norwegian time."""
        start = datetime.combine(self.since, time.min, tzinfo=OSLO)
        end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=OSLO)
        return start, end

    def label(self) -> str:
        return f"{self.since.isoformat()}–{self.until.isoformat()}"


@dataclass
class ExportOptions:
    municipality: Any
    period: Period
    out_dir: Path
    requested_by: str = SYSTEM
    now: datetime | None = None
    progress: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        # The person who ordered the export, as the database has the name: one control
        # character pasted into it (a "\x0b" from Word) stopped the whole export with
        # lxml's "All strings must be XML compatible" (AR-2). Every exporter writes it.
        self.requested_by = xml_text(self.requested_by)


@dataclass
class ExportResult:
    """Counts of an export; SHA256SUMS is written line by line as files are written, so
    memory stays the same however many records there are."""

    out_dir: Path
    records: int = 0
    files: int = 0
    bytes: int = 0
    checks: int = 0  # deposit checks passed (Noark 5 arkivuttrekk)
    _sums: Any = field(default=None, repr=False)

    def add(self, relative: str, data: builtins.bytes) -> str:  # (`bytes` is a field here)
        path = self.out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return self.record_file(relative, len(data), sha256_hex(data))

    def add_message(self, item: Item, relative: str, message: etree._Element) -> None:
        """One record's files and its validated message (`relative`) — the per-record
        layout of the arkivmelding exports (Fiks Arkiv and eFormidling)."""
        for document in item.documents:
            for obj in document.objects:
                self.add(obj.name, obj.data)
        self.add(relative, serialise(message))
        self.records += 1

    def record_file(self, relative: str, size: int, digest: str) -> str:
        if self._sums is None:
            self._sums = (self.out_dir / "SHA256SUMS").open("w", encoding="utf-8")
        self._sums.write(f"{digest}  {relative}\n")
        self.files += 1
        self.bytes += size
        return digest

    def close(self) -> None:
        if self._sums is not None:
            self._sums.close()
            self._sums = None


@dataclass
class DocObject:
    """One file of a document (dokumentobjekt)."""

    name: str  # file name in the package/message
    original: str  # the name it had (filnavn)
    mime: str
    data: bytes
    variant: str  # A or P
    sha256: str = ""
    # Set when the file is a conversion made for the deposit (Noark 5 `konvertering`).
    conversion: Conversion | None = None

    def __post_init__(self) -> None:
        self.sha256 = self.sha256 or sha256_hex(self.data)

    @property
    def pronom(self) -> tuple[str, str]:
        return PRONOM.get(self.mime, ("av/0", self.mime))


@dataclass
class Document:
    """One document of a registration (dokumentbeskrivelse)."""

    number: int
    role: str  # H or V
    title: str
    objects: list[DocObject]


@dataclass
class Item:
    """A record ready for an exporter: body, documents and identifiers."""

    record: ArchiveRecord
    body: dict[str, Any]
    documents: list[Document]
    # What the export withholds from the public and on which legal basis (AR-2).
    screening: Screening | None = None
    # Files the deposit leaves out, each with its reason (`item_for(archive_only=True)`).
    omitted: list[Omission] = field(default_factory=list)

    @property
    def sequence(self) -> int:
        return self.record.sequence

    @property
    def year(self) -> int:
        return self.archived_at.year

    @property
    def archived_at(self) -> datetime:
        return self.record.archived_at.astimezone(OSLO)

    @property
    def category(self) -> int:
        return CATEGORY[self.record.kind]

    @property
    def direction(self) -> str:
        return self.body["journal"]["direction"]

    @property
    def created_at(self) -> datetime:
        created = parse_iso(self.body["when"]["created"])
        return (created or self.record.archived_at).astimezone(OSLO)

    @property
    def actor(self) -> str:
        actor = self.body.get("actor")
        return xml_text(actor["name"]) if actor else f"{SYSTEM} (system)"

    @property
    def external_key(self) -> str:
        return f"{self.record.municipality.slug}:{self.sequence}:{self.record.hash[:16]}"

    def uuid(self, *parts: object) -> str:
        return stable_uuid("record", self.record.hash, *parts)

    def object_uuid(self, document: Document, version: int, obj: DocObject) -> str:
        """The systemID of a dokumentobjekt: the same file has the same id in every
        export (M001); a file converted for the deposit is another file, with its own."""
        if obj.conversion is not None:
            return self.uuid("objekt", document.number, version, "konvertert")
        return self.uuid("objekt", document.number, version)

    def parties(self) -> list[tuple[str, str]]:
        """Korrespondanseparter as (code, name): never empty (the journals need one)."""
        author = self.body.get("author")
        recipient = self.body.get("recipient")
        channel = self.body["where"]["channel_name"] or "sosiale medier"
        if self.direction == "I":
            name = author["name"] if author and author["name"].strip() else "Ukjent avsender"
            return [("EA", xml_text(name))]
        if self.direction == "U":
            name = (
                recipient["name"]
                if recipient and recipient["name"].strip()
                else f"Følgere av {channel}"
            )
            return [("EM", xml_text(name)), ("IA", self.actor)]
        return [("IA", self.actor)]


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def folder_uuid(municipality_id: int, category: int, year: int) -> str:
    return stable_uuid("saksmappe", municipality_id, category, year)


def folder_key(slug: str, category: int, year: int) -> str:
    return f"{slug}:sosiale-medier:{year}:{CATEGORY_SLUG[category]}"


def xml_text(text: str) -> str:
    """Text an XML document can hold (no control characters, no lone surrogates)."""
    return safe_text(text).strip() or "–"


def municipality_name(municipality: Any) -> str:
    """The municipality's name as the exports write it: free text from the database,
    through the same sanitiser as every other text (AR-2)."""
    return xml_text(municipality.name)


def creator_id(municipality: Any) -> str:
    """arkivskaperID: the organisation number, or the municipality's slug without one."""
    return xml_text(municipality.organisation_number or municipality.slug)


def screening_of(
    context: ScreeningContext, record: ArchiveRecord, body: dict[str, Any]
) -> Screening | None:
    """The record's screening with its code and legal basis made XML-safe: both are free
    text, from the municipality's screening table or the capture (AR-2)."""
    screening = context.for_record(record, body)
    if screening is None:
        return None
    return replace(
        screening, code=xml_text(screening.code), authority=xml_text(screening.authority)
    )


def iso_local(value: datetime) -> str:
    return value.astimezone(OSLO).isoformat(timespec="seconds")


def sub(
    parent: etree._Element, tag: str, text: object | None = None, *, ns: str = ""
) -> etree._Element:
    """A child element `tag` (in namespace `ns`, if given) holding `text`."""
    element = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    if text is not None:
        element.text = str(text)
    return element


def describe_document(
    ns: str, post: etree._Element, item: Item, document: Document
) -> etree._Element:
    """The `dokumentbeskrivelse` of `document` up to its objects: the same fields, in
    the same order, in the arkivmelding (eFormidling) and in the Noark 5 uttrekk."""
    at = iso_local(item.record.archived_at)
    description = sub(post, "dokumentbeskrivelse", ns=ns)
    for tag, value in (
        ("systemID", item.uuid("dokument", document.number)),
        ("dokumenttype", DOCUMENT_TYPE[1]),
        ("dokumentstatus", DOCUMENT_STATUS[1]),
        ("tittel", document.title),
        ("opprettetDato", at),
        ("opprettetAv", item.actor),
        ("tilknyttetRegistreringSom", ROLE[document.role]),
        ("dokumentnummer", document.number),
        ("tilknyttetDato", at),
        ("tilknyttetAv", item.actor),
    ):
        sub(description, tag, value, ns=ns)
    return description


def journal_dates(ns: str, post: etree._Element, item: Item) -> None:
    """journalposttype, journalstatus, journaldato and dokumentetsDato of a journalpost
    (arkivmelding and Noark 5 alike)."""
    for tag, value in (
        ("journalposttype", JOURNALPOSTTYPE[item.direction][1]),
        ("journalstatus", JOURNALSTATUS[bool(item.body["journal"]["journal"])][1]),
        ("journaldato", item.archived_at.date().isoformat()),
        ("dokumentetsDato", item.created_at.date().isoformat()),
    ):
        sub(post, tag, value, ns=ns)


class _Folder(TypedDict):
    category: int
    year: int


def records_for(
    municipality: Any, period: Period
) -> QuerySet[WithAnnotations[ArchiveRecord, _Folder]]:
    """The municipality's records archived in the period (up to its `through` number, if
    pinned), in folder order (group, year, number), with the year computed in Norwegian
    time."""
    start, end = period.bounds()
    records = ArchiveRecord.objects.filter(
        municipality=municipality, archived_at__gte=start, archived_at__lt=end
    )
    if period.through is not None:
        records = records.filter(sequence__lte=period.through)
    return (
        records.select_related("municipality")
        .annotate(
            category=Case(
                *[When(kind=kind, then=Value(cat)) for kind, cat in CATEGORY.items()],
                default=Value(9),
                output_field=IntegerField(),
            ),
            year=ExtractYear("archived_at", tzinfo=OSLO),
        )
        .order_by("category", "year", "sequence")
    )


def pinned(municipality: Any, period: Period) -> Period:
    """`period` limited to the records archived so far: an export made of several passes
    over the records is a snapshot, whatever is archived while it runs (AR-2). A record's
    number is taken under the chain head's lock and only grows, so a record archived
    later is never inside the limit."""
    last = ArchiveRecord.objects.filter(municipality=municipality).aggregate(Max("sequence"))
    return replace(period, through=last["sequence__max"] or 0)


# --- conversion to an archive format (Noark 5 deposit) ---------------------------------

# Still images the deposit converts, losslessly, to PNG: each MIME type is opened only as
# the Pillow format named here, never as one Pillow guesses from the bytes (an EPS would
# start Ghostscript). AVIF and HEIF only where this Pillow reads them (HEIF needs a
# plugin); a type not listed, or not readable here, is left out with its reason.
STILL_IMAGES = {
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/x-ms-bmp": "BMP",
    "image/avif": "AVIF",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
CONVERTED_MIME = "image/png"
CONVERSION_TOOL = f"Pillow {PILLOW_VERSION}"
# The modes Pillow writes to PNG as they are; any other is made RGB(A) first.
_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})
# PRONOM identifiers of formats the deposit converts from or leaves out, for
# konvertertFraFormat and the conversion log: by the file's own signature where one MIME
# type covers several versions (DROID signature file: GIF 87a/89a; WebP by its first
# chunk; Windows Bitmap by the size of its info header), else by the MIME type.
_GIF = {
    b"GIF87a": ("fmt/3", "Graphics Interchange Format 87a"),
    b"GIF89a": ("fmt/4", "Graphics Interchange Format 89a"),
}
_WEBP = {
    b"VP8 ": ("fmt/566", "WebP"),
    b"VP8L": ("fmt/567", "WebP Lossless"),
    b"VP8X": ("fmt/568", "WebP Extended"),
}
_BMP = {
    12: ("fmt/115", "Windows Bitmap 2.0"),
    40: ("fmt/116", "Windows Bitmap 3.0"),
    108: ("fmt/118", "Windows Bitmap 4.0"),
    124: ("fmt/119", "Windows Bitmap 5.0"),
}
OTHER_FORMATS = {"video/quicktime": ("x-fmt/384", "QuickTime")}


def source_format(mime: str, data: bytes) -> tuple[str, str]:
    """The PRONOM identifier and name of a file's format (`av/0` and its MIME type when
    unknown), in the vocabulary of `DocObject.pronom`."""
    if data[:6] in _GIF:
        return _GIF[data[:6]]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] in _WEBP:
        return _WEBP[data[12:16]]
    if data[:2] == b"BM" and len(data) >= 18:
        return _BMP.get(int.from_bytes(data[14:18], "little"), ("av/0", mime))
    return PRONOM.get(mime) or OTHER_FORMATS.get(mime) or ("av/0", mime)


class NotConvertible(Exception):
    """The file cannot be converted to an archive format; the message is the reason, one
    Norwegian clause for the deposit's documentation."""


@dataclass(frozen=True)
class Conversion:
    """How a dokumentobjekt came to be in its archive format (Noark 5 `konvertering`)."""

    from_format: tuple[str, str]  # PRONOM identifier and name of the original
    from_mime: str
    from_sha256: str
    tool: str
    comment: str


@dataclass(frozen=True)
class Omission:
    """A file of a record the deposit leaves out, with the reason (AR-3: never silently)."""

    position: int
    name: str
    mime: str
    format: tuple[str, str]
    sha256: str
    reason: str


def _complete(fmt: str, data: bytes) -> bool:
    """The file has its format's end. Pillow alone cannot tell: WeasyPrint (the archive's
    PDF/A) sets Pillow's process-wide `LOAD_TRUNCATED_IMAGES`, after which a cut-off image
    decodes padded with grey instead of failing — a "conversion" that is not the file."""
    if fmt == "GIF":  # the trailer
        return data.rstrip(b"\x00").endswith(b";")
    if fmt == "WEBP":  # the RIFF header says how long the file is
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)
    if fmt == "BMP":  # so does the file header
        return len(data) >= 14 and int.from_bytes(data[2:6], "little") <= len(data)
    return True  # AVIF and HEIF decoders fail on a cut-off file themselves


def _readable(fmt: str) -> bool:
    Image.init()  # every plugin Pillow has here, a HEIF one included if installed
    return fmt in Image.OPEN


def to_archive_format(mime: str, data: bytes) -> tuple[bytes, Conversion]:
    """`data` (of type `mime`, not an archive format) as a PNG, with how it was made.
    A still image keeps every pixel; of an animation only the first frame is kept, and
    the comment says so. Raises NotConvertible with the reason otherwise."""
    fmt = STILL_IMAGES.get(mime)
    origin = source_format(mime, data)
    described = f"{origin[1]} ({mime})"
    if fmt is None and mime.startswith("video/"):
        raise NotConvertible(
            f"videoformatet {described} er ikke et arkivformat (MPEG-2 eller MPEG-4/H.264), "
            "og Ordstyrer konverterer ikke video"
        )
    if fmt is None:
        raise NotConvertible(
            f"formatet {described} er ikke et arkivformat, og Ordstyrer kan ikke konvertere det"
        )
    if not _readable(fmt):
        raise NotConvertible(
            f"bildeformatet {described} kan ikke leses av konverteringsverktøyet "
            f"({CONVERSION_TOOL}) i denne installasjonen"
        )
    notes = []
    try:
        if not _complete(fmt, data):
            raise EOFError("truncated")
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            frames = getattr(image, "n_frames", 1)
            image.seek(0)
            image.load()
            still: Image.Image = image
            if image.mode not in _PNG_MODES:
                alpha = "A" in image.getbands() or "transparency" in image.info
                still = image.convert("RGBA" if alpha else "RGB")
                notes.append(f"fargemodellen {image.mode} er gjort om til {still.mode}")
            params: dict[str, Any] = {}
            if image.info.get("icc_profile"):
                params["icc_profile"] = image.info["icc_profile"]
            out = io.BytesIO()
            still.save(out, "PNG", **params)
    except UNREADABLE:
        raise NotConvertible(
            f"filen kan ikke leses som {described}: den er skadet, avkortet eller ikke det "
            "formatet den oppgir"
        ) from None
    if frames > 1:
        notes.append(f"animasjon med {frames} bilder: bare det første bildet er bevart")
    # Every pixel of the (first) image is kept unless its colour model had to change.
    how = "konvertert til PNG" if still is not image else "konvertert tapsfritt til PNG"
    comment = f"{described} {how}"
    return out.getvalue(), Conversion(
        origin,
        mime,
        sha256_hex(data),
        CONVERSION_TOOL,
        "; ".join([comment, *notes]),
    )


def attachment_number(position: int) -> int:
    """The dokumentnummer of a record's stored file (positions count from 1; the main
    document is 1): the file's own, so it stays the same in every export and format
    (M007), whatever files before it a deposit leaves out."""
    return position + 1


def _suffix(name: str) -> str:
    """The file name's extension for the name in the package (and in the XML that refers
    to it): letters and digits only, as the file's name is the platform's free text."""
    suffix = "".join(c for c in Path(name).suffix.lower() if c.isascii() and c.isalnum())
    return f".{suffix[:9]}" if suffix else ".bin"


def item_for(record: ArchiveRecord, *, prefix: str = "", archive_only: bool = False) -> Item:
    """Load a record's documents: its PDF/A rendering (A) with the raw JSON (P) as the
    main document, and each media file as an attachment.

    `archive_only` (the Noark 5 deposit) holds archive formats only: the raw JSON stays
    out (the PDF/A shows it in full), a file in another format is converted to one
    (`to_archive_format`), and a file that cannot be is listed in `Item.omitted` with
    its reason — its name, type, size and checksum stay in the PDF/A (AR-3)."""
    body = json.loads(record.canonical)
    seq = f"{record.sequence:06d}"
    rendering = rendering_for(record)
    main = [
        DocObject(
            f"{prefix}arkivpost-{seq}.pdf",
            f"arkivpost-{seq}.pdf",
            "application/pdf",
            bytes(rendering.pdf),
            "A",
            rendering.sha256,
        )
    ]
    raw = raw_bytes(body.get("raw"))
    if raw is not None and not archive_only:
        main.append(
            DocObject(
                f"{prefix}raadata-{seq}.json", f"raadata-{seq}.json", "application/json", raw, "P"
            )
        )
    # The main document is titled by the public title, as every export writes it
    # (national identity numbers masked, PU-1).
    title = xml_text(export_public_title(body["public_title"]))
    documents = [Document(1, "H", title, main)]
    omitted: list[Omission] = []
    for stored in record.files.order_by("position"):
        # The media type is the platform's text (checked only for being there): the
        # exports write it (mimeType, a format's description), so it is sanitised too.
        mime = xml_text(stored.mime)
        data, sha256, suffix = bytes(stored.data), stored.sha256, _suffix(stored.name)
        conversion = None
        if archive_only and mime not in ARCHIVE_FORMATS:
            try:
                data, conversion = to_archive_format(mime, data)
            except NotConvertible as exc:
                omitted.append(
                    Omission(
                        stored.position,
                        xml_text(stored.name),
                        mime,
                        source_format(mime, data),
                        sha256,
                        str(exc),
                    )
                )
                continue
            mime, sha256, suffix = CONVERTED_MIME, "", ".png"  # the checksum of the PNG
        name = f"{prefix}vedlegg-{seq}-{stored.position}{suffix}"
        variant = "A" if mime in ARCHIVE_FORMATS else "P"
        documents.append(
            Document(
                attachment_number(stored.position),
                "V",
                xml_text(f"Vedlegg {stored.position}: {stored.name}"),
                [
                    DocObject(
                        name,
                        xml_text(stored.name),
                        mime,
                        data,
                        variant,
                        sha256,
                        conversion,
                    )
                ],
            )
        )
    return Item(record=record, body=body, documents=documents, omitted=omitted)


def iter_items(
    municipality: Any,
    period: Period,
    *,
    prefix: Callable[[ArchiveRecord], str] | None = None,
    archive_only: bool = False,
    screening: ScreeningContext | None = None,
) -> Iterator[Item]:
    if screening is None:
        screening = ScreeningContext(municipality)
    for record in records_for(municipality, period).iterator(chunk_size=100):
        item = item_for(record, prefix=prefix(record) if prefix else "", archive_only=archive_only)
        item.screening = screening_of(screening, record, item.body)
        yield item


@cache
def schema(name: str) -> etree.XMLSchema:
    """The official XSD, loaded from the copies shipped with Ordstyrer (no network)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / SCHEMAS[name]), parser))


def validate_tree(tree: etree._Element | etree._ElementTree, name: str) -> None:
    validator = schema(name)
    if not validator.validate(tree):
        error = validator.error_log.last_error
        raise ExportError(
            f"Eksporten følger ikke skjemaet {SCHEMAS[name]} (linje {error.line}): {error.message}"
        )


def validate_file(path: Path, name: str) -> None:
    """Validate a (possibly very large) file while parsing it, in constant memory."""
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), schema=schema(name), no_network=True, huge_tree=True
        ):
            # Free what has been validated: the element's content, and the emptied
            # siblings before it (an emptied element still costs memory). Validation runs
            # on the parser's events, not on this tree.
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise ExportError(f"{path.name} følger ikke skjemaet {SCHEMAS[name]}: {exc}") from None


def serialise(tree: etree._Element) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
