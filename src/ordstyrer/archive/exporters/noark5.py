"""Noark 5 v5.0 arkivuttrekk (deposit package) for a period (norwegian-standards §1.5).

    arkivuttrekk.xml      ADDML 8.3 description: files, checksums, counts (Riksarkivet's template)
    arkivstruktur.xml     arkiv → arkivdel → saksmappe (group, year) → journalpost → documents
    endringslogg.xml      the changes made to the material (see `changes`)
    konverteringslogg.txt every file converted to an archive format, and every file left
                          out because it cannot be, with the reason (see below)
    loependeJournal.xml   the running journal of every journalpost
    offentligJournal.xml  the public journal: public titles, no confidential names
    *.xsd                 Arkivverket's own schemas, unchanged (req. 6.4.18)
    DOKUMENT/<nr>/…       the PDF/A documents and media in archive formats, with SHA-256
    LES-MEG.txt           the package's documentation
    SHA256SUMS            every file's checksum, for `sha256sum -c`

`arkivstruktur.xml` and the journals are written incrementally with lxml's
`xmlfile` (constant memory), each to a `.partial` file that is validated against
its XSD while it is parsed back (`iterparse(schema=…)`) and only then renamed into
place. Production formats (the raw JSON) stay out, as the standard requires; the
PDF/A document shows the raw JSON in full.

Only archive formats go in the package, and Noark 5 wants every conversion to one
logged. A still image in another format (GIF, WebP, BMP …) is converted to PNG with
Pillow when the package is made: its dokumentobjekt is the PNG, with its own checksum,
and a `konvertering` element (from and to format as PRONOM identifiers, date, who,
tool). A file that cannot be converted (a QuickTime video, a broken image) is not
silently absent (AR-3): the journalpost gets a `merknad` with the reason, the record's
PDF/A keeps its name, type, size and checksum, and konverteringslogg.txt (in
SHA256SUMS) lists it, as it lists every conversion.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from django.db.models import Max, Q
from lxml import etree

from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.exporters.common import (
    CATEGORY,
    CATEGORY_TITLE,
    CONVERSION_TOOL,
    OSLO,
    PARTTYPE,
    SCHEMA_DIR,
    SCHEMAS,
    SYSTEM,
    VARIANT,
    XSI,
    ExportError,
    ExportOptions,
    ExportResult,
    Item,
    Omission,
    Period,
    creator_id,
    describe_document,
    file_sha256,
    folder_uuid,
    iso_local,
    iter_items,
    journal_dates,
    municipality_name,
    pinned,
    records_for,
    screening_of,
    serialise,
    stable_uuid,
    sub,
    validate_file,
    validate_tree,
    xml_text,
)
from ordstyrer.archive.exporters.noark5_addml import addml_description
from ordstyrer.archive.models import ArchiveRecord, ScreeningReason
from ordstyrer.archive.screening import (
    DEPOSIT_MASK,
    DEPOSIT_PARTY,
    DEPOSIT_TITLE,
    RESTRICTED,
    SHIELDED_NAME,
    TITLE,
    WHOLE_DOCUMENT,
    ScreeningContext,
    deposit_metadata,
    deposit_public_title,
    masked_at_export,
    screening_rules,
)

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
NS_LOG = "http://www.arkivverket.no/standarder/noark5/endringslogg"
NS_LJ = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
NS_OJ = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
SCHEMA_FILES = ("arkivstruktur", "endringslogg", "loependeJournal", "offentligJournal")
# The private party's codes: its name is the one the public journal withholds.
PRIVATE_PARTY = frozenset({"EA", "EM"})


class PostNumbers:
    """journalpostnummer (M015, the order of the journal posts in their case folder): a
    record's rank among all the records of its group and year in the archive chain, by
    record number — not its place in this export, so a record keeps its number in every
    deposit, whatever period it is exported in. A record archived later has a higher
    number and so comes last in its folder; records are never removed (AR-3).

    Two queries per folder, not one per record: the records of the group and year before
    the folder's first record in this export, and those between its first and last that
    the export leaves out (archived outside the period: normally none)."""

    def __init__(self, municipality: Any, period: Period, category: int, year: int, first: int):
        kinds = [kind for kind, group in CATEGORY.items() if group == category]
        chain = ArchiveRecord.objects.filter(
            municipality=municipality,
            kind__in=kinds,
            archived_at__gte=datetime(year, 1, 1, tzinfo=OSLO),
            archived_at__lt=datetime(year + 1, 1, 1, tzinfo=OSLO),
        )
        self.before = chain.filter(sequence__lt=first).count()
        start, end = period.bounds()
        in_period = Q(archived_at__gte=start, archived_at__lt=end)
        exported = chain.filter(in_period)  # as `records_for` selects them
        if period.through is not None:
            exported = exported.filter(sequence__lte=period.through)
        last = exported.aggregate(last=Max("sequence"))["last"] or first
        self.outside = list(
            chain.filter(sequence__gt=first, sequence__lt=last)
            .exclude(in_period)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        self.exported = 0

    def next(self, sequence: int) -> int:
        """The number of the folder's next record in this export (in record order)."""
        self.exported += 1
        return self.before + self.exported + bisect_left(self.outside, sequence)


