"""The Noark 5 identifiers stay the same from one deposit to the next (AR-2, AR-3).

Noark 5's metadata catalogue: systemID (M001), mappeID (M003), sakssekvensnummer (M012)
and dokumentnummer (M007) «Skal ikke kunne endres», also between archive periods
deposited at different times; journalpostnummer (M015) is the order of the journal
posts in their case folder; arkivertDato/arkivertAv (M604/M605) «Kan ikke endres».
A record deposited in the first half of a year, again in a whole-year deposit, and its
neighbours deposited in the second half keep every number; and a document's or a file's
systemID names the same file in the Fiks Arkiv export and in the deposit.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from PIL import Image

from ordstyrer.archive.entry import Kind, MediaFile, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR, iso_local
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import PNG, deleted_comment, inquiry, make_channel
from tests.factories import archived, ban_note

pytestmark = pytest.mark.django_db

N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
FIKS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
SCHEMAS = {
    "arkivstruktur.xml": "noark5-arkivuttrekk-v5.0/arkivstruktur.xsd",
    "loependeJournal.xml": "noark5-arkivuttrekk-v5.0/loependeJournal.xsd",
    "offentligJournal.xml": "noark5-arkivuttrekk-v5.0/offentligJournal.xsd",
}


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=UTC)


def deposit(p, since: date, until: date, now: datetime, out: Path) -> Path:
    run_export(
        municipality=p.municipality,
        fmt="noark5-uttrekk",
        since=since,
        until=until,
        out_dir=out,
        now=now,
        requested_by="Arkivar Anne",
    )
    for name, schema in SCHEMAS.items():
        xmlschema.XMLSchema(str(SCHEMA_DIR / schema)).validate(str(out / name))
    return out


def posts(out: Path) -> dict[int, dict[str, str]]:
    """Per record number: its folder's systemID and mappeID, its journalpostnummer and
    arkivertDato/Av in arkivstruktur.xml, and the case and post numbers of both journals."""
    found: dict[int, dict[str, str]] = {}
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    for folder in structure.iter(f"{{{N5}}}mappe"):
        for post in folder.iter(f"{{{N5}}}registrering"):
            found[int(post.findtext(f"{{{N5}}}journalsekvensnummer"))] = {
                "folder": folder.findtext(f"{{{N5}}}systemID"),
                "mappeID": folder.findtext(f"{{{N5}}}mappeID"),
                "case": folder.findtext(f"{{{N5}}}sakssekvensnummer"),
                "number": post.findtext(f"{{{N5}}}journalpostnummer"),
                "arkivertDato": post.findtext(f"{{{N5}}}arkivertDato"),
                "arkivertAv": post.findtext(f"{{{N5}}}arkivertAv"),
            }
    for journal in ("loependeJournal", "offentligJournal"):
        for entry in etree.parse(str(out / f"{journal}.xml")).iter("{*}journalregistrering"):
            sequence = int(entry.findtext("{*}journalpost/{*}journalsekvensnummer"))
            seen = found[sequence]
            case = entry.findtext("{*}saksmappe/{*}sakssekvensnummer")
            year = entry.findtext("{*}saksmappe/{*}saksaar")
            assert f"{year}/{case}" == seen["mappeID"], journal
            assert entry.findtext("{*}journalpost/{*}journalpostnummer") == seen["number"]
    return found


def test_case_and_journal_numbers_are_the_same_in_every_deposit(personas, tmp_path):
    """AR-2, AR-3 (M003, M012, M015, M604): a first-half deposit, a second-half one and
    a whole-year one, each made at another time, give each record the same folder,
    mappeID, journalpostnummer and arkivertDato; no number is given twice in a folder."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    comment = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel, media=()), backdated_to=at(3, 1)
    )
    first_inquiry = archive_append(
        actor=p.employee, entry=inquiry(p, channel, journal=True), backdated_to=at(3, 2)
    )
    second_inquiry = archive_append(
        actor=p.employee,
        entry=inquiry(p, channel, journal=True, author=Person("Per Li")),
        backdated_to=at(8, 1),
    )
    note = ban_note(
        p.municipality,
        actor=p.communications,
        now=at(8, 2),
        text="Brukeren er utestengt.",
        ground="hate_speech",
        channel=channel,
    )
    third_inquiry = archive_append(
        actor=p.employee,
        entry=inquiry(p, channel, journal=True, author=Person("Eva Dahl")),
        backdated_to=at(9, 1),
    )
    # Archived last, dated back into the first half (an import, a clock put right): its
    # number comes after every inquiry archived before it, in the first half's deposit too.
    late_inquiry = archive_append(
        actor=p.employee,
        entry=inquiry(p, channel, journal=True, author=Person("Ali Berg")),
        backdated_to=at(4, 1),
    )
    records = [comment, first_inquiry, second_inquiry, note, third_inquiry, late_inquiry]

    first = posts(deposit(p, date(2025, 1, 1), date(2025, 6, 30), at(7, 1), tmp_path / "h1"))
    later = datetime(2026, 1, 5, tzinfo=UTC)
    second = posts(deposit(p, date(2025, 7, 1), date(2025, 12, 31), later, tmp_path / "h2"))
    latest = datetime(2026, 3, 9, tzinfo=UTC)
    whole = posts(deposit(p, date(2025, 1, 1), date(2025, 12, 31), latest, tmp_path / "year"))

    assert set(first) == {comment.sequence, first_inquiry.sequence, late_inquiry.sequence}
    assert set(second) == {second_inquiry.sequence, note.sequence, third_inquiry.sequence}
    assert set(whole) == {r.sequence for r in records}
    for sequence, seen in [*first.items(), *second.items()]:
        assert seen == whole[sequence], sequence
    # The inquiries share one folder, numbered in record order in every deposit.
    inquiries = [
        whole[r.sequence] for r in (first_inquiry, second_inquiry, third_inquiry, late_inquiry)
    ]
    assert len({i["folder"] for i in inquiries}) == 1
    assert [i["number"] for i in inquiries] == ["1", "2", "3", "4"]
    # One folder id, one mappeID: none of them names two case folders.
    folders = {(s["folder"], s["mappeID"], s["case"]) for s in whole.values()}
    assert len({f[0] for f in folders}) == len({f[1] for f in folders}) == len(folders) == 3
    # No (folder, journalpostnummer) twice, across all three deposits.
    numbered = {}
    for deposit_posts in (first, second, whole):
        for sequence, seen in deposit_posts.items():
            assert numbered.setdefault((seen["folder"], seen["number"]), sequence) == sequence
    # arkivertDato/Av: when and by whom the record was archived, not the export.
    for record in records:
        assert whole[record.sequence]["arkivertDato"] == iso_local(record.archived_at)
        assert whole[record.sequence]["arkivertAv"] != "Arkivar Anne"


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _objects(root: etree._Element, ns: str) -> dict[str, tuple[str, str]]:
    """systemID of every dokumentobjekt → (its document's systemID and number, sjekksum)."""
    found = {}
    for document in root.iter(f"{{{ns}}}dokumentbeskrivelse"):
        for obj in document.iter(f"{{{ns}}}dokumentobjekt"):
            found[obj.findtext(f"{{{ns}}}systemID")] = (
                document.findtext(f"{{{ns}}}systemID"),
                document.findtext(f"{{{ns}}}dokumentnummer"),
                obj.findtext(f"{{{ns}}}sjekksum"),
            )
    return found


