"""KS Fiks Arkiv v1 *arkivmelding* (norwegian-standards §1.3), one message per record.

A Fiks Arkiv message carries at most one `mappe` and one `registrering`
(no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd), and Fiks IO sends one
message at a time. The export is therefore a folder of messages:

    mapper/<year>-<group>/arkivmelding.xml    one yearly case folder per group, first
    poster/<number>/arkivmelding.xml          one journalpost per record, with its files
    poster/<number>/arkivpost-<number>.pdf    the PDF/A-2b rendering (variantformat A)
    poster/<number>/raadata-<number>.json     the platform's JSON (variantformat P)
    SHA256SUMS, LES-MEG.txt

Each journalpost names its folder through `referanseForelderMappe` →
`referanseEksternNoekkel`, and carries its own `referanseEksternNoekkel`
(fagsystem «Ordstyrer», key «<kommune>:<nr>:<hash>»), so the archive can recognise
a message sent twice. Every message is validated against the XSD before it is written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lxml import etree

from ordstyrer.archive.exporters.common import (
    CATEGORY_SLUG,
    CATEGORY_TITLE,
    DOCUMENT_STATUS,
    DOCUMENT_TYPE,
    JOURNALPOSTTYPE,
    JOURNALSTATUS,
    PARTTYPE,
    ROLE,
    SYSTEM,
    VARIANT,
    XSI,
    ExportOptions,
    ExportResult,
    Item,
    folder_key,
    folder_uuid,
    iso_local,
    iter_items,
    municipality_name,
    pinned,
    records_for,
    serialise,
    sub,
    validate_tree,
    xml_text,
)
from ordstyrer.archive.screening import export_public_title, masked_at_export

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
OSM = "https://ordstyrer.no/xmlns/sosiale-medier/v1"  # virksomhetsspesifikke metadata
NSMAP = {None: NS, "mdk": MDK, "xsi": XSI}
SAKSSTATUS = ("B", "Under behandling")

README = """Eksport til KS Fiks Arkiv (arkivmelding v1) fra Ordstyrer
Kommune: {municipality}
Periode: {period}
Laget: {made} av {by}