@dataclass
class Folder:
    category: int
    year: int
    numbers: PostNumbers
    posts: int = 0  # in this export

    @property
    def number(self) -> int:
        """sakssekvensnummer (M012): a fixed number per group, the same in every deposit
        and never another group's, as the folder's systemID is (`folder_uuid`)."""
        return self.category

    @property
    def mappe_id(self) -> str:
        return f"{self.year}/{self.number}"

    @property
    def title(self) -> str:
        return f"{CATEGORY_TITLE[self.category]} {self.year}"

    def closed_at(self, period: Period) -> datetime:
        """avsluttetDato (M602: "Skal ikke kunne endres"; the schema and a closed arkivdel
        make it obligatory): the end of the folder's year, or of the deposited period
        when the year goes on after it — the folder then continues, under the same
        systemID, in the next period's deposit. Never when the package is made: the
        same folder in the same period has the same closing date in every deposit, and
        it is never before one of its records (they are archived in the year and the
        period)."""
        last = min(date(self.year, 12, 31), period.until)
        return datetime.combine(last, time(23, 59, 59), tzinfo=OSLO)


@dataclass
class Tally:
    folders: list[Folder] = field(default_factory=list)
    placement: dict[int, tuple[int, int]] = field(default_factory=dict)  # record id → (folder, nr)
    documents: int = 0
    confidential: bool = False  # any registrering carries <skjerming>
    screened: int = 0
    # Public titles stored with a national identity number in clear that the export
    # masked (PU-1, `screening.export_public_title`): said in LES-MEG.txt.
    masked_titles: int = 0
    converted: int = 0  # files converted to an archive format
    omitted: int = 0  # files left out: no archive format could be made of them
    # First and last creation date of a registrering: the journals' period (N5.60).
    first: date | None = None
    last: date | None = None

    def dated(self, day: date) -> None:
        self.first = day if self.first is None else min(self.first, day)
        self.last = day if self.last is None else max(self.last, day)


def _leaf(xf, tag: str, text: object) -> None:
    with xf.element(tag):
        xf.write(str(text))


def _el(parent: etree._Element, tag: str, text: object | None = None, ns: str = NS):
    return sub(parent, tag, text, ns=ns)


def omission_note(omission: Omission) -> str:
    """The merknad on a journalpost one of whose files is not in the package."""
    return (
        f"Vedlegg {omission.position} «{omission.name}» er ikke med i uttrekket: "
        f"{omission.reason}. Journalpostens PDF/A-dokument oppgir filens navn, type, "
        f"størrelse og SHA-256-sjekksum ({omission.sha256}); se konverteringslogg.txt."
    )


