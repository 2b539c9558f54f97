"""PDF/A-2b renderings (norwegian-standards §1.7, §2): metadata, language, text, made once."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime

import pikepdf
import pytest

from ordstyrer.archive.canonical import sha256_hex
from ordstyrer.archive.models import ArchiveRendering
from ordstyrer.archive.pdf import printable, printable_json, render_record_pdf, rendering_for
from ordstyrer.archive.police import package_for_download, police_package_prepare
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(data: bytes) -> str:
    if not PDFTOTEXT:  # only in CI: elsewhere the test is skipped (bin/dev test installs it)
        pytest.fail("CI needs pdftotext (Debian's poppler-utils) to read the PDF/A copy.")
    result = subprocess.run(  # noqa: S603 - a fixed local tool reading our own bytes
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def assert_pdfa_2b(data: bytes, title: str) -> None:
    pdf = pikepdf.open(io.BytesIO(data))
    with pdf.open_metadata() as meta:
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == title
    assert str(pdf.Root.Lang) == "nb"
    assert pdf.Root.MarkInfo.Marked  # tagged
    intent = pdf.Root.OutputIntents[0]
    assert str(intent.S) == "/GTS_PDFA1"


def test_record_rendering_is_tagged_pdfa_2b_in_norwegian(personas):
    record = archive_append(
        actor=personas.communications, entry=deleted_comment(personas, make_channel(personas))
    )
    rendering = rendering_for(record)
    data = bytes(rendering.pdf)
    assert_pdfa_2b(data, f"Slettet kommentar nr. 1 – {personas.municipality.name}")
    assert rendering.sha256 == sha256_hex(data) and rendering.size == len(data)
    # The title in the metadata names no one: the internal title does.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "Ola Nordmann" not in str(pdf.docinfo["/Title"])


@pytest.mark.skipif(
    not PDFTOTEXT and not os.environ.get("CI"), reason="pdftotext (poppler-utils) is not installed"
)
def test_rendering_shows_what_who_where_when_why(personas):
    record = archive_append(
        actor=personas.communications, entry=deleted_comment(personas, make_channel(personas))
    )
    text = pdf_text(bytes(rendering_for(record).pdf))
    for expected in [
        "Innvandrerne er en pest. Jag dem ut av bygda!",  # what, æøå-safe
        "Ola Nordmann",  # who
        "100200300",
        "comment_id=222",  # where
        "16.05.2025 kl. 10.00.00",  # when, in Norwegian time
        "Hatefulle ytringer (straffeloven § 185)",  # why
        "Så hyggelig [U+1F389]",  # an emoji the fonts lack, named instead of dropped
        record.hash,
        '"created_time": "2025-05-16T08:00:00+0000"',  # raw JSON
    ]:
        assert expected in text.replace("\n", " ") or expected in text, expected


def test_rendering_is_made_once_and_reproducible(personas):
    record = archive_append(actor=None, entry=deleted_comment(personas))
    first = rendering_for(record)
    assert rendering_for(record).pk == first.pk
    assert ArchiveRendering.objects.count() == 1
    assert render_record_pdf(record) == bytes(first.pdf)


def test_no_remote_resources_are_fetched(personas, monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("the renderer tried to fetch a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    text = '<img src="http://example.invalid/x.png"> <link rel=stylesheet href="http://x.invalid/">'
    record = archive_append(actor=None, entry=deleted_comment(personas, text=text))
    assert bytes(rendering_for(record).pdf).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Blåbær på Ørland", "Blåbær på Ørland"),
        ("Takk 👍🏽", "Takk [U+1F44D][U+1F3FD]"),
        ("null\x00byte", "nullbyte"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_printable_text(text, expected):
    assert printable(text) == expected


def test_printable_json_stays_the_same_json():
    import json

    raw = json.dumps({"message": "Hurra 🎉 for Ørsta"}, ensure_ascii=False)
    shown = printable_json(raw)
    assert "\\ud83c\\udf89" in shown and "Ørsta" in shown
    assert json.loads(shown) == json.loads(raw)


def test_the_sweep_renders_what_is_missing(personas):
    from datetime import UTC, datetime

    from ordstyrer.archive.sweeps import render_missing
    from ordstyrer.core.worker import registered_sweeps

    assert "archive_render" in {sweep.name for sweep in registered_sweeps()}
    for text in ("Første", "Andre"):
        archive_append(actor=None, entry=deleted_comment(personas, text=text, media=()))
    now = datetime(2025, 5, 16, tzinfo=UTC)
    assert render_missing(now=now) == 2
    assert render_missing(now=now) == 0
    assert ArchiveRendering.objects.count() == 2


def _creation_dates(data: bytes) -> tuple[str, str]:
    """(the Info dictionary's /CreationDate, the XMP's xmp:CreateDate)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            return str(pdf.docinfo["/CreationDate"]), str(meta["xmp:CreateDate"])


def _same_instant_same_precision(info: str, xmp: str) -> None:
    # D:YYYYMMDDHHmmSS+HH'mm — whole seconds; the XMP must say the same, no fraction.
    parsed = datetime.strptime(info.replace("'", ""), "D:%Y%m%d%H%M%S%z")
    assert "." not in xmp, xmp
    assert datetime.fromisoformat(xmp) == parsed


def test_the_creation_date_is_the_same_in_the_info_dictionary_and_the_xmp(personas):
    """PDF/A requires xmp:CreateDate to be equivalent to /CreationDate (an archive time
    with microseconds was written with them in the XMP and without in the Info)."""
    archived = datetime(2025, 5, 16, 10, 0, 7, 654321, tzinfo=UTC)
    record = archive_append(
        actor=personas.communications,
        entry=deleted_comment(personas, make_channel(personas)),
        backdated_to=archived,
    )
    info, xmp = _creation_dates(render_record_pdf(record))
    _same_instant_same_precision(info, xmp)
    assert datetime.fromisoformat(xmp) == archived.replace(microsecond=0)


def test_the_evidence_pdf_has_one_creation_date_too(personas):
    record = archive_append(
        actor=personas.communications, entry=deleted_comment(personas, make_channel(personas))
    )
    prepared = police_package_prepare(
        actor=personas.communications,
        record=record,
        protected_grounds=["a"],
        now=datetime(2025, 5, 17, 9, 30, 5, 123456, tzinfo=UTC),
    )
    package, _status = package_for_download(record)
    assert sha256_hex(package) == prepared.package_sha256
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        evidence = archive.read("bevis-000001/bevis-000001.pdf")
    _same_instant_same_precision(*_creation_dates(evidence))
