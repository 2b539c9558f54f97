"""The Arkade-style deposit check (AR-2): the demo's Noark 5 deposit passes it, each kind
of damage fails the test Arkade 5 would fail, the export refuses to finish a deposit
that fails, and `ordstyrer archive check-deposit` reports in Norwegian with exit 0/1."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from lxml import etree

from ordstyrer.archive.demo import setup_demo_archive
from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.exporters import ExportError, run_export
from ordstyrer.archive.exporters.common import ExportResult
from ordstyrer.archive.exports import archive_export_request
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from tests.archive.conftest import make_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
ADDML = "http://www.arkivverket.no/standarder/addml"


@pytest.fixture
def demo(personas):
    p = personas
    person_with_roles(p.municipality, "communications", username="kommunikasjon")
    make_channel(p, p.municipality.name)
    setup_demo_archive(p.municipality)
    return p


def deposit(p, out: Path) -> Path:
    # As the outside check ran it: everything since 2000, up to yesterday (a
    # deposit takes only days that are over, AR-3; the demo's records are two days old).
    run_export(
        municipality=p.municipality,
        fmt="noark5-uttrekk",
        since=date(2000, 1, 1),
        until=timezone.localdate() - timedelta(days=1),
        out_dir=out,
    )
    return out


def failed(out: Path) -> set[str]:
    return {c.test for c in check_deposit(out).failed}


def test_the_demo_deposit_passes_and_declares_its_screening(demo, tmp_path, capsys):
    out = deposit(demo, tmp_path / "uttrekk")
    report = check_deposit(out)
    assert report.ok, report.text()
    # N5.60: the journals cover the first to the last registrering, not the --since date.
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    created = sorted(
        structure.xpath("//n:registrering/n:opprettetDato/text()", namespaces={"n": N5})
    )
    for journal in ("loependeJournal", "offentligJournal"):
        text = (out / f"{journal}.xml").read_text()
        assert f"<journalStartDato>{created[0][:10]}</journalStartDato>" in text
        assert f"<journalSluttDato>{created[-1][:10]}</journalSluttDato>" in text
        assert "<mappeID>" not in text  # N5.03: Arkade 5's v5.0 journal schemas lack it
    # Every name the public journal withholds is declared on its registrering (PU-1).
    public = (out / "offentligJournal.xml").read_text()
    assert public.count("<korrespondansepartNavn>Skjermet<") >= 3
    posts = structure.findall(f".//{{{N5}}}registrering")
    shields = {p.findtext(f"{{{N5}}}systemID"): p.find(f"{{{N5}}}skjerming") for p in posts}
    for entry in etree.parse(str(out / "offentligJournal.xml")).iter(
        "{http://www.arkivverket.no/standarder/noark5/offentligJournal}journalpost"
    ):
        names = [n.text for n in entry.iter("{*}korrespondansepartNavn")]
        if "Skjermet" in names:
            shield = shields[entry.findtext("{*}systemID")]
            assert shield is not None
            values = {m.text for m in shield.iter("{*}skjermingMetadata")}
            assert values & {"Skjerming navn avsender", "Skjerming navn mottaker"}  # M502
    # The hateful comment went to the police: offl. § 24; the others personal data: § 13.
    authorities = {s.findtext("{*}skjermingshjemmel") for s in shields.values() if s is not None}
    assert authorities == {"Offl. § 24", "Offl. § 13 jf. fvl. § 13 (1) nr. 1"}
    addml = (out / "arkivuttrekk.xml").read_text()
    assert re.search(r'name="inneholderSkjermetInformasjon"[^>]*>\s*<value>true<', addml)
    note = (out / "LES-MEG.txt").read_text()
    for expected in ("N5.29", "fmt/477", "N5.03", "5.5.0 Vedlikehold", "Offl. § 24"):
        assert expected in note, expected
    call_command("archive", "check-deposit", str(out))
    output = capsys.readouterr().out
    assert "OK    N5.60" in output and "kan avleveres" in output


def _resum(out: Path, name: str, before: str) -> None:
    """Keep arkivuttrekk.xml's checksum of `name` true, so only the targeted test fails."""
    addml = out / "arkivuttrekk.xml"
    after = hashlib.sha256((out / name).read_bytes()).hexdigest()
    addml.write_text(addml.read_text().replace(before, after))