def journalpost(item: Item, folder: Folder, number: int, made: datetime, by: str) -> etree._Element:
    post = etree.Element(f"{{{NS}}}registrering", nsmap={None: NS, "xsi": XSI})
    post.set(f"{{{XSI}}}type", "journalpost")
    _el(post, "systemID", item.uuid("registrering"))
    _el(post, "opprettetDato", iso_local(item.record.archived_at))
    _el(post, "opprettetAv", item.actor)
    # M604/M605: when and by whom the record was archived (frozen), not this export.
    _el(post, "arkivertDato", iso_local(item.record.archived_at))
    _el(post, "arkivertAv", item.actor)
    screening = item.screening
    if screening is not None:
        shield = _el(post, "skjerming")
        _el(shield, "tilgangsrestriksjon", RESTRICTED)
        _el(shield, "skjermingshjemmel", screening.authority)
        for name in deposit_metadata(screening, [code for code, _name in item.parties()]):
            _el(shield, "skjermingMetadata", name)
        _el(shield, "skjermingDokument", WHOLE_DOCUMENT)
    for document in item.documents:
        description = describe_document(NS, post, item, document)
        for version, obj in enumerate(document.objects, start=1):
            entry = _el(description, "dokumentobjekt")
            _el(entry, "systemID", item.object_uuid(document, version, obj))
            _el(entry, "versjonsnummer", 1)
            _el(entry, "variantformat", VARIANT[obj.variant])
            _el(entry, "format", obj.pronom[0])
            _el(entry, "formatDetaljer", obj.pronom[1])
            _el(entry, "opprettetDato", iso_local(item.record.archived_at))
            _el(entry, "opprettetAv", item.actor)
            _el(entry, "referanseDokumentfil", obj.name)
            _el(entry, "sjekksum", obj.sha256)
            _el(entry, "sjekksumAlgoritme", "SHA256")
            _el(entry, "filstoerrelse", len(obj.data))
            if obj.conversion is not None:
                # Noark 5: a conversion to an archive format is logged on the object.
                conversion = _el(entry, "konvertering")
                _el(conversion, "konvertertDato", iso_local(made))
                _el(conversion, "konvertertAv", by)
                _el(conversion, "konvertertFraFormat", obj.conversion.from_format[0])
                _el(conversion, "konvertertTilFormat", obj.pronom[0])
                _el(conversion, "konverteringsverktoey", obj.conversion.tool)
                _el(conversion, "konverteringskommentar", obj.conversion.comment)
    _el(post, "tittel", item.record.title)
    _el(post, "offentligTittel", deposit_public_title(item.record.public_title))
    for omission in item.omitted:
        note = _el(post, "merknad")
        _el(note, "merknadstekst", omission_note(omission))
        _el(note, "merknadsdato", iso_local(made))
        _el(note, "merknadRegistrertAv", by)
    for code, name in item.parties():
        party = _el(post, "korrespondansepart")
        _el(party, "korrespondanseparttype", PARTTYPE[code])
        _el(party, "korrespondansepartNavn", name)
    _el(post, "journalaar", item.year)
    _el(post, "journalsekvensnummer", item.sequence)
    _el(post, "journalpostnummer", number)
    journal_dates(NS, post, item)
    if item.direction == "I":
        _el(post, "mottattDato", iso_local(item.created_at))
    elif item.direction == "U":
        _el(post, "sendtDato", iso_local(item.created_at))
    _el(post, "antallVedlegg", len(item.documents) - 1)
    return post