def test_a_document_and_a_file_have_one_id_in_fiks_arkiv_and_the_deposit(personas, tmp_path):
    """AR-2 (M001, M007): a record with a QuickTime video (left out of the deposit) and a
    JPEG, and one with a GIF (converted to PNG in the deposit): every dokumentobjekt's
    systemID names the same file (checksum) in Fiks Arkiv and in the deposit, each
    document keeps its number, and the PNG made for the deposit has an id of its own."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    jpeg, gif = _image("JPEG"), _image("GIF")
    mixed = archived(
        p.municipality,
        actor=p.communications,
        now=at(5, 16),
        kind=Kind.OWN_POST,
        text="Se videoen og bildet.",
        channel=channel,
        media=(
            MediaFile("film.mov", "video/quicktime", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"),
            MediaFile("bilde.jpg", "image/jpeg", jpeg),
        ),
    )
    animated = archived(
        p.municipality,
        actor=p.communications,
        now=at(5, 17),
        kind=Kind.OWN_POST,
        text="Et bilde.",
        channel=channel,
        media=(MediaFile("bilde.gif", "image/gif", gif), MediaFile("foto.png", "image/png", PNG)),
    )
    since, until = date(2025, 5, 1), date(2025, 5, 31)
    run_export(
        municipality=p.municipality,
        fmt="fiks-arkiv",
        since=since,
        until=until,
        out_dir=tmp_path / "fiks",
    )
    deposited = deposit(p, since, until, at(6, 1), tmp_path / "n5")

    in_fiks = {}
    for record in (mixed, animated):
        message = tmp_path / "fiks" / "poster" / f"{record.sequence:06d}" / "arkivmelding.xml"
        in_fiks |= _objects(etree.parse(str(message)).getroot(), FIKS)
    in_deposit = _objects(etree.parse(str(deposited / "arkivstruktur.xml")).getroot(), N5)

    shared = set(in_fiks) & set(in_deposit)
    for system_id in shared:
        assert in_fiks[system_id] == in_deposit[system_id], system_id
    documents_fiks = {(d, n) for d, n, _sum in in_fiks.values()}
    documents_deposit = {(d, n) for d, n, _sum in in_deposit.values()}
    assert documents_deposit <= documents_fiks  # same document id ↔ same number
    sums_deposit = {s for _d, _n, s in in_deposit.values()}
    # The JPEG is document 3 (after the main document and the video) in both.
    jpeg_objects = [v for v in in_deposit.values() if v[2] == _sha(jpeg)]
    assert [n for _d, n, _s in jpeg_objects] == ["3"]
    assert jpeg_objects[0] in in_fiks.values()
    # The GIF is document 2 in both; its PNG in the deposit is another file with another id.
    gif_in_fiks = [k for k, v in in_fiks.items() if v[2] == _sha(gif)]
    assert len(gif_in_fiks) == 1 and gif_in_fiks[0] not in in_deposit
    assert in_fiks[gif_in_fiks[0]][1] == "2"
    png_of_gif = [
        k for k, v in in_deposit.items() if v[1] == "2" and v[0] == in_fiks[gif_in_fiks[0]][0]
    ]
    assert len(png_of_gif) == 1 and png_of_gif[0] not in in_fiks
    assert _sha(PNG) in sums_deposit
    # The video is in Fiks Arkiv only, as document 2; no id of the deposit names it.
    video = [k for k, v in in_fiks.items() if v[1] == "2" and v[2] != _sha(gif)]
    assert len(video) == 1 and video[0] not in in_deposit


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
