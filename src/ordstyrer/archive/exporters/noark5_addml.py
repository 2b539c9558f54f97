"""`arkivuttrekk.xml`: the ADDML 8.3 description of a Noark 5 package, following
Riksarkivet's template for Noark 5 extracts (arkivverket/addml-standard,
`maler/noark5.xml`): who created the archive, the period, the package's XML files
with their schemas, SHA-256 checksums and element counts.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ordstyrer.archive.exporters.common import SYSTEM, XSI, ExportOptions, municipality_name

NS = "http://www.arkivverket.no/standarder/addml"

# (file, its schema, the element counted, its XPath), as in the template.
FILES = (
    ("arkivstruktur", "mappe", "//mappe"),
    ("arkivstruktur", "registrering", "//registrering"),
    ("endringslogg", "endring", "//endring"),
    ("loependeJournal", "journalregistrering", "//journalregistrering"),
    ("offentligJournal", "journalregistrering", "//journalregistrering"),
)


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)


def _value(parent: etree._Element, value: object) -> None:
    _el(parent, "value").text = str(value)


def _property(
    parent: etree._Element, name: str, value: object | None = None, data_type: str | None = None
) -> etree._Element:
    attrs = {"name": name}
    if data_type:
        attrs["dataType"] = data_type
    prop = _el(parent, "property", **attrs)
    if value is not None:
        _value(prop, value)
    return prop


def _props(parent: etree._Element) -> etree._Element:
    return _el(parent, "properties")


def _additional(parent: etree._Element, name: str, value: object | None = None) -> etree._Element:
    element = _el(parent, "additionalElement", name=name)
    if value is not None:
        _value(element, value)
    return element


def _file_props(parent: etree._Element, name: str, digest: str | None) -> None:
    file_prop = _property(parent, "file")
    props = _props(file_prop)
    _property(props, "name", name)
    if digest is None:
        return
    fmt = _property(props, "format", "XML")
    _property(_props(fmt), "version", "1.0")
    checksum = _property(props, "checksum")
    checks = _props(checksum)
    _property(checks, "algorithm", "SHA-256")
    _property(checks, "value", digest)


def _schema_props(parent: etree._Element, name: str, digest: str | None, main: bool) -> None:
    schema = _property(parent, "schema", "main" if main else None)
    props = _props(schema)
    _file_props(props, name, digest)
    if digest is not None:
        kind = _property(props, "type", "XML Schema")
        _property(_props(kind), "version", "1.0")


def addml_description(options: ExportOptions, tally: Any, sums: dict[str, str]) -> etree._Element:
    """The ADDML document; `sums` holds the SHA-256 of every XML and XSD file."""
    # The name is free text from the database, sanitised as in every export (AR-2).
    name = municipality_name(options.municipality)
    counts = {
        "mappe": len(tally.folders),
        "registrering": sum(f.posts for f in tally.folders),
        "endring": 1,
        "journalregistrering": sum(f.posts for f in tally.folders),
    }
    root = etree.Element(
        f"{{{NS}}}addml", nsmap={None: NS, "xsi": XSI}, name="Noark 5-arkivuttrekk"
    )
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} addml.xsd")
    dataset = _el(root, "dataset")
    label = options.period.label()
    description = f"Noark 5-arkivuttrekk fra {SYSTEM}: {name}, sosiale medier {label}"
    _el(dataset, "description").text = description
    reference = _el(dataset, "reference")
    context = _el(_el(reference, "context"), "additionalElements")
    creators = _el(_additional(context, "recordCreators"), "additionalElements")
    _additional(creators, "recordCreator", name)
    _additional(context, "systemType", "Fagsystem for sosiale medier (Noark 5-uttrekk)")
    _additional(context, "systemName", SYSTEM)
    _additional(context, "archive", f"{name} – sosiale medier")
    content = _el(_el(reference, "content"), "additionalElements")
    period = _additional(content, "archivalPeriod")
    period_props = _props(period)
    _property(period_props, "startDate", options.period.since.isoformat())
    _property(period_props, "endDate", options.period.until.isoformat())

    objects = _el(dataset, "dataObjects")
    package = _el(objects, "dataObject", name="Noark 5-arkivuttrekk")
    info = _property(_props(package), "info")
    info_props = _props(info)
    kind = _property(info_props, "type", "Noark 5")
    _property(_props(kind), "version", "5.0")
    extra = _props(_property(info_props, "additionalInfo"))
    split = _props(_property(extra, "periode"))
    _property(split, "inngaaendeSkille", "skarpt")
    _property(split, "utgaaendeSkille", "skarpt")
    _property(extra, "inneholderSkjermetInformasjon", str(tally.confidential).lower(), "boolean")
    _property(extra, "omfatterDokumenterSomErKassert", "false", "boolean")
    _property(extra, "inneholderDokumenterSomSkalKasseres", "false", "boolean")
    _property(extra, "inneholderVirksomhetsspesifikkeMetadata", "false", "boolean")
    _property(extra, "antallDokumentfiler", tally.documents, "integer")

    children = _el(package, "dataObjects")
    for name in ("arkivstruktur", "endringslogg", "loependeJournal", "offentligJournal"):
        entry = _el(children, "dataObject", name=name)
        props = _props(entry)
        _file_props(props, f"{name}.xml", sums[f"{name}.xml"])
        _schema_props(props, f"{name}.xsd", sums[f"{name}.xsd"], main=True)
        _schema_props(
            props,
            "metadatakatalog.xsd",
            sums["metadatakatalog.xsd"] if name == "arkivstruktur" else None,
            main=False,
        )
        occurrences = _props(_property(props, "info"))
        for file_name, element, path in FILES:
            if file_name != name:
                continue
            count = _property(occurrences, "numberOfOccurrences", element)
            count_props = _props(count)
            _property(count_props, "elementPath", path)
            _property(count_props, "value", counts[element], "integer")
    return root