class _Structure:
    """Writes arkivstruktur.xml as the records stream past, folder by folder."""

    def __init__(
        self,
        options: ExportOptions,
        path: Path,
        result: ExportResult,
        screening: ScreeningContext,
    ) -> None:
        self.options = options
        self.screening = screening
        self.path = path
        self.result = result
        self.made: datetime = options.now  # type: ignore[assignment]
        self.tally = Tally()
        self.log_path = path.parent / f"{CONVERSION_LOG}.partial"

    def write(self) -> Tally:
        options, municipality = self.options, self.options.municipality
        start, _end = options.period.bounds()
        with (
            self.log_path.open("w", encoding="utf-8", newline="\n") as log,
            etree.xmlfile(str(self.path), encoding="utf-8") as xf,
        ):
            log.write(conversion_log_head(options))
            xf.write_declaration()
            with xf.element(f"{{{NS}}}arkiv", nsmap={None: NS, "xsi": XSI}):
                _leaf(xf, "systemID", stable_uuid("arkiv", municipality.pk))
                _leaf(xf, "tittel", f"{municipality_name(municipality)} – sosiale medier")
                _leaf(xf, "arkivstatus", "Avsluttet")
                _leaf(xf, "opprettetDato", iso_local(start))
                _leaf(xf, "opprettetAv", SYSTEM)
                _leaf(xf, "avsluttetDato", iso_local(self.made))
                _leaf(xf, "avsluttetAv", options.requested_by)
                with xf.element("arkivskaper"):
                    _leaf(xf, "arkivskaperID", creator_id(municipality))
                    _leaf(xf, "arkivskaperNavn", municipality_name(municipality))
                with xf.element("arkivdel"):
                    self._arkivdel(xf, start, log)
        return self.tally

    def _arkivdel(self, xf, start: datetime, log: TextIO) -> None:
        options = self.options
        _leaf(xf, "systemID", self.arkivdel_id)
        _leaf(xf, "tittel", f"Sosiale medier {options.period.label()}")
        _leaf(xf, "arkivdelstatus", "Avsluttet periode")
        _leaf(xf, "opprettetDato", iso_local(start))
        _leaf(xf, "opprettetAv", SYSTEM)
        _leaf(xf, "avsluttetDato", iso_local(self.made))
        _leaf(xf, "avsluttetAv", options.requested_by)
        _leaf(xf, "arkivperiodeStartDato", options.period.since.isoformat())
        _leaf(xf, "arkivperiodeSluttDato", options.period.until.isoformat())
        folder_ctx = None
        current: Folder | None = None
        try:
            for item in iter_items(
                options.municipality,
                options.period,
                prefix=_document_prefix,
                archive_only=True,
                screening=self.screening,
            ):
                key = (item.category, item.year)
                if current is None or (current.category, current.year) != key:
                    if folder_ctx is not None and current is not None:  # (set together)
                        self._close_folder(xf, folder_ctx, current)
                    current, folder_ctx = self._open_folder(xf, item)
                current.posts += 1
                self._post(xf, item, current, log)
            if folder_ctx is not None and current is not None:
                self._close_folder(xf, folder_ctx, current)
        except BaseException:
            if folder_ctx is not None:
                folder_ctx.__exit__(None, None, None)
            raise

    @property
    def arkivdel_id(self) -> str:
        period = self.options.period
        return stable_uuid("arkivdel", self.options.municipality.pk, period.since, period.until)

    def _open_folder(self, xf, item: Item):
        numbers = PostNumbers(
            self.options.municipality, self.options.period, item.category, item.year, item.sequence
        )
        folder = Folder(item.category, item.year, numbers)
        self.tally.folders.append(folder)
        ctx = xf.element("mappe", {f"{{{XSI}}}type": "saksmappe"})
        ctx.__enter__()
        _leaf(xf, "systemID", folder_uuid(self.options.municipality.pk, item.category, item.year))
        _leaf(xf, "mappeID", folder.mappe_id)
        _leaf(xf, "tittel", folder.title)
        _leaf(xf, "offentligTittel", folder.title)
        # The folder's own date, as its saksdato and in the arkivmelding: not its first
        # record in this export, which differs from one deposit to the next (M600).
        _leaf(xf, "opprettetDato", iso_local(datetime(item.year, 1, 1, tzinfo=OSLO)))
        _leaf(xf, "opprettetAv", SYSTEM)
        # Closed by the rule of `Folder.closed_at` (the year or the period ends), not by
        # the person who ordered this deposit: stable from one deposit to the next (M602,
        # M603).
        _leaf(xf, "avsluttetDato", iso_local(folder.closed_at(self.options.period)))
        _leaf(xf, "avsluttetAv", SYSTEM)
        return folder, ctx

    def _close_folder(self, xf, ctx, folder: Folder) -> None:
        _leaf(xf, "saksaar", folder.year)
        _leaf(xf, "sakssekvensnummer", folder.number)
        _leaf(xf, "saksdato", f"{folder.year}-01-01")
        _leaf(xf, "administrativEnhet", municipality_name(self.options.municipality))
        _leaf(xf, "saksansvarlig", self.options.requested_by)
        _leaf(xf, "saksstatus", "Avsluttet")
        ctx.__exit__(None, None, None)

    def _post(self, xf, item: Item, folder: Folder, log: TextIO) -> None:
        for document in item.documents:
            for obj in document.objects:
                self.result.add(obj.name, obj.data)
                self.tally.documents += 1
        number = folder.numbers.next(item.sequence)
        xf.write(journalpost(item, folder, number, self.made, self.options.requested_by))
        xf.flush()
        converted, omitted = log_conversions(log, item)
        self.tally.converted += converted
        self.tally.omitted += omitted
        self.tally.placement[item.record.pk] = (len(self.tally.folders) - 1, number)
        self.tally.confidential |= item.screening is not None
        self.tally.screened += item.screening is not None
        self.tally.masked_titles += masked_at_export(item.record.public_title)
        self.tally.dated(item.archived_at.date())  # the registrering's opprettetDato
        self.result.records += 1
        if self.options.progress:
            self.options.progress(1)


