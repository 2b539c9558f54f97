"""An Arkade-style self-check of a Noark 5 deposit package (AR-2).

Written from the test definitions Arkivverket publishes for Arkade 5 (the N5 tests:
what each one reads and when it reports an error), not from Ordstyrer's exporter, so
it catches what the exporter gets wrong. The tests that can fail a deposit:

    N5.01  the package's files exist (the XML files, their schemas, what ADDML names)
    N5.02  the checksums ADDML gives for the XML and XSD files are true
    N5.03  every XML file validates against its schema; the schemas are Arkivverket's;
           the journals use nothing Arkade 5's v5.0 journal schemas lack
    N5.10/16/59/61  the counts ADDML gives (mappe, registrering, journalregistrering,
           endring) are the counts in the files
    N5.28  antallDokumentfiler is the number of files under DOKUMENT/
    N5.30/32/33/64  every document file is referenced, exists, has the documented
           checksum and size, and is not empty
    N5.42  inneholderSkjermetInformasjon agrees with the <skjerming> found
    N5.47  systemID is unique in arkivstruktur.xml
    N5.59  the journals' heads give the same number of journal posts, and (sharp
           period) as many as arkivstruktur.xml has
    N5.60  the journals' period is the same in both, and (sharp period) the first and
           last creation date of a registrering
    N5.62  the change log refers to units that exist
    Skjerming  whatever the public journal withholds is declared on the registrering,
           with the same tilgangsrestriksjon and skjermingshjemmel in every file, in
           the metadata catalogue's values (M500 tilgangsrestriksjon, M502
           skjermingMetadata: a withheld sender's or recipient's name as «Skjerming
           navn avsender»/«… mottaker», a masked title — words replaced with ******,
           M025 — as «Skjerming tittel registrering - utvalgte ord»); no public title
           (offentligTittel) shows a national identity number (PU-1)

A title is masked where the journal post says so (its skjermingMetadata «Skjerming
tittel registrering - utvalgte ord», the recorded masking), not wherever ****** stands
in it: a citizen may write six asterisks, and a public title that really has them is
text, not a masking. What masking must never leave is checked directly: a public title
with a fødselsnummer or D-number in clear fails, whatever it declares.

N5.29 (format codes against file extensions) is information only: the format element
holds PRONOM identifiers, as Noark 5 requires.

Every file is streamed (iterparse, each record freed once read) and what the checks
compare across files — every systemID, the document files referenced and found, the
screening of each registrering and journal post — goes into a scratch SQLite file
beside the package, compared by queries (`_Scratch`): the check's memory does not grow
with the deposit, so the export that runs it stays within its 256 MB for 100,000
records (AR-2).

    report = check_deposit(Path("uttrekk"))
    report.ok; print(report.text())
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from ordstyrer.language.masking import has_national_id

NS_ADDML = "http://www.arkivverket.no/standarder/addml"
NS = {
    "arkivstruktur": "http://www.arkivverket.no/standarder/noark5/arkivstruktur",
    "endringslogg": "http://www.arkivverket.no/standarder/noark5/endringslogg",
    "loependeJournal": "http://www.arkivverket.no/standarder/noark5/loependeJournal",
    "offentligJournal": "http://www.arkivverket.no/standarder/noark5/offentligJournal",
}
XML_FILES = ("arkivstruktur", "endringslogg", "loependeJournal", "offentligJournal")
SCHEMA_FILES = (
    "addml.xsd",
    "arkivstruktur.xsd",
    "metadatakatalog.xsd",
    "endringslogg.xsd",
    "loependeJournal.xsd",
    "offentligJournal.xsd",
)
OFFICIAL_DIR = Path(__file__).resolve().parent / "schemas"
OFFICIAL = {
    "addml.xsd": OFFICIAL_DIR / "addml-8.3" / "addml.xsd",
    **{
        name: OFFICIAL_DIR / "noark5-arkivuttrekk-v5.0" / name
        for name in SCHEMA_FILES
        if name != "addml.xsd"
    },
}
# Elements the 2023 maintenance schemas («5.5.0 Vedlikehold», listed in each schema's
# own change notes) added to the journals; Arkade 5 validates against v5.0 as released.
ADDED_2023 = {
    "loependeJournal": {
        "saksmappe": {"mappeID", "administrativEnhet", "saksansvarlig", "referanseArkivdel"},
        "journalpost": {
            "registreringsID",
            "antallVedlegg",
            "offentlighetsvurdertDato",
            "administrativEnhet",
            "saksbehandler",
            "journalenhet",
        },
    },
    "offentligJournal": {
        "saksmappe": {
            "mappeID",
            "administrativEnhet",
            "saksansvarlig",
            "tilgangsrestriksjon",
            "skjermingshjemmel",
        },
        "journalpost": {"registreringsID", "administrativEnhet", "saksbehandler"},
    },
}
SHIELDED_NAME = "Skjermet"
# The catalogue's values (noark5-standard vedlegg 1): M500, with its obligatory value
# first, and M502; a deposit delivers no codes.
ACCESS_VALUES = ("Unntatt offentlighet", "Personalsaker", "Klientsaker")
SCREENING_VALUES = frozenset(
    {
        "Skjerming klasseID",
        "Skjerming tittel klasse",
        "Skjerming tittel mappe - unntatt første linje",
        "Skjerming tittel mappe - utvalgte ord",
        "Skjerming navn part i sak",
        "Skjerming tittel registrering - unntatt første linje",
        "Skjerming tittel registrering - utvalgte ord",
        "Skjerming navn avsender",
        "Skjerming navn mottaker",
        "Skjerming tittel dokumentbeskrivelse",
        "Skjerming merknadstekst",
        "Midlertidig skjerming",
    }
)
TITLE_SCREENED = frozenset(
    {
        "Skjerming tittel registrering - unntatt første linje",
        "Skjerming tittel registrering - utvalgte ord",
        "Midlertidig skjerming",
    }
)
# A withheld party's name by its korrespondanseparttype: a bit per M502 value.
SENDER, RECIPIENT = 1, 2
NAME_VALUES = {SENDER: "Skjerming navn avsender", RECIPIENT: "Skjerming navn mottaker"}
MAX_LINES = 5
# Public titles showing a national identity number, kept per file to name in the report
# (the count goes on; the ids kept stay few, whatever the deposit's size).
MAX_LEAKS = 20


@dataclass
class Check:
    test: str
    title: str
    errors: list[str] = field(default_factory=list)
    info: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class DepositReport:
    path: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def text(self) -> str:
        lines = [_("Kontroll av avleveringspakken %(path)s") % {"path": self.path}]
        for check in self.checks:
            status = _("OK") if check.ok else _("FEIL")
            line = f"{status:<5} {check.test:<9} {check.title}"
            if check.info:
                line += f" – {check.info}"
            lines.append(line)
            lines.extend(f"      · {error}" for error in check.errors[:MAX_LINES])
            if len(check.errors) > MAX_LINES:
                lines.append(
                    "      · " + _("og %(count)s til") % {"count": len(check.errors) - MAX_LINES}
                )
        passed = len(self.checks) - len(self.failed)
        if self.ok:
            lines.append(
                _("Resultat: alle %(count)s kontroller bestått – pakken kan avleveres.")
                % {"count": len(self.checks)}
            )
        else:
            lines.append(
                _(
                    "Resultat: %(passed)s av %(count)s kontroller bestått – "
                    "pakken kan ikke avleveres."
                )
                % {"passed": passed, "count": len(self.checks)}
            )
        return "\n".join(lines)


def _local(tag: object) -> str:
    """The local name of "{namespace}name" (called for every element read: a string cut
    costs a quarter of `etree.QName(tag).localname`); "" for comments and PIs."""
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksum(path: Path, algorithm: str) -> str:
    name = algorithm.replace("-", "").lower()
    if name not in hashlib.algorithms_available:
        raise ValueError(algorithm)
    if name == "sha256":
        return _sha256(path)
    digest = hashlib.new(name)
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _date(value: str) -> date | None:
    text = (value or "").strip()
    try:
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def _inside(root: Path, relative: str) -> Path | None:
    """`relative` resolved inside the package, or None when it points outside it."""
    path = (root / relative.replace("\\", "/")).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def _files(folder: str) -> Iterator[str]:
    """The files under `folder` as `Path.rglob("*")` finds them (symlinked folders are
    not entered), one at a time: rglob keeps every path it has given, and a deposit has
    a folder per record."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    yield from _files(entry.path)
                elif entry.is_file():
                    yield entry.path
    except PermissionError:
        return