def _edit(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def tamper(out: Path) -> None:
        path = out / name
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        text = path.read_text()
        changed = change(text)
        assert changed != text, "the tampering must change the file"
        path.write_text(changed)
        _resum(out, name, before)

    return tamper


def _first_document(out: Path) -> Path:
    return sorted((out / "DOKUMENT").rglob("*.pdf"))[0]


def _corrupt_document(out: Path) -> None:
    path = _first_document(out)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))


def _stray_document(out: Path) -> None:
    (out / "DOKUMENT" / "løs-fil.pdf").write_bytes(b"%PDF-1.7 stray")


TAMPERING = {
    "a document's bytes changed": (_corrupt_document, {"N5.30/32/33/64"}),
    "a document removed": (lambda out: _first_document(out).unlink(), {"N5.30/32/33/64", "N5.28"}),
    "an unreferenced document added": (_stray_document, {"N5.30/32/33/64", "N5.28"}),
    "an XML file changed behind ADDML's back": (
        lambda out: (out / "endringslogg.xml").write_text(
            (out / "endringslogg.xml").read_text().replace("Avsluttet periode", "Avsluttet")
        ),
        {"N5.02"},
    ),
    "the journals dated by the requested period": (
        lambda out: [
            _edit(
                name,
                lambda t: re.sub(r"<journalStartDato>[^<]+<", "<journalStartDato>2000-01-01<", t),
            )(out)
            for name in ("loependeJournal.xml", "offentligJournal.xml")
        ],
        {"N5.60"},
    ),
    "a journal with mappeID (2023 schemas only)": (
        _edit(
            "offentligJournal.xml",
            lambda t: t.replace(
                "<saksmappe><saksaar>", "<saksmappe><mappeID>1/1</mappeID><saksaar>", 1
            ),
        ),
        {"N5.03"},
    ),
    "a screening removed from arkivstruktur.xml": (
        _edit(
            "arkivstruktur.xml",
            lambda t: re.sub(r"<skjerming>.*?</skjerming>", "", t, count=1, flags=re.S),
        ),
        {"N5.42"},
    ),
    "screening declared absent in ADDML": (
        lambda out: (out / "arkivuttrekk.xml").write_text(
            re.sub(
                r'(name="inneholderSkjermetInformasjon"[^>]*>\s*<value>)true',
                r"\1false",
                (out / "arkivuttrekk.xml").read_text(),
            )
        ),
        {"N5.42"},
    ),
    "a duplicated systemID": (
        _edit(
            "arkivstruktur.xml",
            lambda t: t.replace(
                re.findall(r"<dokumentbeskrivelse>\s*<systemID>([^<]+)<", t)[1],
                re.findall(r"<dokumentbeskrivelse>\s*<systemID>([^<]+)<", t)[0],
            ),
        ),
        {"N5.47"},
    ),
    "a wrong registrering count in ADDML": (
        lambda out: (out / "arkivuttrekk.xml").write_text(
            re.sub(
                r'(<value>registrering</value>.*?name="value"[^>]*>\s*<value>)(\d+)',
                lambda m: m.group(1) + str(int(m.group(2)) + 1),
                (out / "arkivuttrekk.xml").read_text(),
                count=1,
                flags=re.S,
            )
        ),
        {"N5.10/16/61"},
    ),
    "a journal missing a post": (
        _edit(
            "loependeJournal.xml",
            lambda t: re.sub(
                r"<journalregistrering[^>]*>.*?</journalregistrering>", "", t, count=1, flags=re.S
            ),
        ),
        {"N5.59", "N5.10/16/61"},  # the journal's head and ADDML's count both disagree
    ),
}


def test_each_tampering_fails_the_right_check(demo, tmp_path):
    pristine = deposit(demo, tmp_path / "uttrekk")
    assert not failed(pristine)
    for name, (tamper, expected) in TAMPERING.items():
        out = tmp_path / re.sub(r"\W+", "-", name)
        shutil.copytree(pristine, out)
        tamper(out)
        assert failed(out) == expected, name