Send meldingene med Fiks IO (meldingstype no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett):
1. først hver mappe i «mapper/» (én saksmappe per år og gruppe),
2. deretter hver post i «poster/» i nummerorden; filene i mappen er vedleggene til meldingen.
Hver registrering viser til saksmappen sin med referanseEksternNoekkel (fagsystem «Ordstyrer»).
Skjema: KS Fiks Arkiv v1 (no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd, v1.0.10)
med Fiks Arkivs metadatakatalog v1. Formatkodene er PRONOM-identifikatorer (fmt/477 =
PDF/A-2b, fmt/817 = JSON, fmt/43 = JPEG, fmt/13 = PNG), ikke filendelser.
Skjermede poster har <skjerming> med tilgangsrestriksjon og skjermingshjemmel fra kommunens
skjermingstabell; et navn som holdes tilbake fra offentligheten er merket erSkjermet.
Offentlige titler maskert ved eksport: {masked}
Arkivposter endres aldri. En offentlig tittel som ble lagret med et fødselsnummer eller
D-nummer i klartekst (mønsteret ble ikke gjenkjent da posten ble arkivert), viser
nummeret maskert som ******12345 i offentligTittel, og registreringen har skjerming.
SHA256SUMS har sjekksummen til hver fil (kontroller med «sha256sum -c SHA256SUMS»).
"""


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    return sub(parent, tag, text, ns=NS)


def _code(parent: etree._Element, tag: str, code: str, description: str | None = None) -> None:
    element = _sub(parent, tag)
    etree.SubElement(element, f"{{{MDK}}}kode").text = code
    if description:
        etree.SubElement(element, f"{{{MDK}}}beskrivelse").text = description


def _external_key(parent: etree._Element, tag: str, key: str, *, ns: str = NS) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    etree.SubElement(element, f"{{{MDK}}}fagsystem").text = SYSTEM
    etree.SubElement(element, f"{{{MDK}}}noekkel").text = key


def _ident(parent: etree._Element, tag: str, name: str) -> None:
    """A person or unit (Fiks: type `identifikatorer`, here by name)."""
    etree.SubElement(_sub(parent, tag), f"{{{MDK}}}navn").text = name


def _root(files: int) -> etree._Element:
    root = etree.Element(_q("arkivmelding"), nsmap=NSMAP)
    _sub(root, "system", SYSTEM)
    _sub(root, "antallFiler", files)
    return root


def folder_message(municipality, category: int, year: int, requested_by: str) -> etree._Element:
    root = _root(0)
    folder = _sub(root, "mappe")
    folder.set(f"{{{XSI}}}type", "saksmappe")
    _sub(folder, "systemID", folder_uuid(municipality.pk, category, year))
    title = f"{CATEGORY_TITLE[category]} {year}"
    _sub(folder, "tittel", title)
    _sub(folder, "offentligTittel", title)
    _external_key(folder, "referanseEksternNoekkel", folder_key(municipality.slug, category, year))
    _sub(folder, "saksaar", year)
    _sub(folder, "saksdato", f"{year}-01-01")
    _ident(folder, "administrativEnhet", municipality_name(municipality))
    _ident(folder, "saksansvarlig", requested_by)
    _code(folder, "saksstatus", *SAKSSTATUS)
    return root


def record_message(item: Item) -> etree._Element:
    files = sum(len(d.objects) for d in item.documents)
    root = _root(files)
    post = _sub(root, "registrering")
    post.set(f"{{{XSI}}}type", "journalpost")
    _sub(post, "systemID", item.uuid("registrering"))
    _sub(post, "opprettetDato", iso_local(item.record.archived_at))
    _sub(post, "opprettetAv", item.actor)
    parent = _sub(post, "referanseForelderMappe")  # its children are metadatakatalog types
    _external_key(
        parent,
        "referanseEksternNoekkel",
        folder_key(item.record.municipality.slug, item.category, item.year),
        ns=MDK,
    )
    screening = item.screening
    if screening is not None:
        # The same screening as in the Noark 5 export (AR-2); Fiks Arkiv's skjerming has
        # no skjermingMetadata, so a withheld name is marked on the party (erSkjermet).
        shield = _sub(post, "skjerming")
        _code(shield, "tilgangsrestriksjon", screening.code)
        _sub(shield, "skjermingshjemmel", screening.authority)
    for document in item.documents:
        description = _sub(post, "dokumentbeskrivelse")
        _sub(description, "systemID", item.uuid("dokument", document.number))
        _code(description, "dokumenttype", *DOCUMENT_TYPE)
        _code(description, "dokumentstatus", DOCUMENT_STATUS[0], "Ferdigstilt")
        _sub(description, "tittel", document.title)
        _sub(description, "opprettetDato", iso_local(item.record.archived_at))
        _sub(description, "opprettetAv", item.actor)
        _code(description, "tilknyttetRegistreringSom", document.role, ROLE[document.role])
        _sub(description, "dokumentnummer", document.number)
        for version, obj in enumerate(document.objects, start=1):
            entry = _sub(description, "dokumentobjekt")
            _sub(entry, "systemID", item.object_uuid(document, version, obj))
            _sub(entry, "versjonsnummer", 1)
            _code(entry, "variantformat", obj.variant, VARIANT[obj.variant])
            _code(entry, "format", *obj.pronom)
            _sub(entry, "mimeType", obj.mime)
            _sub(entry, "filnavn", obj.original)
            _sub(entry, "referanseDokumentfil", obj.name.rsplit("/", 1)[-1])
            _sub(entry, "sjekksum", obj.sha256)
            _sub(entry, "sjekksumAlgoritme", "SHA256")
            _sub(entry, "filstoerrelse", len(obj.data))
    _sub(post, "tittel", item.record.title)
    _sub(post, "offentligTittel", export_public_title(item.record.public_title))
    _business_metadata(post, item)
    for code, name in item.parties():
        party = _sub(post, "korrespondansepart")
        _code(party, "korrespondanseparttype", code, PARTTYPE[code])
        _sub(party, "korrespondansepartNavn", name)
        if screening is not None and screening.names_hidden and code in ("EA", "EM"):
            _sub(party, "erSkjermet", "true")
    _external_key(post, "referanseEksternNoekkel", item.external_key)
    _code(post, "journalposttype", *JOURNALPOSTTYPE[item.direction])
    _code(post, "journalstatus", *JOURNALSTATUS[bool(item.body["journal"]["journal"])])
    _sub(post, "journaldato", item.archived_at.date().isoformat())
    _sub(post, "dokumentetsDato", item.created_at.date().isoformat())
    if item.direction == "I":
        _sub(post, "mottattDato", iso_local(item.created_at))
    elif item.direction == "U":
        _sub(post, "sendtDato", iso_local(item.created_at))
    return root


def _business_metadata(post: etree._Element, item: Item) -> None:
    """Platform, permalink, ids, capture and deletion times, ground (norwegian-standards §2
    «Virksomhetsspesifikke metadata»), in Ordstyrer's own namespace."""
    meta = _sub(post, "virksomhetsspesifikkeMetadata")
    where, when = item.body["where"], item.body["when"]
    values = {
        "plattform": where["platform"],
        "kanal": where["channel_name"],
        "innleggId": where["post_id"],
        "elementId": where["item_id"],
        "lenke": where["permalink"],
        "hentet": when["captured"],
        "fjernet": when["deleted"],
        "handling": item.body["action"],
        "grunnlag": item.body["ground"],
        "arkivnummer": item.sequence,
        "hash": item.record.hash,
    }
    container = etree.SubElement(meta, f"{{{OSM}}}sosialeMedier", nsmap={"osm": OSM})
    for name, value in values.items():
        if value not in (None, ""):
            # The platform's and the channel's own texts, as archived: the same sanitiser
            # as every other text of the exports, or one control character (a channel
            # named "Rissa skole\x0b") stops the whole export (AR-2).
            etree.SubElement(container, f"{{{OSM}}}{name}").text = xml_text(str(value))