# --- the scratch database ----------------------------------------------------------

# A table per fact the checks compare across files. The keyed tables keep the last
# row given for a key in the place of the first, as a dict would.
_TABLES = {
    "system_id": "id TEXT NOT NULL",  # every systemID in arkivstruktur.xml
    "referenced": "path BLOB NOT NULL",  # referanseDokumentfil (file names as bytes)
    "on_disk": "path BLOB NOT NULL",  # the files under DOKUMENT/
    "change_reference": "id TEXT NOT NULL",  # endringslogg's referanseArkivenhet
    # registrering systemID → its <skjerming>: the hjemmel and which metadata it names
    # (names: SENDER | RECIPIENT, as the values «Skjerming navn avsender/mottaker» say)
    "screening": "id TEXT PRIMARY KEY, code TEXT, authority TEXT, names INT, title INT",
    # journalpost systemID → hjemmel, whose names are withheld (SENDER | RECIPIENT),
    # whether the post declares its title masked (skjermingMetadata, the recorded masking)
    "loependeJournal": "id TEXT PRIMARY KEY, code TEXT, authority TEXT, hidden INT, masked INT",
    "offentligJournal": "id TEXT PRIMARY KEY, code TEXT, authority TEXT, hidden INT, masked INT",
}


class _Scratch:
    """The cross-file facts of one check in a scratch SQLite file: a 100,000-record
    deposit has some 300,000 system ids and 100,000 screenings and journal posts of
    each journal, which as Python sets and dicts made the export's peak 463–487 MB
    against its 256 MB goal. Rows are written in batches; the checks are queries."""

    BATCH = 2000

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.pending: dict[str, list[tuple[object, ...]]] = {name: [] for name in _TABLES}
        self.inserts: dict[str, str] = {}
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE"):
            connection.execute(f"PRAGMA {pragma}")
        for name, columns in _TABLES.items():
            connection.execute(f'CREATE TABLE "{name}" ({columns})')
            names = [column.split()[0] for column in columns.split(",")]
            # Only this module's table and column names go into the statement.
            insert = f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(names))})'  # noqa: S608
            if "PRIMARY KEY" in columns:
                insert += " ON CONFLICT(id) DO UPDATE SET " + ", ".join(
                    f"{n} = excluded.{n}" for n in names[1:]
                )
            self.inserts[name] = insert

    def add(self, table: str, *row: object) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= self.BATCH:
            self._write(table)

    def _write(self, table: str) -> None:
        rows = self.pending[table]
        if rows:
            self.connection.executemany(self.inserts[table], rows)
            rows.clear()

    def query(self, sql: str) -> Iterable[tuple]:
        for table in self.pending:
            self._write(table)
        return self.connection.execute(sql)