CONVERSION_LOG = "konverteringslogg.txt"
CONVERSION_LOG_HEAD = """# Konverteringslogg for Noark 5-arkivuttrekk fra Ordstyrer
# Kommune: {municipality}
# Laget: {made} av {by}
# Konverteringsverktøy: {tool}
#
# Bare arkivformater er med i DOKUMENT/. Hver linje under er en fil som ikke var i et
# arkivformat da uttrekket ble laget:
# - «konvertert»: filen er konvertert til arkivformatet i «til format» og ligger i «til fil»;
#   dokumentobjektet har <konvertering> i arkivstruktur.xml.
# - «ikke avlevert»: filen kunne ikke konverteres og er ikke med; journalposten har
#   <merknad> med årsaken, og journalpostens PDF/A-dokument oppgir filens navn, type,
#   størrelse og SHA-256-sjekksum.
# Formatene er PRONOM-identifikatorer (av/0 = ukjent). Kolonnene er skilt med tabulator.
handling\tjournalsekvensnummer\tdokument\tmimetype\tfra format\tSHA-256 fra\ttil fil\t\
til format\tSHA-256 til\tkommentar eller årsak
"""


def conversion_log_head(options: ExportOptions) -> str:
    return CONVERSION_LOG_HEAD.format(
        municipality=municipality_name(options.municipality),
        made=iso_local(options.now),  # type: ignore[arg-type]
        by=options.requested_by,
        tool=CONVERSION_TOOL,
    )


def _cell(value: object) -> str:
    return " ".join(str(value).split()) or "–"  # one line, no tabs


def log_conversions(log: TextIO, item: Item) -> tuple[int, int]:
    """The log's lines for one record's files that were not in an archive format;
    returns how many were converted and how many left out."""
    converted = 0
    for document in item.documents:
        for obj in document.objects:
            if obj.conversion is None:
                continue
            converted += 1
            origin = obj.conversion.from_format
            row = (
                "konvertert",
                item.sequence,
                document.title,
                obj.conversion.from_mime,
                f"{origin[0]} {origin[1]}",
                obj.conversion.from_sha256,
                obj.name,
                f"{obj.pronom[0]} {obj.pronom[1]}",
                obj.sha256,
                obj.conversion.comment,
            )
            log.write("\t".join(_cell(v) for v in row) + "\n")
    for omission in item.omitted:
        row = (
            "ikke avlevert",
            item.sequence,
            f"Vedlegg {omission.position}: {omission.name}",
            omission.mime,
            f"{omission.format[0]} {omission.format[1]}",
            omission.sha256,
            "–",
            "–",
            "–",
            omission.reason,
        )
        log.write("\t".join(_cell(v) for v in row) + "\n")
    return converted, len(item.omitted)


def _document_prefix(record: ArchiveRecord) -> str:
    return f"DOKUMENT/{record.sequence:06d}/"


def _write_journals(
    options: ExportOptions, tally: Tally, out: Path, screening: ScreeningContext
) -> tuple[Path, Path]:
    """loependeJournal.xml and offentligJournal.xml in journal order (by number): the
    records of the structure's pass, as `options.period` is pinned (AR-2)."""
    records = records_for(options.municipality, options.period).order_by("sequence")
    paths = (out / "loependeJournal.xml.partial", out / "offentligJournal.xml.partial")
    count = records.count()
    with (
        etree.xmlfile(str(paths[0]), encoding="utf-8") as running,
        etree.xmlfile(str(paths[1]), encoding="utf-8") as public,
    ):
        running.write_declaration()
        public.write_declaration()
        with (
            running.element(f"{{{NS_LJ}}}loependeJournal", nsmap={None: NS_LJ}),
            public.element(f"{{{NS_OJ}}}offentligJournal", nsmap={None: NS_OJ}),
        ):
            # The period the journals actually cover: the first and last registrering
            # (Arkade N5.60 compares them when the period separation is sharp).
            first = tally.first or options.period.since
            last = tally.last or options.period.until
            for xf in (running, public):
                with xf.element("journalhode"):
                    _leaf(xf, "journalStartDato", first.isoformat())
                    _leaf(xf, "journalSluttDato", last.isoformat())
                    _leaf(xf, "antallJournalposter", count)
                    with xf.element("arkivskaper"):
                        _leaf(xf, "arkivskaperID", creator_id(options.municipality))
                        _leaf(xf, "arkivskaperNavn", municipality_name(options.municipality))
            for record in records.iterator(chunk_size=500):
                folder_index, number = tally.placement[record.pk]
                folder = tally.folders[folder_index]
                body = json.loads(record.canonical)
                item = Item(
                    record=record,
                    body=body,
                    documents=[],
                    screening=screening_of(screening, record, body),
                )
                running.write(_journal_entry(item, folder, number, public=False))
                public.write(_journal_entry(item, folder, number, public=True))
    return paths


