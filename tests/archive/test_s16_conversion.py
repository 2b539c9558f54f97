"""Exports and odd data (AR-2, AR-3): free text from the database — the name of the
person who ordered the export, the municipality's name, the screening table's legal
basis, a file's media type and name — goes through the exports' sanitiser, so one
control character pasted from Word does not stop an export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from ordstyrer.archive.entry import MediaFile
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR
from ordstyrer.archive.models import ScreeningReason
from ordstyrer.archive.screening import screening_rule_set
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import PNG, deleted_comment, make_channel

pytestmark = pytest.mark.django_db

SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
LJ = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
LOG = "http://www.arkivverket.no/standarder/noark5/endringslogg"
ADDML = "http://www.arkivverket.no/standarder/addml"
FIKS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
EFM = "http://www.arkivverket.no/standarder/noark5/arkivmelding"
XSD = {
    "fiks-arkiv": "fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd",
    "eformidling": "eformidling-arkivmelding/arkivmelding.xsd",
    "arkivstruktur": "noark5-arkivuttrekk-v5.0/arkivstruktur.xsd",
    "loependeJournal": "noark5-arkivuttrekk-v5.0/loependeJournal.xsd",
    "offentligJournal": "noark5-arkivuttrekk-v5.0/offentligJournal.xsd",
    "endringslogg": "noark5-arkivuttrekk-v5.0/endringslogg.xsd",
    "addml": "addml-8.3/addml.xsd",
}
ORDERED_BY = "Kari\x0b Nordmann"  # a vertical tab pasted from Word
ORDERED_BY_SAFE = "Kari\ufffd Nordmann"
MUNICIPALITY = "Testby\x0c kommune"
MUNICIPALITY_SAFE = "Testby\ufffd kommune"
AUTHORITY = "Offl. § 13\x01 jf. fvl. § 13"
AUTHORITY_SAFE = "Offl. § 13\ufffd jf. fvl. § 13"


def _validate(path: Path, schema: str) -> None:
    xmlschema.XMLSchema(str(SCHEMA_DIR / XSD[schema])).validate(str(path))


def _texts(path: Path, xpath: str, ns: dict[str, str]) -> list[str]:
    return [str(t) for t in etree.parse(str(path)).xpath(xpath, namespaces=ns)]


@pytest.fixture
def odd_names(personas):
    """A municipality, a screening rule and a file with control characters in their
    texts, and one deleted comment (screened: it names a private person)."""
    p = personas
    p.municipality.name = MUNICIPALITY
    p.municipality.save(update_fields=["name"])
    screening_rule_set(
        actor=p.archivist,
        municipality=p.municipality,
        reason=ScreeningReason.PERSONAL_DATA,
        access_code="13\x01",
        authority=AUTHORITY,
        now=DAY,
    )
    record = archive_append(
        actor=p.communications,
        entry=deleted_comment(
            p,
            make_channel(p),
            media=(MediaFile("bilde.p\x0bng", "image/png\x1f", PNG),),
        ),
        now=DAY,
    )
    return p, record


def _export(p, fmt: str, tmp_path: Path) -> Path:
    out = tmp_path / fmt
    result = run_export(
        municipality=p.municipality,
        fmt=fmt,
        since=SINCE,
        until=UNTIL,
        out_dir=out,
        requested_by=ORDERED_BY,
        now=NOW,
    )
    assert result.records == 1
    return out


def test_fiks_export_sanitises_names_from_the_database(odd_names, tmp_path):
    p, record = odd_names
    out = _export(p, "fiks-arkiv", tmp_path)

    ns = {"f": FIKS, "m": MDK}
    (folder,) = (out / "mapper").iterdir()
    _validate(folder / "arkivmelding.xml", "fiks-arkiv")
    folder_xml = folder / "arkivmelding.xml"
    assert _texts(folder_xml, "//f:saksansvarlig/m:navn/text()", ns) == [ORDERED_BY_SAFE]
    assert _texts(folder_xml, "//f:administrativEnhet/m:navn/text()", ns) == [MUNICIPALITY_SAFE]
    message = out / "poster" / f"{record.sequence:06d}" / "arkivmelding.xml"
    _validate(message, "fiks-arkiv")
    assert _texts(message, "//f:skjerming/f:skjermingshjemmel/text()", ns) == [AUTHORITY_SAFE]
    assert _texts(message, "//f:skjerming/f:tilgangsrestriksjon/m:kode/text()", ns) == ["13\ufffd"]
    # The attachment goes as it is (production format), named and typed sanitised.
    assert "image/png\ufffd" in _texts(message, "//f:dokumentobjekt/f:mimeType/text()", ns)
    assert "bilde.p\ufffdng" in _texts(message, "//f:dokumentobjekt/f:filnavn/text()", ns)
    assert (message.parent / f"vedlegg-{record.sequence:06d}-1.png").read_bytes() == PNG
    readme = (out / "LES-MEG.txt").read_text()
    assert MUNICIPALITY_SAFE in readme and ORDERED_BY_SAFE in readme


def test_eformidling_export_sanitises_names_from_the_database(odd_names, tmp_path):
    p, record = odd_names
    out = _export(p, "eformidling", tmp_path)

    message = out / f"{record.sequence:06d}" / "arkivmelding.xml"
    _validate(message, "eformidling")
    ns = {"e": EFM}
    assert _texts(message, "//e:mappe/e:saksansvarlig/text()", ns) == [ORDERED_BY_SAFE]
    assert _texts(message, "//e:mappe/e:administrativEnhet/text()", ns) == [MUNICIPALITY_SAFE]
    assert _texts(message, "//e:skjerming/e:skjermingshjemmel/text()", ns) == [AUTHORITY_SAFE]
    assert MUNICIPALITY_SAFE in (out / "LES-MEG.txt").read_text()


def test_noark5_export_sanitises_names_from_the_database(odd_names, tmp_path):
    p, _record = odd_names
    out = _export(p, "noark5-uttrekk", tmp_path)

    for name in ("arkivstruktur", "loependeJournal", "offentligJournal", "endringslogg"):
        _validate(out / f"{name}.xml", name)
    _validate(out / "arkivuttrekk.xml", "addml")
    structure = out / "arkivstruktur.xml"
    ns = {"n": N5}
    assert _texts(structure, "/n:arkiv/n:avsluttetAv/text()", ns) == [ORDERED_BY_SAFE]
    assert _texts(structure, "//n:arkivskaperNavn/text()", ns) == [MUNICIPALITY_SAFE]
    assert _texts(structure, "/n:arkiv/n:tittel/text()", ns) == [
        f"{MUNICIPALITY_SAFE} – sosiale medier"
    ]
    assert set(_texts(structure, "//n:mappe/n:administrativEnhet/text()", ns)) == {
        MUNICIPALITY_SAFE
    }
    assert set(_texts(structure, "//n:mappe/n:saksansvarlig/text()", ns)) == {ORDERED_BY_SAFE}
    assert set(_texts(structure, "//n:registrering/n:arkivertAv/text()", ns)) == {ORDERED_BY_SAFE}
    assert _texts(structure, "//n:skjerming/n:skjermingshjemmel/text()", ns) == [AUTHORITY_SAFE]
    running = out / "loependeJournal.xml"
    assert _texts(running, "//j:arkivskaperNavn/text()", {"j": LJ}) == [MUNICIPALITY_SAFE]
    assert _texts(running, "//j:skjermingshjemmel/text()", {"j": LJ}) == [AUTHORITY_SAFE]
    log = out / "endringslogg.xml"
    assert _texts(log, "//l:endretAv/text()", {"l": LOG}) == [ORDERED_BY_SAFE]
    addml = out / "arkivuttrekk.xml"
    creators = _texts(
        addml, "//a:additionalElement[@name='recordCreator']/a:value/text()", {"a": ADDML}
    )
    assert creators == [MUNICIPALITY_SAFE]
    readme = (out / "LES-MEG.txt").read_text()
    assert MUNICIPALITY_SAFE in readme and ORDERED_BY_SAFE in readme
    assert AUTHORITY_SAFE in readme
