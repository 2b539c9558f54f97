"""Exports and odd data (AR-2, AR-3).

Free text from the database — the name of the person who ordered the export, the
municipality's name, the screening table's legal basis, a file's media type and name —
goes through the exports' sanitiser, so one control character pasted from Word does
not stop an export. The Noark 5 deposit holds archive formats only: a still image in
another format is converted to PNG and the conversion logged; a file that cannot be
converted is listed with its reason, never silently left out."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from PIL import Image
from PIL import __version__ as PILLOW_VERSION

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
        backdated_to=DAY,
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
    # M605: arkivertAv is who archived the record, not who ordered the export.
    assert _texts(structure, "//n:registrering/n:arkivertAv/text()", ns) == _texts(
        structure, "//n:registrering/n:opprettetAv/text()", ns
    )
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


# --- Noark 5: files not in an archive format are converted, or listed — never dropped --


def _gif(frames: int = 3) -> bytes:
    """An animated GIF 89a: `frames` frames of 4×3 pixels, each in its own colour."""
    images = []
    for index in range(frames):
        image = Image.new("P", (4, 3), index)
        image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
        image.putpixel((0, 0), (index + 1) % 4)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100)
    return out.getvalue()


def _image(fmt: str, mode: str = "RGB", **params) -> bytes:
    image = Image.new(mode, (5, 4), (10, 20, 30, 200)[: len(mode)])
    image.putpixel((1, 1), (200, 100, 50, 255)[: len(mode)])
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)
        return image.convert("RGBA").tobytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _deposit(p, tmp_path: Path, media: tuple[MediaFile, ...]):
    record = archive_append(
        actor=p.communications,
        entry=deleted_comment(p, make_channel(p), media=media),
        backdated_to=DAY,
    )
    out = tmp_path / "noark5-uttrekk"
    run_export(
        municipality=p.municipality,
        fmt="noark5-uttrekk",
        since=SINCE,
        until=UNTIL,
        out_dir=out,
        requested_by="Kari Nordmann",
        now=NOW,
    )
    for name in ("arkivstruktur", "loependeJournal", "offentligJournal", "endringslogg"):
        _validate(out / f"{name}.xml", name)
    _validate(out / "arkivuttrekk.xml", "addml")
    sums: dict[str, str] = {}
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    assert sums["konverteringslogg.txt"] == _sha((out / "konverteringslogg.txt").read_bytes())
    for name, digest in sums.items():
        assert _sha((out / name).read_bytes()) == digest, name
    return record, out, etree.parse(str(out / "arkivstruktur.xml"))


def _log_rows(out: Path) -> list[list[str]]:
    lines = (out / "konverteringslogg.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert rows[0][0] == "handling" and all(len(row) == len(rows[0]) for row in rows)
    return rows[1:]


def test_noark5_deposit_converts_still_images_to_png_and_logs_each_conversion(personas, tmp_path):
    """A citizen's GIF, WebP or BMP in a deleted comment used to be simply absent from the
    deposit. Each is converted to PNG (every pixel kept; of an animation the first frame),
    checksummed as converted, and the conversion is on the dokumentobjekt (Noark 5)."""
    gif = _gif(frames=3)
    webp = _image("WEBP", "RGBA", lossless=True)
    bmp = _image("BMP")
    record, out, structure = _deposit(
        personas,
        tmp_path,
        (
            MediaFile("hilsen.gif", "image/gif", gif),
            MediaFile("plakat.webp", "image/webp", webp),
            MediaFile("skjerm.bmp", "image/bmp", bmp),
            MediaFile("bilde.png", "image/png", PNG),
        ),
    )

    ns = {"n": N5}
    objects = structure.findall(".//n:dokumentobjekt", ns)
    by_file = {Path(o.findtext("n:referanseDokumentfil", namespaces=ns)).name: o for o in objects}
    seq = f"{record.sequence:06d}"
    expected = {
        f"vedlegg-{seq}-1.png": (gif, "fmt/4", "animasjon med 3 bilder"),
        f"vedlegg-{seq}-2.png": (webp, "fmt/567", None),
        f"vedlegg-{seq}-3.png": (bmp, "fmt/116", None),
    }
    assert set(by_file) == {f"arkivpost-{seq}.pdf", f"vedlegg-{seq}-4.png", *expected}
    for name, (original, from_format, note) in expected.items():
        obj = by_file[name]
        data = (out / "DOKUMENT" / seq / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert _pixels(data) == _pixels(original), name  # lossless (the first frame)
        assert obj.findtext("n:variantformat", namespaces=ns) == "Arkivformat"
        assert obj.findtext("n:format", namespaces=ns) == "fmt/13"
        assert obj.findtext("n:sjekksum", namespaces=ns) == _sha(data)
        assert obj.findtext("n:filstoerrelse", namespaces=ns) == str(len(data))
        (conversion,) = obj.findall("n:konvertering", ns)
        values = {child.tag.split("}")[1]: child.text for child in conversion}
        assert values["konvertertDato"] == "2025-06-02T11:30:00+02:00"  # the export's time
        assert values["konvertertAv"] == "Kari Nordmann"
        assert values["konvertertFraFormat"] == from_format
        assert values["konvertertTilFormat"] == "fmt/13"
        assert values["konverteringsverktoey"] == f"Pillow {PILLOW_VERSION}"
        if note:
            assert note in values["konverteringskommentar"]
            assert "bare det første bildet er bevart" in values["konverteringskommentar"]
        else:
            assert "tapsfritt" in values["konverteringskommentar"]
    # The PNG that was one already, and the PDF/A, are not conversions.
    assert by_file[f"vedlegg-{seq}-4.png"].find("n:konvertering", ns) is None
    assert by_file[f"vedlegg-{seq}-4.png"].findtext("n:sjekksum", namespaces=ns) == _sha(PNG)
    assert structure.find(".//n:merknad", ns) is None

    rows = _log_rows(out)
    assert [(r[0], r[1], r[4].split()[0], r[6], r[7].split()[0]) for r in rows] == [
        ("konvertert", str(record.sequence), fmt, f"DOKUMENT/{seq}/{name}", "fmt/13")
        for name, (_data, fmt, _note) in expected.items()
    ]
    assert [r[5] for r in rows] == [_sha(data) for data, _f, _n in expected.values()]
    readme = (out / "LES-MEG.txt").read_text()
    assert "Konverterte filer: 3, filer som ikke er avlevert: 0" in readme


def test_noark5_deposit_lists_a_file_it_cannot_convert_with_the_reason(personas, tmp_path):
    """A QuickTime video and a broken image cannot be made into an archive format. They
    stay out of DOKUMENT/, but not silently: the journalpost has a merknad with the
    reason, the conversion log lists them with their checksums, the PDF/A stays."""
    movie = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 64
    broken = _gif(frames=1)[:-20]  # cut off: no trailer
    record, out, structure = _deposit(
        personas,
        tmp_path,
        (
            MediaFile("film.mov", "video/quicktime", movie),
            MediaFile("ødelagt.gif", "image/gif", broken),
        ),
    )

    seq = f"{record.sequence:06d}"
    assert sorted(f.name for f in (out / "DOKUMENT" / seq).iterdir()) == [f"arkivpost-{seq}.pdf"]
    ns = {"n": N5}
    (post,) = structure.findall(".//n:registrering", ns)
    notes = post.findall("n:merknad", ns)
    assert len(notes) == 2
    texts = [n.findtext("n:merknadstekst", namespaces=ns) for n in notes]
    assert "Vedlegg 1 «film.mov» er ikke med i uttrekket" in texts[0]
    assert "QuickTime (video/quicktime)" in texts[0] and "konverterer ikke video" in texts[0]
    assert _sha(movie) in texts[0]
    assert "Vedlegg 2 «ødelagt.gif» er ikke med i uttrekket" in texts[1]
    assert "skadet, avkortet" in texts[1] and _sha(broken) in texts[1]
    for note in notes:
        assert note.findtext("n:merknadsdato", namespaces=ns) == "2025-06-02T11:30:00+02:00"
        assert note.findtext("n:merknadRegistrertAv", namespaces=ns) == "Kari Nordmann"
    assert post.findtext("n:antallVedlegg", namespaces=ns) == "0"
    assert structure.find(".//n:konvertering", ns) is None

    rows = _log_rows(out)
    assert [(r[0], r[2], r[3], r[4].split()[0], r[5], r[6]) for r in rows] == [
        ("ikke avlevert", "Vedlegg 1: film.mov", "video/quicktime", "x-fmt/384", _sha(movie), "–"),
        ("ikke avlevert", "Vedlegg 2: ødelagt.gif", "image/gif", "fmt/4", _sha(broken), "–"),
    ]
    readme = (out / "LES-MEG.txt").read_text()
    assert "Konverterte filer: 0, filer som ikke er avlevert: 2" in readme


def test_arkivmelding_exports_still_send_the_original_file(personas, tmp_path):
    """Fiks Arkiv and eFormidling send single messages, not deposits: the original GIF
    goes as it is (production format), unconverted."""
    p = personas
    gif = _gif()
    record = archive_append(
        actor=p.communications,
        entry=deleted_comment(
            p, make_channel(p), media=(MediaFile("hilsen.gif", "image/gif", gif),)
        ),
        backdated_to=DAY,
    )
    seq = f"{record.sequence:06d}"
    fiks_out = _export(p, "fiks-arkiv", tmp_path)
    assert (fiks_out / "poster" / seq / f"vedlegg-{seq}-1.gif").read_bytes() == gif
    efm_out = _export(p, "eformidling", tmp_path)
    assert (efm_out / seq / f"vedlegg-{seq}-1.gif").read_bytes() == gif
