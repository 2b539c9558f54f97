"""Exports (AR-2): Fiks Arkiv and eFormidling arkivmelding, Noark 5 arkivuttrekk — each
file validated against the official XSD (here a second time, with xmlschema), every
checksum true, public titles and the public journal free of personal data."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from ordstyrer.archive.entry import Kind, MediaFile, Person
from ordstyrer.archive.exporters import ExportError, run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR, validate_file
from ordstyrer.archive.services import archive_append, journal_item
from ordstyrer.language.pii import find_personal_data
from tests.archive.conftest import CONFIDENTIAL, PNG, deleted_comment, inquiry, make_channel
from tests.factories import archived, ban_note

pytestmark = pytest.mark.django_db

SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
FIKS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
EFM = "http://www.arkivverket.no/standarder/noark5/arkivmelding"
N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"


@cache
def xsd(relative: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_DIR / relative))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sums(out: Path) -> None:
    lines = (out / "SHA256SUMS").read_text().splitlines()
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {line.split("  ", 1)[1] for line in lines} == files - {"SHA256SUMS"}
    for line in lines:
        digest, name = line.split("  ", 1)
        assert sha(out / name) == digest, name


def archive_sample(p):
    """Five records of every kind in May 2025, one confidential, one with a WebP file."""
    channel = make_channel(p, "Rissa skole")
    hateful = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY
    )
    # Archived now, outside the period: number 2 is in no export below.
    journal_item(actor=p.employee, entry=inquiry(p, channel))
    question = archive_append(
        actor=p.employee,
        entry=inquiry(
            p,
            channel,
            kind=Kind.JOURNAL_INBOUND,
            journal=True,
            confidentiality=CONFIDENTIAL,
            idempotency_key="q",
        ),
        backdated_to=DAY.replace(hour=11),
    )
    reply = archived(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=12),
        kind=Kind.JOURNAL_OUTBOUND,
        journal=True,
        text="Send søknaden til postmottak. Hilsen Kari",
        channel=channel,
        recipient=Person("Marit Haugen"),
        refers_to=question,
        action="reply",
    )
    note = ban_note(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=13),
        text="Brukeren er utestengt.",
        ground="hate_speech",
        channel=channel,
    )
    post = archived(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=14),
        kind=Kind.OWN_POST,
        text="Skolen er stengt i morgen.",
        channel=channel,
        media=(MediaFile("plakat.webp", "image/webp", b"RIFF0000WEBPVP8 "),),
    )
    return [hateful, question, reply, note, post]


def export(p, fmt: str, tmp_path: Path) -> Path:
    out = tmp_path / fmt
    result = run_export(municipality=p.municipality, fmt=fmt, since=SINCE, until=UNTIL, out_dir=out)
    # The record journaled without `now` lies outside May 2025 and is left out.
    assert result.records == 5
    return out


def test_fiks_arkiv(personas, tmp_path):
    p = personas
    records = archive_sample(p)
    out = export(p, "fiks-arkiv", tmp_path)
    schema = xsd("fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd")
    folders = sorted((out / "mapper").iterdir())
    assert [f.name for f in folders] == [
        "2025-henvendelser",
        "2025-innlegg",
        "2025-moderert-innhold",
        "2025-notater",
    ]
    for folder in folders:
        schema.validate(str(folder / "arkivmelding.xml"))
    ns = {"f": FIKS, "m": MDK}
    for record in records:
        folder = out / "poster" / f"{record.sequence:06d}"
        message = folder / "arkivmelding.xml"
        schema.validate(str(message))
        tree = etree.parse(str(message))
        files = [f for f in folder.iterdir() if f.name != "arkivmelding.xml"]
        assert int(tree.findtext("f:antallFiler", namespaces=ns)) == len(files)
        for obj in tree.iterfind(".//f:dokumentobjekt", ns):
            stored = folder / obj.findtext("f:referanseDokumentfil", namespaces=ns)
            assert obj.findtext("f:sjekksum", namespaces=ns) == sha(stored)
            assert int(obj.findtext("f:filstoerrelse", namespaces=ns)) == stored.stat().st_size
        variants = {
            obj.findtext("f:variantformat/m:kode", namespaces=ns): obj.findtext(
                "f:format/m:kode", namespaces=ns
            )
            for obj in tree.iterfind(".//f:dokumentbeskrivelse[1]/f:dokumentobjekt", ns)
        }
        assert variants["A"] == "fmt/477"
        post = tree.find("f:registrering", ns)
        key = post.find("f:referanseEksternNoekkel", ns)
        assert key.findtext("m:noekkel", namespaces=ns) == (
            f"{p.municipality.slug}:{record.sequence}:{record.hash[:16]}"
        )
        assert post.findtext("f:journalposttype/m:kode", namespaces=ns) == record.direction
        public = post.findtext("f:offentligTittel", namespaces=ns)
        assert public == record.public_title and not find_personal_data(public)
        assert ("Ola Nordmann" in post.findtext("f:tittel", namespaces=ns)) == (
            record is records[0]
        )
        # AR-2: whatever is withheld from the public is declared: the hateful comment and
        # the reply name a citizen, the question was captured as confidential.
        shield = post.find("f:skjerming", ns)
        assert (shield is not None) == (record in records[:3])
        if shield is not None:
            assert shield.findtext("f:tilgangsrestriksjon/m:kode", namespaces=ns) == "13"
            assert shield.findtext("f:skjermingshjemmel", namespaces=ns) == (
                "Offl. § 13 jf. fvl. § 13"
                if record.confidential
                else "Offl. § 13 jf. fvl. § 13 (1) nr. 1"
            )
            hidden = post.findtext("f:korrespondansepart/f:erSkjermet", namespaces=ns)
            assert hidden == "true"
    assert not (out / "poster" / "000002").exists()  # archived today, outside May 2025
    check_sums(out)


def test_eformidling(personas, tmp_path):
    p = personas
    records = archive_sample(p)
    out = export(p, "eformidling", tmp_path)
    schema = xsd("eformidling-arkivmelding/arkivmelding.xsd")
    ns = {"e": EFM}
    case_ids = {}
    for record in records:
        message = out / f"{record.sequence:06d}" / "arkivmelding.xml"
        schema.validate(str(message))
        tree = etree.parse(str(message))
        cases = tree.findall("e:mappe", ns)
        assert len(cases) == 1 and len(cases[0].findall("e:basisregistrering", ns)) == 1
        case_ids[record.kind] = cases[0].findtext("e:systemID", namespaces=ns)
        post = cases[0].find("e:basisregistrering", ns)
        assert (
            post.findtext("e:journalposttype", namespaces=ns)
            == {
                "I": "Inngående dokument",
                "U": "Utgående dokument",
                "X": "Organinternt dokument uten oppfølging",
            }[record.direction]
        )
        shielded = [e.text for e in post.iterfind("e:skjerming/e:skjermingMetadata", ns)]
        if record.confidential:
            # M502's values (Noark 5 v3.1 delivers the catalogue's texts), as the deposit.
            assert shielded == [
                "Skjerming tittel registrering - utvalgte ord",
                "Skjerming navn avsender",
            ]
        assert bool(shielded) == (record in records[:3])
    # Inquiry and reply are filed in the same case folder.
    assert case_ids[Kind.JOURNAL_INBOUND] == case_ids[Kind.JOURNAL_OUTBOUND]
    assert case_ids[Kind.DELETED_COMMENT] != case_ids[Kind.JOURNAL_INBOUND]
    check_sums(out)


def test_noark5_arkivuttrekk(personas, tmp_path):
    p = personas
    archive_sample(p)
    out = export(p, "noark5-uttrekk", tmp_path)
    for name, schema in [
        ("arkivstruktur.xml", "noark5-arkivuttrekk-v5.0/arkivstruktur.xsd"),
        ("endringslogg.xml", "noark5-arkivuttrekk-v5.0/endringslogg.xsd"),
        ("loependeJournal.xml", "noark5-arkivuttrekk-v5.0/loependeJournal.xsd"),
        ("offentligJournal.xml", "noark5-arkivuttrekk-v5.0/offentligJournal.xsd"),
        ("arkivuttrekk.xml", "addml-8.3/addml.xsd"),
    ]:
        xsd(schema).validate(str(out / name))
    for name in (
        "arkivstruktur",
        "metadatakatalog",
        "endringslogg",
        "loependeJournal",
        "offentligJournal",
    ):
        official = SCHEMA_DIR / "noark5-arkivuttrekk-v5.0" / f"{name}.xsd"
        assert (out / f"{name}.xsd").read_bytes() == official.read_bytes()
    assert not list(out.glob("*.partial"))
    ns = {"n": N5}
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    posts = structure.findall(".//n:registrering", ns)
    assert len(posts) == 5 and len(structure.findall(".//n:mappe", ns)) == 4
    references = []
    for obj in structure.iterfind(".//n:dokumentobjekt", ns):
        path = out / obj.findtext("n:referanseDokumentfil", namespaces=ns)
        assert obj.findtext("n:sjekksum", namespaces=ns) == sha(path)
        assert obj.findtext("n:sjekksumAlgoritme", namespaces=ns) == "SHA256"
        references.append(path.relative_to(out).as_posix())
    # Only archive formats: the PDF/A documents and the PNG, no raw JSON, no WebP.
    assert {Path(r).suffix for r in references} == {".pdf", ".png"}
    assert sorted(references) == sorted(
        f.relative_to(out).as_posix() for f in (out / "DOKUMENT").rglob("*") if f.is_file()
    )
    addml = etree.parse(str(out / "arkivuttrekk.xml"))
    a = {"a": "http://www.arkivverket.no/standarder/addml"}
    for data_object in addml.iterfind(".//a:dataObject/a:dataObjects/a:dataObject", a):
        for file_prop in data_object.iterfind(".//a:property[@name='file']", a):
            name = file_prop.findtext("a:properties/a:property[@name='name']/a:value", namespaces=a)
            digest = file_prop.findtext(
                ".//a:property[@name='checksum']//a:property[@name='value']/a:value", namespaces=a
            )
            if digest:
                assert digest == sha(out / name), name
    counts = {
        p_.findtext("a:value", namespaces=a): p_.findtext(
            "a:properties/a:property[@name='value']/a:value", namespaces=a
        )
        for p_ in addml.iterfind(".//a:property[@name='numberOfOccurrences']", a)
    }
    assert counts == {"mappe": "4", "registrering": "5", "endring": "1", "journalregistrering": "5"}
    public = (out / "offentligJournal.xml").read_text()
    running = (out / "loependeJournal.xml").read_text()
    assert "Ola Nordmann" in running and "Ola Nordmann" not in public
    assert "Marit Haugen" not in public and "Skjermet" in public
    assert "<tittel>" not in public.replace("<offentligTittel>", "")
    check_sums(out)


def test_period_boundaries_follow_norwegian_dates(personas, tmp_path):
    p = personas
    late = datetime(2025, 5, 31, 21, 30, tzinfo=UTC)  # 23:30 in Oslo, still 31 May
    after = datetime(2025, 5, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 June in Oslo
    archive_append(actor=None, entry=deleted_comment(p, media=()), backdated_to=late)
    archive_append(actor=None, entry=deleted_comment(p, media=()), backdated_to=after)
    result = run_export(
        municipality=p.municipality,
        fmt="eformidling",
        since=SINCE,
        until=UNTIL,
        out_dir=tmp_path / "e",
    )
    assert result.records == 1 and (tmp_path / "e" / "000001").is_dir()


def test_refusals_leave_nothing_behind(personas, tmp_path, monkeypatch):
    p = personas
    with pytest.raises(ExportError, match="Ingen arkivposter"):
        run_export(
            municipality=p.municipality,
            fmt="fiks-arkiv",
            since=SINCE,
            until=UNTIL,
            out_dir=tmp_path / "empty",
        )
    assert not (tmp_path / "empty").exists()
    archive_append(actor=None, entry=deleted_comment(p, media=()), backdated_to=DAY)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.txt").write_text("x")
    with pytest.raises(ExportError, match="ikke tom"):
        run_export(
            municipality=p.municipality, fmt="fiks-arkiv", since=SINCE, until=UNTIL, out_dir=busy
        )
    assert (busy / "old.txt").exists()
    # A message that breaks the schema is never written.
    from ordstyrer.archive.exporters import fiks

    real = fiks.record_message

    def broken(item):
        tree = real(item)
        tree.find(f"{{{FIKS}}}system").tag = f"{{{FIKS}}}systemet"
        return tree

    monkeypatch.setattr(fiks, "record_message", broken)
    with pytest.raises(ExportError, match="skjemaet"):
        run_export(
            municipality=p.municipality,
            fmt="fiks-arkiv",
            since=SINCE,
            until=UNTIL,
            out_dir=tmp_path / "bad",
        )
    assert not (tmp_path / "bad").exists()


def test_validate_file_rejects_an_invalid_structure(tmp_path):
    bad = tmp_path / "arkivstruktur.xml"
    bad.write_text(f'<?xml version="1.0"?><arkiv xmlns="{N5}"><tittel>x</tittel></arkiv>')
    with pytest.raises(ExportError, match="arkivstruktur"):
        validate_file(bad, "arkivstruktur")


def test_export_command(personas, tmp_path, capsys):
    p = personas
    archive_append(
        actor=None,
        entry=deleted_comment(p, media=(MediaFile("a.png", "image/png", PNG),)),
        backdated_to=DAY,
    )
    out = tmp_path / "uttrekk"
    call_command(
        "archive",
        "export",
        "--municipality",
        p.municipality.slug,
        "--format",
        "noark5-uttrekk",
        "--since",
        "2025-05-01",
        "--until",
        "2025-05-31",
        "--out",
        str(out),
    )
    assert "Eksporterte 1 arkivposter" in capsys.readouterr().out
    assert (out / "arkivuttrekk.xml").is_file()
    with pytest.raises(CommandError) as caught:
        call_command(
            "archive",
            "export",
            "--municipality",
            p.municipality.slug,
            "--format",
            "fiks-arkiv",
            "--since",
            "2025-05-01",
            "--until",
            "2025-04-01",
            "--out",
            str(tmp_path / "x"),
        )
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command(
            "archive",
            "export",
            "--municipality",
            p.municipality.slug,
            "--format",
            "fiks-arkiv",
            "--since",
            "2024-01-01",
            "--until",
            "2024-12-31",
            "--out",
            str(tmp_path / "y"),
        )
    assert caught.value.returncode == 1 and "Ingen arkivposter" in str(caught.value)
