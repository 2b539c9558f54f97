"""The exports mask a national identity number a stored public title shows in clear (PU-1,
AR-2, AR-3; Noark 5 M025 offentligTittel, M502 skjermingMetadata).

Records never change. A record archived while the masking's detector missed a shape
(«f.nr.05099242649», «Hansen,05099242649», a no-break space) keeps its public title as
stored; since the deposit check fails N5.42 on any public title showing such a number
(da178be), every deposit of its period failed, forever. The exporters now write the
public title through the product's one masking (`language.masking`), declare the title
screened («Skjerming tittel registrering - utvalgte ord»), and LES-MEG.txt says how many
titles were masked and why. The check itself still fails a package whose public title
shows a number (tests/archive/test_s20_literal_asterisks.py).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from ordstyrer.archive import services
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.entry import Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.language.masking import has_national_id
from tests.archive.conftest import make_channel
from tests.factories import archived

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=OSLO)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
FNR = "05099242649"  # a fødselsnummer whose check digits hold
SHIELDS = "/work/shared/schemas"
TITLE_SCREENED = "Skjerming tittel registrering - utvalgte ord"
# (the public title as an old version stored it, as the exports must write it)
PLAIN = (f"Spørsmål om skatt {FNR}", "Spørsmål om skatt ******42649")
SHAPES = [
    pytest.param(*PLAIN, id="plain"),
    pytest.param(f"Spørsmål om skatt, f.nr.{FNR}", "Spørsmål om skatt, f.nr.******42649", id="fnr"),
    pytest.param(f"Spørsmål fra Hansen,{FNR}", "Spørsmål fra Hansen,******42649", id="comma"),
    pytest.param("Spørsmål om skatt 050992\u00a042649", "Spørsmål om skatt ******42649", id="nbsp"),
]


def _stored_as_of_old(p, channel, public_title: str, monkeypatch) -> ArchiveRecord:
    """A citizen's inbound message archived by a version whose detector missed the number:
    `archive_append` with the title as given (its public-title masking found nothing)."""
    with monkeypatch.context() as patch:
        patch.setattr(services, "public_title_text", lambda text: text)
        record = archived(
            p.municipality,
            actor=p.communications,
            now=DAY,
            kind=Kind.JOURNAL_INBOUND,
            journal=True,
            text="Hei, jeg lurer på skatten min.",
            channel=channel,
            author=Person("Kari Nordmann"),
            title=public_title,
            public_title=public_title,
            action="journal",
        )
    assert record.public_title == public_title  # stored in clear, as old versions did
    return record


@pytest.fixture
def channel(personas):
    return make_channel(personas, "Rissa kommune")


def _xsd(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(f"{SHIELDS}/{relative}", parser))


def _valid(path: Path, relative: str) -> etree._ElementTree:
    tree = etree.parse(str(path))
    schema = _xsd(relative)
    assert schema.validate(tree), schema.error_log.last_error
    return tree


def _post_of(tree: etree._ElementTree, tag: str, sequence: int) -> etree._Element:
    (post,) = [
        p
        for p in tree.iter(f"{{*}}{tag}")
        if p.findtext("{*}journalsekvensnummer") == str(sequence)
    ]
    return post


@pytest.mark.parametrize(("stored", "masked"), SHAPES)
def test_pu1_ar3_a_stored_clear_number_is_masked_in_the_deposit_and_the_deposit_passes(
    personas, channel, monkeypatch, tmp_path, stored, masked
):
    """PU-1, AR-2, AR-3: the deposit of the record's period passes its check; every
    offentligTittel shows the masked form; the registrering declares its title screened
    in arkivstruktur.xml and the journals; LES-MEG.txt says one title was masked; the
    record in the database is unchanged."""
    if not has_national_id(stored):
        pytest.skip("the detector in this tree does not catch this shape yet")
    record = _stored_as_of_old(personas, channel, stored, monkeypatch)
    before = ArchiveRecord.objects.values().get(pk=record.pk)
    out = tmp_path / "uttrekk"

    run_export(
        municipality=personas.municipality,
        fmt="noark5-uttrekk",
        since=SINCE,
        until=UNTIL,
        out_dir=out,
    )  # the export runs the deposit check itself and fails on N5.42

    report = check_deposit(out)
    assert report.ok, report.text()
    schemas = "noark5-arkivuttrekk-v5.0"
    structure = _valid(out / "arkivstruktur.xml", f"{schemas}/arkivstruktur.xsd")
    running = _valid(out / "loependeJournal.xml", f"{schemas}/loependeJournal.xsd")
    public = _valid(out / "offentligJournal.xml", f"{schemas}/offentligJournal.xsd")
    _valid(out / "arkivuttrekk.xml", "addml-8.3/addml.xsd")

    registrering = _post_of(structure, "registrering", record.sequence)
    assert registrering.findtext("{*}offentligTittel") == masked
    metadata = [m.text for m in registrering.find("{*}skjerming").iter("{*}skjermingMetadata")]
    assert TITLE_SCREENED in metadata
    for journal in (running, public):
        post = _post_of(journal, "journalpost", record.sequence)
        assert post.findtext("{*}offentligTittel") == masked
        assert TITLE_SCREENED in [m.text for m in post.findall("{*}skjermingMetadata")]
    assert "42649" in masked and FNR not in (out / "offentligJournal.xml").read_text()
    readme = (out / "LES-MEG.txt").read_text()
    assert "Offentlige titler maskert ved eksport: 1\n" in readme
    assert "Arkivposten i Ordstyrer er uendret" in readme

    # Append-only (AR-3): the record, its hash and the chain are as they were.
    assert ArchiveRecord.objects.values().get(pk=record.pk) == before
    assert verify_chain(personas.municipality.pk).ok


def test_pu1_a_stored_clear_number_is_masked_in_the_eformidling_and_fiks_messages(
    personas, channel, monkeypatch, tmp_path
):
    """PU-1, AR-2: eFormidling's arkivmelding (valid against its XSD) and Fiks Arkiv's
    write the masked public title and declare it screened; their LES-MEG.txt count it."""
    stored, masked = PLAIN
    record = _stored_as_of_old(personas, channel, stored, monkeypatch)

    out = tmp_path / "eformidling"
    run_export(
        municipality=personas.municipality, fmt="eformidling", since=SINCE, until=UNTIL, out_dir=out
    )
    message = _valid(
        out / f"{record.sequence:06d}" / "arkivmelding.xml",
        "eformidling-arkivmelding/arkivmelding.xsd",
    )
    (post,) = message.iter("{*}basisregistrering")
    assert post.findtext("{*}offentligTittel") == masked
    assert TITLE_SCREENED in [m.text for m in post.iter("{*}skjermingMetadata")]
    titles = [d.findtext("{*}tittel") for d in post.iter("{*}dokumentbeskrivelse")]
    assert titles[0] == masked  # the main document is titled by the public title
    assert "Offentlige titler maskert ved eksport: 1\n" in (out / "LES-MEG.txt").read_text()

    out = tmp_path / "fiks"
    run_export(
        municipality=personas.municipality, fmt="fiks-arkiv", since=SINCE, until=UNTIL, out_dir=out
    )
    fiks = etree.parse(str(out / "poster" / f"{record.sequence:06d}" / "arkivmelding.xml"))
    (post,) = fiks.iter("{*}registrering")
    assert post.findtext("{*}offentligTittel") == masked
    assert post.find("{*}skjerming") is not None
    assert "Offentlige titler maskert ved eksport: 1\n" in (out / "LES-MEG.txt").read_text()
    assert ArchiveRecord.objects.get(pk=record.pk).public_title == stored


def test_pu1_a_title_without_a_number_is_not_masked_nor_counted(personas, channel, tmp_path):
    """A public title with no national identity number is written as stored; no title
    screening is declared for it and LES-MEG.txt counts none."""
    record = archived(
        personas.municipality,
        actor=personas.communications,
        now=DAY,
        kind=Kind.OWN_POST,
        text="Ordfører svarer på spørsmål i dag.",
        channel=channel,
        title="Spørretime 16.05.2025, sak 2025/12345",
        public_title="Spørretime 16.05.2025, sak 2025/12345",
    )
    out = tmp_path / "uttrekk"
    run_export(
        municipality=personas.municipality,
        fmt="noark5-uttrekk",
        since=SINCE,
        until=UNTIL,
        out_dir=out,
    )
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    registrering = _post_of(structure, "registrering", record.sequence)
    assert registrering.findtext("{*}offentligTittel") == record.public_title
    assert registrering.find("{*}skjerming") is None
    assert "Offentlige titler maskert ved eksport: 0\n" in (out / "LES-MEG.txt").read_text()