def _journal_entry(item: Item, folder: Folder, number: int, *, public: bool) -> etree._Element:
    """One journal entry. Only elements of the Noark 5 v5.0 journal schemas as released
    (2019) are written — not `mappeID` and the other elements the 2023 maintenance
    schemas added — so the journals validate against both (see LES-MEG.txt)."""
    ns = NS_OJ if public else NS_LJ
    entry = etree.Element(f"{{{ns}}}journalregistrering", nsmap={None: ns})
    screening = item.screening
    case = _el(entry, "saksmappe", ns=ns)
    _el(case, "saksaar", folder.year, ns=ns)
    _el(case, "sakssekvensnummer", folder.number, ns=ns)
    if not public:
        _el(case, "tittel", folder.title, ns=ns)
    _el(case, "offentligTittel", folder.title, ns=ns)
    post = _el(entry, "journalpost", ns=ns)
    _el(post, "systemID", item.uuid("registrering"), ns=ns)
    _el(post, "journalaar", item.year, ns=ns)
    _el(post, "journalsekvensnummer", item.sequence, ns=ns)
    _el(post, "journalpostnummer", number, ns=ns)
    if not public:
        _el(post, "tittel", item.record.title, ns=ns)
    _el(post, "offentligTittel", deposit_public_title(item.record.public_title), ns=ns)
    if screening is not None and TITLE in screening.metadata:
        _el(post, "skjermingMetadata", DEPOSIT_TITLE, ns=ns)
    _el(post, "journaldato", item.archived_at.date().isoformat(), ns=ns)
    _el(post, "dokumentetsDato", item.created_at.date().isoformat(), ns=ns)
    if screening is not None:
        _el(post, "tilgangsrestriksjon", RESTRICTED, ns=ns)
        _el(post, "skjermingshjemmel", screening.authority, ns=ns)
    for code, name in item.parties():
        party = _el(post, "korrespondansepart", ns=ns)
        _el(party, "korrespondanseparttype", PARTTYPE[code], ns=ns)
        # The public journal never names private persons (offentleglova § 13, GDPR art. 5);
        # the withheld name is declared on the party and the registrering.
        hidden = screening is not None and screening.names_hidden and code in PRIVATE_PARTY
        _el(party, "korrespondansepartNavn", SHIELDED_NAME if public and hidden else name, ns=ns)
        if hidden and not public:  # the public journal's party has no skjermingMetadata
            _el(party, "skjermingMetadata", DEPOSIT_PARTY[code], ns=ns)
    return entry