def export(options: ExportOptions) -> ExportResult:
    municipality = options.municipality
    # The folders are read before the records: both passes see the records as they were
    # when the export started, so no record archived meanwhile goes without its case
    # folder (AR-2).
    options = replace(options, period=pinned(municipality, options.period))
    result = ExportResult(out_dir=options.out_dir)
    made: datetime = options.now  # type: ignore[assignment]
    try:
        folders = (
            records_for(municipality, options.period)
            .order_by()
            .values_list("category", "year")
            .distinct()
        )
        for category, year in sorted(set(folders)):
            message = folder_message(municipality, category, year, options.requested_by)
            validate_tree(message, "fiks-arkiv")
            result.add(
                f"mapper/{year}-{CATEGORY_SLUG[category]}/arkivmelding.xml", serialise(message)
            )

        def prefix(record) -> str:
            return f"poster/{record.sequence:06d}/"

        masked = 0  # public titles masked here (PU-1), for LES-MEG.txt
        for item in iter_items(municipality, options.period, prefix=prefix):
            masked += masked_at_export(item.record.public_title)
            message = record_message(item)
            validate_tree(message, "fiks-arkiv")
            result.add_message(item, f"poster/{item.sequence:06d}/arkivmelding.xml", message)
            if options.progress:
                options.progress(1)
        readme = README.format(
            municipality=municipality_name(municipality),
            period=options.period.label(),
            made=iso_local(made),
            by=options.requested_by,
            masked=masked,
        )
        result.add("LES-MEG.txt", readme.encode("utf-8"))
    finally:
        result.close()
    return result