def test_the_cross_file_checks_name_what_is_wrong(demo, tmp_path):
    """The checks that compare across files (kept in a scratch SQLite file, so that a
    100,000-record export stays within its memory) name each fault as before, and leave
    nothing beside the package."""
    out = tmp_path / "uttrekk"
    shutil.copytree(deposit(demo, tmp_path / "pristine"), out)
    ids = re.findall(
        r"<dokumentbeskrivelse>\s*<systemID>([^<]+)<", (out / "arkivstruktur.xml").read_text()
    )
    _edit("arkivstruktur.xml", lambda t: t.replace(ids[1], ids[0]))(out)
    dangling = "00000000-0000-4000-8000-000000000000"
    _edit(
        "endringslogg.xml",
        lambda t: re.sub(r"<referanseArkivenhet>[^<]+<", f"<referanseArkivenhet>{dangling}<", t),
    )(out)
    documents = len([p for p in (out / "DOKUMENT").rglob("*") if p.is_file()])
    _stray_document(out)
    police = next(
        post.findtext("{*}systemID")
        for post in etree.parse(str(out / "loependeJournal.xml")).iter("{*}journalpost")
        if post.findtext("{*}skjermingshjemmel") == "Offl. § 24"
    )
    _edit(
        "loependeJournal.xml",
        lambda t: t.replace("<skjermingshjemmel>Offl. § 24<", "<skjermingshjemmel>Offl. § 14<"),
    )(out)
    beside = sorted(tmp_path.iterdir())

    errors = {check.test: check.errors for check in check_deposit(out).failed}

    assert errors == {
        "N5.47": [f"systemID {ids[0]} finnes 2 ganger"],
        "N5.62": [f"endringsloggen viser til {dangling}, som ikke finnes"],
        "N5.28": [
            f"arkivuttrekk.xml sier {documents} dokumentfiler, DOKUMENT/ har {documents + 1}"
        ],
        "N5.30/32/33/64": ["DOKUMENT/løs-fil.pdf er ikke referert fra arkivstruktur.xml"],
        "N5.42": [f"journalpost {police} har en annen skjermingshjemmel i journalen"],
    }
    assert sorted(tmp_path.iterdir()) == beside


def test_check_deposit_command_fails_with_exit_1(demo, tmp_path, capsys):
    out = deposit(demo, tmp_path / "uttrekk")
    _corrupt_document(out)
    with pytest.raises(CommandError) as raised:
        call_command("archive", "check-deposit", str(out))
    assert raised.value.returncode == 1
    output = capsys.readouterr().out
    assert "FEIL  N5.30/32/33/64" in output and "sjekksummen stemmer ikke" in output
    assert "kan ikke avleveres" in output
    with pytest.raises(CommandError) as raised:
        call_command("archive", "check-deposit", str(tmp_path / "finnes-ikke"))
    assert raised.value.returncode == 2


def test_check_deposit_reports_a_missing_file_without_a_traceback(tmp_path):
    (tmp_path / "arkivuttrekk.xml").write_text("<ikke-addml/>")
    report = check_deposit(tmp_path)
    assert not report.ok and "mangler arkivstruktur.xml" in report.text()


def _faulty_disk(monkeypatch) -> None:
    """A disk that flips a byte of every document file after its checksum is taken."""
    original = ExportResult.add

    def add(self, relative: str, data: bytes) -> str:
        digest = original(self, relative, data)
        if relative.startswith("DOKUMENT/"):
            (self.out_dir / relative).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        return digest

    monkeypatch.setattr(ExportResult, "add", add)


def test_the_export_refuses_a_deposit_that_fails(demo, tmp_path, monkeypatch):
    _faulty_disk(monkeypatch)
    out = tmp_path / "uttrekk"
    with pytest.raises(ExportError, match="N5.30/32/33/64"):
        deposit(demo, out)
    assert not out.exists()  # nothing is left to be taken for a finished deposit


def test_a_console_export_that_fails_the_check_is_marked_failed(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    _faulty_disk(monkeypatch)
    # The deposit takes only days that are over (AR-3): the next day, up to yesterday.
    tomorrow = timezone.now() + timedelta(days=1)
    with (
        time_machine.travel(tomorrow, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        yesterday = timezone.localdate() - timedelta(days=1)
        job = archive_export_request(
            actor=demo.archivist,
            municipality=demo.municipality,
            fmt="noark5-uttrekk",
            since=yesterday - timedelta(days=7),
            until=yesterday,
        )
    job = ArchiveExport.objects.get(pk=job.pk)
    assert job.status == ExportStatus.FAILED and "består ikke kontrollen" in job.error
    assert not job.file_name