@contextmanager
def _scratch(root: Path) -> Iterator[_Scratch]:
    """A `_Scratch` in a temporary folder beside the package (a disk the export has just
    filled, not /tmp), or in the system's temporary folder when that is read-only."""
    parent = root.resolve().parent
    where = parent if os.access(parent, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix=".deposit-check-", dir=where) as folder:
        connection = sqlite3.connect(Path(folder) / "check.sqlite3")
        try:
            yield _Scratch(connection)
        finally:
            connection.close()


# --- ADDML -------------------------------------------------------------------------


def _prop(parent: etree._Element | None, name: str) -> etree._Element | None:
    if parent is None:
        return None
    for prop in parent.iterfind(f"{{{NS_ADDML}}}properties/{{{NS_ADDML}}}property"):
        if prop.get("name") == name:
            return prop
    return None


def _value(prop: etree._Element | None) -> str | None:
    if prop is None:
        return None
    return prop.findtext(f"{{{NS_ADDML}}}value")


@dataclass
class Addml:
    files: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sharp: bool = False
    screened: bool | None = None
    documents: int | None = None


def _read_addml(path: Path) -> Addml:
    tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    package = tree.find(f"{{{NS_ADDML}}}dataset/{{{NS_ADDML}}}dataObjects/{{{NS_ADDML}}}dataObject")
    addml = Addml()
    if package is None:
        return addml
    extra = _prop(_prop(package, "info"), "additionalInfo")
    period = _prop(extra, "periode")
    addml.sharp = (
        period is not None
        and _value(_prop(period, "inngaaendeSkille")) == "skarpt"
        and _value(_prop(period, "utgaaendeSkille")) == "skarpt"
    )
    screened = _value(_prop(extra, "inneholderSkjermetInformasjon"))
    addml.screened = None if screened is None else screened.strip() == "true"
    documents = _value(_prop(extra, "antallDokumentfiler"))
    addml.documents = int(documents) if documents and documents.strip().isdigit() else None
    children = package.find(f"{{{NS_ADDML}}}dataObjects")
    for entry in children if children is not None else []:
        if _local(entry.tag) != "dataObject":
            continue
        props = [_prop(entry, "file")]
        props.extend(
            _prop(schema, "file")
            for schema in entry.iterfind(f"{{{NS_ADDML}}}properties/{{{NS_ADDML}}}property")
            if schema.get("name") == "schema"
        )
        for file_prop in props:
            if file_prop is None:
                continue
            checksum = _prop(file_prop, "checksum")
            addml.files.append(
                (
                    _value(_prop(file_prop, "name")) or "",
                    _value(_prop(checksum, "algorithm")),
                    _value(_prop(checksum, "value")),
                )
            )
        info = _prop(entry, "info")
        if info is None:
            continue
        for count in info.iterfind(f"{{{NS_ADDML}}}properties/{{{NS_ADDML}}}property"):
            if count.get("name") != "numberOfOccurrences":
                continue
            element = (_value(count) or "").strip()
            number = _value(_prop(count, "value"))
            if element and number and number.strip().isdigit():
                addml.counts[f"{entry.get('name')}/{element}"] = int(number)
    return addml