README = """Noark 5-arkivuttrekk fra Ordstyrer
Kommune: {municipality}
Uttrekksperiode: {period} (journalene dekker {first}–{last}, første og siste journaldato)
Laget: {made} av {by}
Journalposter: {records}, dokumentfiler: {documents}, skjermede registreringer: {screened}

Skjemaversjoner
- arkivstruktur.xml, endringslogg.xml, loependeJournal.xml, offentligJournal.xml: Noark 5 versjon 5.0.
  Skjemafilene i pakken er Arkivverkets offisielle v5.0-skjemaer med vedlikeholdsrettelsene
  fra 2023-11-09 («5.5.0 Vedlikehold»), uendret.
- Journalene bruker bare elementer som finnes i v5.0-journalskjemaene slik de ble utgitt i
  2019 (blant annet ikke saksmappe/mappeID, som vedlikeholdsskjemaene la til). De er derfor
  gyldige både mot skjemaene i pakken og mot v5.0-skjemaene i Arkade 5 (test N5.03).
- arkivuttrekk.xml: ADDML 8.3 etter Riksarkivets mal for Noark 5-uttrekk.

Formatkoder (Arkade 5 test N5.29)
Elementet «format» i hvert dokumentobjekt har PRONOM-identifikatoren som Noark 5 krever
(M701), ikke filendelsen: fmt/477 = PDF/A-2b (.pdf), fmt/43 = JPEG (.jpg), fmt/13 = PNG (.png),
fmt/353 = TIFF (.tif), fmt/199 = MPEG-4 (.mp4), fmt/134 = MP3 (.mp3). «formatDetaljer» gir
navnet. Arkade 5 sammenligner format med filendelsen og melder derfor avvik for hver fil i
N5.29; det er ventet og ikke en feil i uttrekket.

Konvertering til arkivformat
Bare arkivformater er med i DOKUMENT/, og Noark 5 krever at hver konvertering logges.
Vedlegg i andre bildeformater (GIF, WebP, BMP …) er konvertert til PNG med {tool} da
uttrekket ble laget, uten tap av bildepunkter (må fargemodellen endres, sier
konverteringskommentaren det); av et animert bilde er bare det første bildet bevart.
Dokumentobjektet er da PNG-filen, med sjekksummen til PNG-filen, og har <konvertering>
med fra- og til-format (PRONOM), dato, hvem og verktøy. Filer som ikke kan konverteres
(video i andre formater enn MPEG-4, skadede bilder) er ikke med: journalposten har en
<merknad> med årsaken, og journalpostens PDF/A-dokument oppgir filens navn, type,
størrelse og SHA-256. konverteringslogg.txt har en linje for hver av dem.
Konverterte filer: {converted}, filer som ikke er avlevert: {omitted}

Skjerming
Registreringer der noe holdes tilbake fra offentligheten (innbyggerens navn i offentlig
journal, personopplysninger i tittelen, saker anmeldt til politiet) har <skjerming> med
tilgangsrestriksjon «{restricted}», skjermingshjemmel og skjermingMetadata med verdiene
i metadatakatalogen (M502): «{title}» når ord i tittelen er
skjermet (de er erstattet med {mask} i offentligTittel), «{sender}» og
«{recipient}» når innbyggerens navn er skjermet. Hjemlene kommer fra kommunens
skjermingstabell i Ordstyrer:
{rules}

Offentlige titler maskert ved eksport: {masked_titles}
Arkivposter endres aldri etter at de er lagret. Et fødselsnummer eller D-nummer i en
offentlig tittel skal være maskert da posten ble arkivert, men gjenkjenningen er
utvidet over tid (for eksempel nummer rett etter «f.nr.» eller et komma uten
mellomrom, og nummer med hardt mellomrom). En offentlig tittel som ble lagret med et slikt nummer i klartekst,
er derfor maskert når uttrekket ble laget: nummeret vises som {mask}12345 (bare de fem
siste sifrene) i offentligTittel i arkivstruktur.xml og i begge journalene, og
registreringen har <skjerming> med «{title}». Arkivposten i Ordstyrer er uendret.

Saksnummer og journalpostnummer
Hver gruppe har én saksmappe per år med et fast sakssekvensnummer (mappeID år/nummer:
1 slettet og skjult innhold, 2 henvendelser og svar, 3 modereringsnotater, 4 kommunens
innlegg). Journalpostnummeret er postens plass blant alle arkivpostene i gruppen og året,
i arkivnummerorden. Begge er de samme i hvert uttrekk, uansett periode, og det er også
hver systemID; arkivertDato og arkivertAv er da posten ble arkivert og av hvem.
Saksmappens avsluttetDato er årets siste sekund, eller uttrekksperiodens siste sekund
når året fortsetter etter perioden (mappen fortsetter da i neste periodes uttrekk, med
samme systemID); avsluttetAv er {system}. Den er den samme i hvert uttrekk av perioden,
uansett når uttrekket lages.

Avleveringspakken er kontrollert med «ordstyrer archive check-deposit» før den ble levert.
SHA256SUMS har sjekksummen til hver fil (kontroller med «sha256sum -c SHA256SUMS»).
"""


