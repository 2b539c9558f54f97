"""eFormidling *arkivmelding* (Digdir, Noark 5 v3.1; norwegian-standards §1.4).

eFormidling wants exactly one saksmappe holding one journalpost per message, so,
as for Fiks Arkiv, the export is one folder per record:

    <number>/arkivmelding.xml, <number>/arkivpost-<number>.pdf, <number>/raadata-<number>.json, …

The saksmappe is the record's yearly group folder; its `systemID` is the same UUID
in every message (and in the Noark 5 export), so the receiving archive files every
record of a year and group in one case. Code values are the Norwegian texts the
schema enumerates. Each message is validated against the XSD before it is written.
"""

from __future__ import annotations

from lxml import etree

from ordstyrer.archive.exporters.common import (
    CATEGORY_TITLE,
    PARTTYPE,
    SYSTEM,
    VARIANT,
    XSI,
    ExportOptions,
    ExportResult,
    Item,
    describe_document,
    folder_uuid,
    iso_local,
    iter_items,
    journal_dates,
    municipality_name,
    stable_uuid,
    sub,
    validate_tree,
)
from ordstyrer.archive.screening import (
    WHOLE_DOCUMENT,
    deposit_metadata,
    export_public_title,
    masked_at_export,
)

NS = "http://www.arkivverket.no/standarder/noark5/arkivmelding"
NSMAP = {None: NS, "xsi": XSI}
README = """Eksport til eFormidling (arkivmelding) fra Ordstyrer
Kommune: {municipality}
Periode: {period}

Én mappe per post med arkivmelding.xml (én saksmappe med én journalpost) og filene.
Skjema: eFormidling arkivmelding.xsd (Digdir, bygger på Noark 5 v3.1) med Noark 5 v3.1
metadatakatalog.xsd. Kodeverdiene er de norske tekstene skjemaet lister.
Skjermede poster har <skjerming> med tilgangsrestriksjon og skjermingshjemmel fra
kommunens skjermingstabell, og skjermingMetadata (hva som holdes tilbake) med verdiene i
Noark 5-metadatakatalogen (M502): «Skjerming tittel registrering - utvalgte ord»,
«Skjerming navn avsender», «Skjerming navn mottaker».
Offentlige titler maskert ved eksport: {masked}
Arkivposter endres aldri. En offentlig tittel som ble lagret med et fødselsnummer eller
D-nummer i klartekst (mønsteret ble ikke gjenkjent da posten ble arkivert), viser
nummeret maskert som ******12345 i offentligTittel, og registreringen har skjerming med
«Skjerming tittel registrering - utvalgte ord».
SHA256SUMS har sjekksummen til hver fil (kontroller med «sha256sum -c SHA256SUMS»).
"""


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    return sub(parent, tag, text, ns=NS)


def _shield(parent: etree._Element, item: Item) -> None:
    """The same screening as in the Noark 5 export (AR-2). skjermingMetadata (M502)
    holds the metadata catalogue's values — «Skjerming tittel registrering - utvalgte
    ord», «Skjerming navn avsender» … — as the deposit does, not the names of the
    elements withheld («tittel», «korrespondansepartNavn»): eFormidling's arkivmelding
    is Noark 5 v3.1, whose code values are the catalogue's Norwegian texts
    (norwegian-standards §1.4); its metadatakatalog.xsd types M502 as free text, so the
    schema accepted both."""
    screening = item.screening
    if screening is None:
        return
    shield = _sub(parent, "skjerming")
    _sub(shield, "tilgangsrestriksjon", screening.code)
    _sub(shield, "skjermingshjemmel", screening.authority)
    for value in deposit_metadata(screening, [code for code, _name in item.parties()]):
        _sub(shield, "skjermingMetadata", value)
    _sub(shield, "skjermingDokument", WHOLE_DOCUMENT)


def message(item: Item, *, made, requested_by: str) -> etree._Element:
    municipality = item.record.municipality
    files = sum(len(d.objects) for d in item.documents)
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap=NSMAP)
    _sub(root, "system", SYSTEM)
    _sub(root, "meldingId", stable_uuid("eformidling", item.record.hash))
    _sub(root, "tidspunkt", iso_local(made))
    _sub(root, "antallFiler", files)

    folder = _sub(root, "mappe")
    folder.set(f"{{{XSI}}}type", "saksmappe")
    folder_id = folder_uuid(municipality.pk, item.category, item.year)
    _sub(folder, "systemID", folder_id)
    title = f"{CATEGORY_TITLE[item.category]} {item.year}"
    _sub(folder, "tittel", title)
    _sub(folder, "offentligTittel", title)
    _sub(folder, "opprettetDato", f"{item.year}-01-01T00:00:00+01:00")
    _sub(folder, "opprettetAv", SYSTEM)

    post = _sub(folder, "basisregistrering")
    post.set(f"{{{XSI}}}type", "journalpost")
    _sub(post, "systemID", item.uuid("registrering"))
    _sub(post, "opprettetDato", iso_local(item.record.archived_at))
    _sub(post, "opprettetAv", item.actor)
    _sub(post, "referanseForelderMappe", folder_id)
    _shield(post, item)
    for document in item.documents:
        description = describe_document(NS, post, item, document)
        for obj in document.objects:
            entry = _sub(description, "dokumentobjekt")
            _sub(entry, "versjonsnummer", 1)
            _sub(entry, "variantformat", VARIANT[obj.variant])
            _sub(entry, "opprettetDato", iso_local(item.record.archived_at))
            _sub(entry, "opprettetAv", item.actor)
            _sub(entry, "referanseDokumentfil", obj.name.rsplit("/", 1)[-1])
    _sub(post, "tittel", item.record.title)
    _sub(post, "offentligTittel", export_public_title(item.record.public_title))
    journal_dates(NS, post, item)
    if item.direction == "I":
        _sub(post, "mottattDato", iso_local(item.created_at))
    elif item.direction == "U":
        _sub(post, "sendtDato", iso_local(item.created_at))
    for code, name in item.parties():
        party = _sub(post, "korrespondansepart")
        _sub(party, "korrespondanseparttype", PARTTYPE[code])
        _sub(party, "korrespondansepartNavn", name)

    _sub(folder, "saksdato", f"{item.year}-01-01")
    _sub(folder, "administrativEnhet", municipality_name(municipality))
    _sub(folder, "saksansvarlig", requested_by)
    _sub(folder, "saksstatus", "Under behandling")
    return root


def export(options: ExportOptions) -> ExportResult:
    result = ExportResult(out_dir=options.out_dir)
    masked = 0  # public titles masked here (PU-1), for LES-MEG.txt
    try:

        def prefix(record) -> str:
            return f"{record.sequence:06d}/"

        for item in iter_items(options.municipality, options.period, prefix=prefix):
            tree = message(item, made=options.now, requested_by=options.requested_by)
            validate_tree(tree, "eformidling")
            result.add_message(item, f"{item.sequence:06d}/arkivmelding.xml", tree)
            masked += masked_at_export(item.record.public_title)
            if options.progress:
                options.progress(1)
        readme = README.format(
            municipality=municipality_name(options.municipality),
            period=options.period.label(),
            masked=masked,
        )
        result.add("LES-MEG.txt", readme.encode("utf-8"))
    finally:
        result.close()
    return result