# --- arkivstruktur.xml, streamed ---------------------------------------------------


@dataclass
class Structure:
    """What arkivstruktur.xml holds besides the tables it fills (system_id, referenced,
    screening)."""

    folders: int = 0
    registrations: int = 0
    journalposts: int = 0
    created: list[date] = field(default_factory=list)  # [first, last]
    document_errors: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    restrictions: int = 0
    formats: Counter[str] = field(default_factory=Counter)
    # (element, value) of every tilgangsrestriksjon and skjermingMetadata outside the
    # catalogue's values, with how often
    unknown_values: Counter[tuple[str, str]] = field(default_factory=Counter)
    leaks: Leaks = field(default_factory=lambda: Leaks("arkivstruktur.xml"))


@dataclass
class Leaks:
    """The units of one file whose offentligTittel shows a national identity number in
    clear: what masking exists to prevent (PU-1, HS-06)."""

    file: str
    count: int = 0
    ids: list[str] = field(default_factory=list)

    def read(self, title: etree._Element, unit: etree._Element | None) -> None:
        if not has_national_id(title.text or ""):
            return
        self.count += 1
        if len(self.ids) < MAX_LEAKS:
            self.ids.append(_child_text(unit, "systemID") if unit is not None else "")


def _read_structure(root: Path, path: Path, scratch: _Scratch) -> Structure:
    found = Structure()
    for _event, element in etree.iterparse(
        str(path), events=("end",), no_network=True, huge_tree=True, resolve_entities=False
    ):
        name = _local(element.tag)
        parent = element.getparent()
        parent_name = _local(parent.tag) if parent is not None else ""
        if name == "systemID" and element.text:
            scratch.add("system_id", element.text.strip())
        elif name == "offentligTittel":
            found.leaks.read(element, parent)
        elif name == "skjerming":
            found.restrictions += 1
        elif name == "dokumentobjekt":
            _document_object(root, element, found, scratch)
        elif name == "mappe":
            found.folders += 1
        elif name == "opprettetDato" and parent_name == "registrering":
            day = _date(element.text or "")
            if day is not None:
                found.created = [min([day, *found.created[:1]]), max([day, *found.created[1:]])]
        elif name == "registrering":
            found.registrations += 1
            kind = element.get("{http://www.w3.org/2001/XMLSchema-instance}type", "")
            if kind.split(":")[-1] == "journalpost":
                found.journalposts += 1
            _registration_screening(element, found, scratch)
            _free(element)
    return found