def cover_note(options: ExportOptions, tally: Tally, result: ExportResult) -> bytes:
    rules = screening_rules(municipality=options.municipality)
    return README.format(
        municipality=municipality_name(options.municipality),
        period=options.period.label(),
        first=(tally.first or options.period.since).isoformat(),
        last=(tally.last or options.period.until).isoformat(),
        made=iso_local(options.now),  # type: ignore[arg-type]
        by=options.requested_by,
        records=result.records,
        documents=tally.documents,
        screened=tally.screened,
        masked_titles=tally.masked_titles,
        tool=CONVERSION_TOOL,
        converted=tally.converted,
        omitted=tally.omitted,
        system=SYSTEM,
        restricted=RESTRICTED,
        title=DEPOSIT_TITLE,
        mask=DEPOSIT_MASK,
        sender=DEPOSIT_PARTY["EA"],
        recipient=DEPOSIT_PARTY["EM"],
        rules="\n".join(
            f"- {reason.label}: {xml_text(rules[reason][1])}" for reason in ScreeningReason
        ),
    ).encode("utf-8")


def changes(options: ExportOptions, arkivdel_id: str) -> etree._Element:
    """The change log. Records never change (AR-3); the one change the export makes is
    closing the period: the arkivdel goes from active to closed when it is extracted."""
    log = etree.Element(f"{{{NS_LOG}}}endringslogg", nsmap={None: NS_LOG})
    change = _el(log, "endring", ns=NS_LOG)
    _el(change, "referanseArkivenhet", arkivdel_id, ns=NS_LOG)
    _el(change, "referanseMetadata", "arkivdelstatus", ns=NS_LOG)
    _el(change, "endretDato", iso_local(options.now), ns=NS_LOG)  # type: ignore[arg-type]
    _el(change, "endretAv", options.requested_by, ns=NS_LOG)
    _el(change, "tidligereVerdi", "Aktiv periode", ns=NS_LOG)
    _el(change, "nyVerdi", "Avsluttet periode", ns=NS_LOG)
    return log


def _finish(result: ExportResult, partial: Path, name: str, schema_name: str) -> str:
    validate_file(partial, schema_name)
    final = result.out_dir / name
    os.replace(partial, final)
    digest = file_sha256(final)
    result.record_file(name, final.stat().st_size, digest)
    return digest


def export(options: ExportOptions) -> ExportResult:
    # The structure and the journals are two passes over the records: both see the
    # records (and the screening) as they were when the export started, so a record
    # archived meanwhile is in neither, not in the journals without a folder (AR-2).
    options = replace(options, period=pinned(options.municipality, options.period))
    screening = ScreeningContext(options.municipality)
    out = options.out_dir
    result = ExportResult(out_dir=out)
    try:
        structure = _Structure(options, out / "arkivstruktur.xml.partial", result, screening)
        tally = structure.write()
        os.replace(structure.log_path, out / CONVERSION_LOG)
        result.record_file(
            CONVERSION_LOG,
            (out / CONVERSION_LOG).stat().st_size,
            file_sha256(out / CONVERSION_LOG),
        )
        sums = {
            "arkivstruktur.xml": _finish(
                result, structure.path, "arkivstruktur.xml", "arkivstruktur"
            )
        }
        running, public = _write_journals(options, tally, out, screening)
        sums["loependeJournal.xml"] = _finish(
            result, running, "loependeJournal.xml", "loependeJournal"
        )
        sums["offentligJournal.xml"] = _finish(
            result, public, "offentligJournal.xml", "offentligJournal"
        )
        log = changes(options, structure.arkivdel_id)
        validate_tree(log, "endringslogg")
        sums["endringslogg.xml"] = result.add("endringslogg.xml", serialise(log))
        for name in ("metadatakatalog", *SCHEMA_FILES):
            source = SCHEMA_DIR / "noark5-arkivuttrekk-v5.0" / f"{name}.xsd"
            sums[f"{name}.xsd"] = result.add(f"{name}.xsd", source.read_bytes())
        sums["addml.xsd"] = result.add("addml.xsd", (SCHEMA_DIR / SCHEMAS["addml"]).read_bytes())
        description = addml_description(options, tally, sums)
        validate_tree(description, "addml")
        result.add("arkivuttrekk.xml", serialise(description))
        result.add("LES-MEG.txt", cover_note(options, tally, result))
    except BaseException:
        result.close()
        for leftover in out.glob("*.partial"):
            leftover.unlink()
        raise
    result.close()
    # A deposit is finished only when the Arkade-style checks pass (AR-2); otherwise the
    # export fails and run_export removes the package.
    report = check_deposit(out)
    if not report.ok:
        failed = "; ".join(f"{c.test}: {c.errors[0]}" for c in report.failed)
        raise ExportError(f"Avleveringspakken består ikke kontrollen og er ikke levert ({failed}).")
    result.checks = len(report.checks)
    return result
