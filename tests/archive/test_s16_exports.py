"""Exports under load and odd input (AR-2): an export is a snapshot of the archive as it
stood when the export started, a control character in a channel name does not stop the
Fiks Arkiv export, and a broken image never carries the citizen's photo into the log."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from ordstyrer.archive.entry import ArchiveEntry, Kind, MediaFile
from ordstyrer.archive.exporters import fiks, noark5, run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR
from ordstyrer.archive.pdf import render_record_pdf
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel

pytestmark = pytest.mark.django_db

SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
LJ = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
OJ = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
OSM = "https://ordstyrer.no/xmlns/sosiale-medier/v1"
FIKS_XSD = "fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"


def _export(p, fmt: str, tmp_path: Path):
    return run_export(
        municipality=p.municipality, fmt=fmt, since=SINCE, until=UNTIL, out_dir=tmp_path / fmt
    )


def _own_post(p, channel) -> ArchiveEntry:
    return ArchiveEntry(
        municipality=p.municipality,
        kind=Kind.OWN_POST,
        text="Skolen er stengt i morgen.",
        channel=channel,
    )


# --- AR-2: an export is a consistent snapshot -------------------------------------------


def test_noark5_export_leaves_out_a_record_archived_while_it_runs(personas, tmp_path, monkeypatch):
    """The structure and the journals are read in two passes; a record archived between
    them (in the period: `until` is today by default) used to fail the job (KeyError)."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    first = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY
    )
    write_journals = noark5._write_journals
    late = []

    def journals_after_a_new_record(*args, **kwargs):
        late.append(
            archive_append(
                actor=p.communications,
                entry=deleted_comment(p, channel),
                backdated_to=DAY.replace(hour=11),
            )
        )
        return write_journals(*args, **kwargs)

    monkeypatch.setattr(noark5, "_write_journals", journals_after_a_new_record)
    result = _export(p, "noark5-uttrekk", tmp_path)

    assert late and result.records == 1
    out = tmp_path / "noark5-uttrekk"
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    numbers = [
        int(n) for n in structure.xpath("//n:journalsekvensnummer/text()", namespaces={"n": N5})
    ]
    assert numbers == [first.sequence]
    for name, ns in (("loependeJournal.xml", LJ), ("offentligJournal.xml", OJ)):
        journal = etree.parse(str(out / name))
        assert journal.xpath("//j:antallJournalposter/text()", namespaces={"j": ns}) == ["1"]
        posts = journal.xpath("//j:journalpost/j:journalsekvensnummer/text()", namespaces={"j": ns})
        assert [int(n) for n in posts] == [first.sequence]
    assert f"DOKUMENT/{late[0].sequence:06d}" not in (out / "SHA256SUMS").read_text()


def test_fiks_export_leaves_out_a_record_archived_while_it_runs(personas, tmp_path, monkeypatch):
    """The folders are read before the records; a record archived in between (here in a
    group that had no folder yet) must not be sent without its case folder."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    first = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY
    )
    folder_message = fiks.folder_message
    late = []

    def folder_then_a_new_record(*args, **kwargs):
        if not late:
            late.append(
                archive_append(
                    actor=p.communications,
                    entry=_own_post(p, channel),
                    backdated_to=DAY.replace(hour=11),
                )
            )
        return folder_message(*args, **kwargs)

    monkeypatch.setattr(fiks, "folder_message", folder_then_a_new_record)
    result = _export(p, "fiks-arkiv", tmp_path)

    assert late and result.records == 1
    out = tmp_path / "fiks-arkiv"
    assert [f.name for f in (out / "poster").iterdir()] == [f"{first.sequence:06d}"]
    assert [f.name for f in (out / "mapper").iterdir()] == ["2025-moderert-innhold"]


# --- AR-2: control characters never stop an export -------------------------------------


def test_fiks_export_writes_a_channel_name_with_a_control_character(personas, tmp_path):
    """The business metadata (channel, permalink, ids) go through the same sanitiser as
    every other text of the exports; the message still validates against the XSD."""
    p = personas
    channel = make_channel(p, "Rissa skole\x0b")
    record = archive_append(
        actor=p.communications,
        entry=deleted_comment(
            p,
            channel,
            permalink="https://www.facebook.com/1234567890/posts/111?\x01comment_id=222",
            post_id="1234567890_111\x1f",
            item_id="1234567890_111_222\x0c",
        ),
        backdated_to=DAY,
    )

    result = _export(p, "fiks-arkiv", tmp_path)

    assert result.records == 1
    message = tmp_path / "fiks-arkiv" / "poster" / f"{record.sequence:06d}" / "arkivmelding.xml"
    xmlschema.XMLSchema(str(SCHEMA_DIR / FIKS_XSD)).validate(str(message))
    meta = etree.parse(str(message)).find(f".//{{{OSM}}}sosialeMedier")
    values = {child.tag.split("}")[1]: child.text for child in meta}
    assert values["kanal"] == "Rissa skole\ufffd"
    assert values["innleggId"] == "1234567890_111\ufffd"
    assert values["elementId"] == "1234567890_111_222\ufffd"
    assert values["lenke"] == "https://www.facebook.com/1234567890/posts/111?\ufffdcomment_id=222"
    # The other formats wrote the same record before the fix already.
    for fmt in ("eformidling", "noark5-uttrekk"):
        assert _export(p, fmt, tmp_path).records == 1


# --- privacy: a broken image's data URL never reaches the log --------------------------


def test_a_broken_image_is_not_logged_with_its_data(personas, caplog):
    """WeasyPrint logs an image it cannot decode at ERROR with the whole `data:` URL —
    the citizen's photo. Only our own line, naming the record, may go out."""
    p = personas
    photo = b"\xff\xd8\xff\xe0 not really a JPEG: Ola Nordmann's photo " * 20
    record = archive_append(
        actor=p.communications,
        entry=deleted_comment(
            p, make_channel(p), media=(MediaFile("bilde.jpg", "image/jpeg", photo),)
        ),
        backdated_to=DAY,
    )
    encoded = base64.b64encode(photo).decode("ascii")

    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="weasyprint"):
        pdf = render_record_pdf(record)

    assert pdf.startswith(b"%PDF")
    for entry in caplog.records:
        text = entry.getMessage() + repr(entry.args) + repr(entry.__dict__)
        assert "base64," not in text, entry.name
        assert encoded[:24] not in text, entry.name
    theirs = [r for r in caplog.records if r.name == "weasyprint" and r.levelno >= logging.ERROR]
    assert theirs and "data:image/jpeg[…]" in theirs[0].getMessage()
    ours = [r for r in caplog.records if r.name == "ordstyrer.archive"]
    assert [(r.getMessage(), r.record_id) for r in ours] == [
        ("archive rendering: an attachment image could not be embedded", record.pk)
    ]


def test_a_line_that_only_says_metadata_is_left_as_it_is():
    """Only a data: URL is cut, not a word ending in "data:" — such a line kept its text
    and the rendering did not report an attachment it could not embed."""
    from ordstyrer.archive.pdf import WithoutDataUrls

    line = logging.LogRecord(
        "weasyprint", logging.WARNING, __file__, 1, "metadata: %s", ("x",), None
    )
    assert WithoutDataUrls().filter(line)
    assert line.getMessage() == "metadata: x"
    photo = logging.LogRecord(
        "weasyprint",
        logging.ERROR,
        __file__,
        1,
        "Failed to load image at %r",
        ("data:image/png;base64,AAAA",),
        None,
    )
    WithoutDataUrls().filter(photo)
    assert photo.getMessage() == "Failed to load image at 'data:image/png[…]'"