def _free(element: etree._Element) -> None:
    """Drop what has been read: the element's content and the emptied siblings before it
    (an emptied element still costs memory), so a 100,000-record deposit is checked in
    constant memory, as the export writes it (`exporters.common.validate_file`)."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _document_object(
    root: Path, element: etree._Element, found: Structure, scratch: _Scratch
) -> None:
    reference = _child_text(element, "referanseDokumentfil")
    checksum = _child_text(element, "sjekksum")
    algorithm = _child_text(element, "sjekksumAlgoritme") or "SHA256"
    size = _child_text(element, "filstoerrelse")
    found.formats[_child_text(element, "format") or "?"] += 1
    if not reference:
        return
    scratch.add("referenced", os.fsencode(reference.replace("\\", "/")))
    path = _inside(root, reference)
    if path is None or not path.is_file():
        found.missing.append(reference)
        return
    actual_size = path.stat().st_size
    if size.isdigit() and int(size) != actual_size:
        found.document_errors.append(
            _("%(file)s: filstoerrelse %(documented)s, men filen har %(actual)s byte")
            % {"file": reference, "documented": size, "actual": actual_size}
        )
    if actual_size == 0:
        found.empty.append(reference)
    try:
        actual = _checksum(path, algorithm)
    except ValueError:
        found.document_errors.append(
            _("%(file)s: ukjent sjekksumalgoritme «%(algorithm)s»")
            % {"file": reference, "algorithm": algorithm}
        )
        return
    if actual.lower() != checksum.lower():
        found.document_errors.append(
            _("%(file)s: sjekksummen stemmer ikke med filen") % {"file": reference}
        )


def _registration_screening(element: etree._Element, found: Structure, scratch: _Scratch) -> None:
    system_id = _child_text(element, "systemID")
    for child in element:
        if _local(child.tag) != "skjerming":
            continue
        metadata = {(c.text or "").strip() for c in child if _local(c.tag) == "skjermingMetadata"}
        code = _child_text(child, "tilgangsrestriksjon")
        if code and code not in ACCESS_VALUES:
            found.unknown_values["tilgangsrestriksjon", code] += 1
        for value in metadata - SCREENING_VALUES:
            found.unknown_values["skjermingMetadata", value] += 1
        scratch.add(
            "screening",
            system_id,
            code,
            _child_text(child, "skjermingshjemmel"),
            sum(bit for bit, value in NAME_VALUES.items() if value in metadata),
            bool(metadata & TITLE_SCREENED),
        )


def _title_masked(journalpost: etree._Element) -> bool:
    """Whether a journal post declares words of its title withheld (its own
    skjermingMetadata, not a party's): the recorded masking, which a ****** in the public
    title alone is not — the title may really have six asterisks."""
    return any(
        _local(child.tag) == "skjermingMetadata" and (child.text or "").strip() in TITLE_SCREENED
        for child in journalpost
    )


def _hidden_parties(journalpost: etree._Element) -> int:
    """SENDER | RECIPIENT for each party the public journal names «Skjermet», by its
    korrespondanseparttype (avsender, intern avsender → SENDER; the others RECIPIENT)."""
    hidden = 0
    for party in journalpost:
        if _local(party.tag) != "korrespondansepart":
            continue
        if _child_text(party, "korrespondansepartNavn") == SHIELDED_NAME:
            kind = _child_text(party, "korrespondanseparttype").lower()
            hidden |= SENDER if "avsender" in kind else RECIPIENT
    return hidden


# --- the journals ------------------------------------------------------------------


@dataclass
class Journal:
    """A journal's head and counts; its posts go to the table named after it."""

    start: date | None = None
    end: date | None = None
    declared: int | None = None
    entries: int = 0
    newer_elements: set[str] = field(default_factory=set)
    leaks: Leaks = field(default_factory=lambda: Leaks(""))


def _read_journal(path: Path, name: str, scratch: _Scratch) -> Journal:
    journal = Journal(leaks=Leaks(f"{name}.xml"))
    added = ADDED_2023[name]
    for _event, element in etree.iterparse(
        str(path), events=("end",), no_network=True, huge_tree=True, resolve_entities=False
    ):
        local = _local(element.tag)
        parent = element.getparent()
        parent_name = _local(parent.tag) if parent is not None else ""
        if parent_name in added and local in added[parent_name]:
            journal.newer_elements.add(f"{parent_name}/{local}")
        if local == "offentligTittel":
            journal.leaks.read(element, parent)
        elif local == "journalhode":
            journal.start = _date(_child_text(element, "journalStartDato"))
            journal.end = _date(_child_text(element, "journalSluttDato"))
            number = _child_text(element, "antallJournalposter")
            journal.declared = int(number) if number.isdigit() else None
        elif local == "journalpost" and parent_name == "journalregistrering":
            scratch.add(
                name,
                _child_text(element, "systemID"),
                _child_text(element, "tilgangsrestriksjon"),
                _child_text(element, "skjermingshjemmel"),
                _hidden_parties(element),
                _title_masked(element),
            )
        elif local == "journalregistrering":
            journal.entries += 1
            _free(element)
    return journal


def _changes(path: Path, scratch: _Scratch) -> int:
    """The number of <endring> in the change log; what they refer to goes to the
    change_reference table."""
    change = f"{{{NS['endringslogg']}}}endring"
    reference = f"{{{NS['endringslogg']}}}referanseArkivenhet"
    count = 0
    for _event, element in etree.iterparse(
        str(path), events=("end",), no_network=True, huge_tree=True, resolve_entities=False
    ):
        if element.tag == reference:
            scratch.add("change_reference", (element.text or "").strip())
        elif element.tag == change:
            parent = element.getparent()
            count += parent is not None and parent.getparent() is None  # the log's own
            _free(element)
    return count


# --- the checks --------------------------------------------------------------------


def _validate(root: Path, xml: str, xsd: str) -> str | None:
    """None when `xml` validates against the package's `xsd`, else the first error."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        schema = etree.XMLSchema(etree.parse(str(root / xsd), parser))
        for _event, element in etree.iterparse(
            str(root / xml), events=("end",), schema=schema, no_network=True, huge_tree=True
        ):
            if _local(element.tag) in ("registrering", "journalregistrering", "endring"):
                _free(element)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        return str(exc)
    return None


def check_deposit(path: Path) -> DepositReport:
    """Run the checks on the unpacked deposit in `path`."""
    root = Path(path)
    report = DepositReport(root)
    structure_check = Check("N5.01", _("Pakkens filer finnes"))
    report.checks.append(structure_check)
    needed = ["arkivuttrekk.xml", *(f"{n}.xml" for n in XML_FILES), *SCHEMA_FILES]
    for name in needed:
        if not (root / name).is_file():
            structure_check.errors.append(_("mangler %(file)s") % {"file": name})
    if not structure_check.ok:
        return report  # nothing else can be read

    addml_check = Check("N5.02", _("Sjekksummer i arkivuttrekk.xml"))
    report.checks.append(addml_check)
    try:
        addml = _read_addml(root / "arkivuttrekk.xml")
    except etree.XMLSyntaxError as exc:
        addml_check.errors.append(_("arkivuttrekk.xml kan ikke leses: %(error)s") % {"error": exc})
        return report
    for name, algorithm, value in addml.files:
        target = _inside(root, name)
        if target is None or not target.is_file():
            structure_check.errors.append(
                _("%(file)s er beskrevet i arkivuttrekk.xml, men finnes ikke") % {"file": name}
            )
            continue
        if not algorithm or not value:
            continue
        try:
            actual = _checksum(target, algorithm)
        except ValueError:
            addml_check.errors.append(
                _("%(file)s: ukjent sjekksumalgoritme «%(algorithm)s»")
                % {"file": name, "algorithm": algorithm}
            )
            continue
        if actual.lower() != value.strip().lower():
            addml_check.errors.append(
                _("%(file)s: sjekksummen i arkivuttrekk.xml stemmer ikke med filen")
                % {"file": name}
            )

    schema_check = Check("N5.03", _("XML-filene følger skjemaene"))
    report.checks.append(schema_check)
    for name in SCHEMA_FILES:
        if (root / name).read_bytes() != OFFICIAL[name].read_bytes():
            schema_check.errors.append(
                _("%(file)s er ikke Arkivverkets offisielle skjema") % {"file": name}
            )
    for name, xsd in [
        ("arkivuttrekk.xml", "addml.xsd"),
        *((f"{n}.xml", f"{n}.xsd") for n in XML_FILES),
    ]:
        error = _validate(root, name, xsd)
        if error:
            schema_check.errors.append(
                _("%(file)s følger ikke %(xsd)s: %(error)s")
                % {"file": name, "xsd": xsd, "error": error}
            )
    if not schema_check.ok:
        return report  # the content checks need valid files
    with _scratch(root) as scratch:
        _content_checks(root, report, addml, schema_check, scratch)
    return report


def _content_checks(
    root: Path, report: DepositReport, addml: Addml, schema_check: Check, scratch: _Scratch
) -> None:
    """The checks of what the (valid) files say, within each file and across them."""
    structure = _read_structure(root, root / "arkivstruktur.xml", scratch)
    journals = {
        name: _read_journal(root / f"{name}.xml", name, scratch)
        for name in ("loependeJournal", "offentligJournal")
    }
    for name, journal in journals.items():
        for element in sorted(journal.newer_elements):
            schema_check.errors.append(
                _(
                    "%(file)s bruker %(element)s, som bare finnes i vedlikeholdsskjemaene fra "
                    "2023; Arkade 5 validerer mot v5.0 og avviser det"
                )
                % {"file": f"{name}.xml", "element": element}
            )
    change_count = _changes(root / "endringslogg.xml", scratch)

    count_check = Check("N5.10/16/61", _("Antall i arkivuttrekk.xml stemmer"))
    report.checks.append(count_check)
    actual = {
        "arkivstruktur/mappe": structure.folders,
        "arkivstruktur/registrering": structure.registrations,
        "endringslogg/endring": change_count,
        "loependeJournal/journalregistrering": journals["loependeJournal"].entries,
        "offentligJournal/journalregistrering": journals["offentligJournal"].entries,
    }
    for element in ("arkivstruktur/mappe", "arkivstruktur/registrering"):
        if element not in addml.counts:
            count_check.errors.append(
                _("arkivuttrekk.xml oppgir ikke antall %(element)s") % {"element": element}
            )
    for element, documented in addml.counts.items():
        found = actual.get(element)
        if found is not None and found != documented:
            count_check.errors.append(
                _("%(element)s: arkivuttrekk.xml sier %(documented)s, filene har %(found)s")
                % {"element": element, "documented": documented, "found": found}
            )
    count_check.info = _("%(folders)s mapper, %(registrations)s registreringer") % {
        "folders": structure.folders,
        "registrations": structure.registrations,
    }

    files_check = Check("N5.28", _("Antall dokumentfiler"))
    report.checks.append(files_check)
    document_dir = root / "DOKUMENT"
    on_disk = 0
    if document_dir.is_dir():
        for name in _files(str(document_dir)):
            scratch.add("on_disk", os.fsencode(Path(name).relative_to(root).as_posix()))
            on_disk += 1
    if addml.documents is None:
        files_check.errors.append(_("arkivuttrekk.xml oppgir ikke antallDokumentfiler"))
    elif addml.documents != on_disk:
        files_check.errors.append(
            _("arkivuttrekk.xml sier %(documented)s dokumentfiler, DOKUMENT/ har %(found)s")
            % {"documented": addml.documents, "found": on_disk}
        )
    files_check.info = ngettext("%(count)s fil", "%(count)s filer", on_disk) % {"count": on_disk}

    documents_check = Check("N5.30/32/33/64", _("Dokumentfilene"))
    report.checks.append(documents_check)
    documents_check.errors += [
        _("%(file)s finnes ikke") % {"file": name} for name in structure.missing
    ]
    documents_check.errors += structure.document_errors
    documents_check.errors += [_("%(file)s er tom") % {"file": name} for name in structure.empty]
    documents_check.errors += [
        _("%(file)s er ikke referert fra arkivstruktur.xml") % {"file": os.fsdecode(name)}
        for (name,) in scratch.query(
            "SELECT path FROM on_disk EXCEPT SELECT path FROM referenced ORDER BY 1"
        )
    ]

    report.checks.append(
        Check(
            "N5.29",
            _("Dokumentformater (til informasjon)"),
            info=", ".join(f"{fmt}: {n}" for fmt, n in sorted(structure.formats.items())),
        )
    )

    unique_check = Check("N5.47", _("systemID er unik"))
    report.checks.append(unique_check)
    scratch.query("CREATE INDEX system_id_id ON system_id (id)")
    unique_check.errors += [
        _("systemID %(id)s finnes %(count)s ganger") % {"id": sid, "count": count}
        for sid, count in scratch.query(
            "SELECT id, COUNT(*) FROM system_id GROUP BY id HAVING COUNT(*) > 1 ORDER BY id"
        )
    ]

    running, public = journals["loependeJournal"], journals["offentligJournal"]
    journal_check = Check("N5.59", _("Antall journalposter"))
    report.checks.append(journal_check)
    for name, journal in journals.items():
        if journal.declared != journal.entries:
            journal_check.errors.append(
                _("%(file)s: journalhodet sier %(declared)s, journalen har %(found)s")
                % {"file": f"{name}.xml", "declared": journal.declared, "found": journal.entries}
            )
    if running.declared != public.declared:
        journal_check.errors.append(_("løpende og offentlig journal har ulikt antall poster"))
    if addml.sharp and running.declared != structure.journalposts:
        journal_check.errors.append(
            _("journalene har %(journal)s poster, arkivstruktur.xml har %(found)s journalposter")
            % {"journal": running.declared, "found": structure.journalposts}
        )

    date_check = Check("N5.60", _("Journalenes periode"))
    report.checks.append(date_check)
    if (running.start, running.end) != (public.start, public.end):
        date_check.errors.append(_("løpende og offentlig journal har ulik periode"))
    if addml.sharp and structure.created:
        first, last = structure.created
        if (running.start, running.end) != (first, last):
            date_check.errors.append(
                _(
                    "journalene gjelder %(start)s–%(end)s, men registreringene er opprettet "
                    "%(first)s–%(last)s (skarpt periodeskille)"
                )
                % {"start": running.start, "end": running.end, "first": first, "last": last}
            )
    date_check.info = f"{running.start}–{running.end}"

    log_check = Check("N5.62", _("Endringsloggen viser til arkivenheter som finnes"))
    report.checks.append(log_check)
    log_check.errors += [
        _("endringsloggen viser til %(id)s, som ikke finnes") % {"id": ref}
        for (ref,) in scratch.query(
            "SELECT id FROM change_reference WHERE id NOT IN (SELECT id FROM system_id)"
            " ORDER BY rowid"
        )
    ]

    leaks = [structure.leaks, *(journal.leaks for journal in journals.values())]
    report.checks.append(_screening_check(addml, structure, scratch, leaks))


# Each post of the public journal (in its order) with the <skjerming> of its
# registrering, if any, and its entry in the running journal, if any.
_SCREENING = """
    SELECT p.id, p.hidden, p.masked, s.id IS NOT NULL, s.code, s.authority, s.names, s.title,
           p.code, p.authority, r.id IS NOT NULL, r.code, r.authority
    FROM "offentligJournal" p
    LEFT JOIN screening s ON s.id = p.id
    LEFT JOIN "loependeJournal" r ON r.id = p.id
    ORDER BY p.rowid
"""


def _screening_check(
    addml: Addml, structure: Structure, scratch: _Scratch, leaks: list[Leaks]
) -> Check:
    """N5.42, the consistency of screening across the files, and public titles that show
    what screening withholds (a national identity number)."""
    check = Check("N5.42", _("Skjerming er erklært der den er brukt"))
    for leak in leaks:
        if not leak.count:
            continue
        check.errors.append(
            ngettext(
                "%(file)s: %(count)s offentlig tittel viser et fødselsnummer eller "
                "D-nummer i klartekst (%(ids)s)",
                "%(file)s: %(count)s offentlige titler viser et fødselsnummer eller "
                "D-nummer i klartekst (%(ids)s)",
                leak.count,
            )
            % {
                "file": leak.file,
                "count": leak.count,
                "ids": ", ".join(i or "–" for i in leak.ids),
            }
        )
    declared = addml.screened
    if declared is None:
        check.errors.append(_("arkivuttrekk.xml oppgir ikke inneholderSkjermetInformasjon"))
    elif declared and not structure.restrictions:
        check.errors.append(_("arkivuttrekk.xml sier skjermet informasjon, men ingen er skjermet"))
    elif not declared and structure.restrictions:
        check.errors.append(
            _("arkivuttrekk.xml sier ingen skjermet informasjon, men %(count)s er skjermet")
            % {"count": structure.restrictions}
        )
    for (element, value), count in sorted(structure.unknown_values.items()):
        check.errors.append(
            ngettext(
                "%(element)s «%(value)s» er ikke en verdi i Noark 5s metadatakatalog "
                "(%(count)s registrering)",
                "%(element)s «%(value)s» er ikke en verdi i Noark 5s metadatakatalog "
                "(%(count)s registreringer)",
                count,
            )
            % {"element": element, "value": value, "count": count}
        )
    for row in scratch.query(_SCREENING):
        system_id, hidden, masked, screened, code, authority, names, title = row[:8]
        public, in_running, running = row[8:10], row[10], row[11:]
        if (hidden or masked) and not screened:
            check.errors.append(
                _("journalpost %(id)s er skjermet i offentlig journal uten <skjerming>")
                % {"id": system_id}
            )
            continue
        if not screened:
            continue
        if not code or not authority:
            check.errors.append(
                _("journalpost %(id)s mangler tilgangsrestriksjon eller skjermingshjemmel")
                % {"id": system_id}
            )
        for bit, value in NAME_VALUES.items():
            if hidden & bit and not (names or 0) & bit:
                check.errors.append(
                    _("journalpost %(id)s skjermer et navn uten skjermingMetadata «%(value)s»")
                    % {"id": system_id, "value": value}
                )
        if masked and not title:
            check.errors.append(
                _("journalpost %(id)s skjermer tittelen uten skjermingMetadata «%(value)s»")
                % {"id": system_id, "value": "Skjerming tittel registrering - utvalgte ord"}
            )
        if (in_running and running != (code, authority)) or public != (code, authority):
            check.errors.append(
                _("journalpost %(id)s har en annen skjermingshjemmel i journalen")
                % {"id": system_id}
            )
    check.info = ngettext(
        "%(count)s skjermet registrering",
        "%(count)s skjermede registreringer",
        structure.restrictions,
    ) % {"count": structure.restrictions}
    return check
