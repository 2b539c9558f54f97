"""The deposit declares its screening in Noark 5's own values (AR-2, PU-1).

Noark 5's metadata catalogue: M500 tilgangsrestriksjon has the obligatory value
«Unntatt offentlighet» (a deposit delivers no codes); M502 skjermingMetadata lists what
is withheld — «Skjerming tittel registrering - utvalgte ord», and a journal post's sender
and recipient names each for themselves («Skjerming navn avsender», «Skjerming navn
mottaker»); M025 offentligTittel has the withheld words replaced with ******. The legal
basis stays in skjermingshjemmel; Fiks Arkiv keeps its own code list.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.entry import Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, inquiry, make_channel
from tests.factories import archived

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
M502 = {
    "Skjerming klasseID",
    "Skjerming tittel klasse",
    "Skjerming tittel mappe - unntatt første linje",
    "Skjerming tittel mappe - utvalgte ord",
    "Skjerming navn part i sak",
    "Skjerming tittel registrering - unntatt første linje",
    "Skjerming tittel registrering - utvalgte ord",
    "Skjerming navn avsender",
    "Skjerming navn mottaker",
    "Skjerming tittel dokumentbeskrivelse",
    "Skjerming merknadstekst",
    "Midlertidig skjerming",
}
TITLE = "Skjerming tittel registrering - utvalgte ord"
SENDER, RECIPIENT = "Skjerming navn avsender", "Skjerming navn mottaker"
PERSONAL = "Offl. § 13 jf. fvl. § 13 (1) nr. 1"


@pytest.fixture
def sample(personas):
    """An inquiry whose public title masks a phone number, a deleted comment naming its
    author, and the municipality's reply to a citizen."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    masked = archive_append(
        actor=p.employee,
        entry=inquiry(p, channel, journal=True, public_title="Henvendelse fra 412 34 567"),
        backdated_to=DAY,
    )
    assert "[skjermet]" in masked.public_title
    comment = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY.replace(hour=11)
    )
    reply = archived(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=12),
        kind=Kind.JOURNAL_OUTBOUND,
        journal=True,
        text="Send søknaden til postmottak.",
        channel=channel,
        recipient=Person("Marit Haugen"),
        refers_to=masked,
        action="reply",
    )
    return masked, comment, reply


def export(p, fmt: str, out: Path) -> Path:
    run_export(municipality=p.municipality, fmt=fmt, since=SINCE, until=UNTIL, out_dir=out)
    return out


def by_sequence(root: etree._Element, tag: str) -> dict[int, etree._Element]:
    return {int(e.findtext(".//{*}journalsekvensnummer")): e for e in root.iter(tag)}


def test_the_deposit_screens_in_the_catalogues_values(personas, sample, tmp_path):
    """AR-2, PU-1 (M500, M502, M025): «Unntatt offentlighet» in every file of the deposit,
    skjermingMetadata from M502 — the sender's name on the comment and the inquiry, the
    recipient's on the reply, the title where words are withheld — and ****** where the
    public title withholds words; the record itself still says «[skjermet]» (AR-3)."""
    masked, comment, reply = sample
    out = export(personas, "noark5-uttrekk", tmp_path / "n5")
    for name in ("arkivstruktur", "loependeJournal", "offentligJournal"):
        schema = SCHEMA_DIR / "noark5-arkivuttrekk-v5.0" / f"{name}.xsd"
        xmlschema.XMLSchema(str(schema)).validate(str(out / f"{name}.xml"))
    structure = etree.parse(str(out / "arkivstruktur.xml")).getroot()
    running = etree.parse(str(out / "loependeJournal.xml")).getroot()
    public = etree.parse(str(out / "offentligJournal.xml")).getroot()

    posts = by_sequence(structure, "{*}registrering")
    expected = {
        masked.sequence: [TITLE, SENDER],
        comment.sequence: [TITLE, SENDER],
        reply.sequence: [RECIPIENT],
    }
    for sequence, values in expected.items():
        shield = posts[sequence].find("{*}skjerming")
        assert shield.findtext("{*}tilgangsrestriksjon") == "Unntatt offentlighet"
        assert shield.findtext("{*}skjermingshjemmel") == PERSONAL
        assert [m.text for m in shield.iter("{*}skjermingMetadata")] == values, sequence
    for root in (structure, running, public):
        assert {e.text for e in root.iter("{*}skjermingMetadata")} <= M502
        assert {e.text for e in root.iter("{*}tilgangsrestriksjon")} == {"Unntatt offentlighet"}
        titles = [e.text for e in root.iter("{*}offentligTittel")]
        assert not any("[skjermet]" in t for t in titles)
        assert "Henvendelse fra ******" in titles
    # The running journal names what each party's skjermingMetadata withholds.
    entries = by_sequence(running, "{*}journalregistrering")
    for sequence, value in ((comment.sequence, SENDER), (reply.sequence, RECIPIENT)):
        parties = entries[sequence].iter("{*}korrespondansepart")
        assert value in [party.findtext("{*}skjermingMetadata") for party in parties]
    masked.refresh_from_db()
    assert masked.public_title == "Henvendelse fra [skjermet]"
    assert check_deposit(out).ok


def test_fiks_arkiv_keeps_its_own_codes(personas, sample, tmp_path):
    """AR-2: Fiks Arkiv's tilgangsrestriksjon is still its code from the screening table,
    and its public title the record's own."""
    masked, _comment, _reply = sample
    out = export(personas, "fiks-arkiv", tmp_path / "fiks")
    message = etree.parse(str(out / "poster" / f"{masked.sequence:06d}" / "arkivmelding.xml"))
    assert message.findtext(".//{*}skjerming/{*}tilgangsrestriksjon/{*}kode") == "13"
    assert message.findtext(".//{*}offentligTittel") == "Henvendelse fra [skjermet]"


def _tampered(out: Path, target: Path, name: str, old: str, new: str) -> Path:
    shutil.copytree(out, target)
    path = target / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    after = hashlib.sha256(path.read_bytes()).hexdigest()
    addml = target / "arkivuttrekk.xml"
    addml.write_text(addml.read_text().replace(before, after))
    return target


def test_the_deposit_check_wants_the_catalogues_values(personas, sample, tmp_path):
    """AR-2: check-deposit fails a deposit that screens with codes or with element names
    (N5.42), and one whose public journal withholds a sender's name without «Skjerming
    navn avsender» on the registrering."""
    out = export(personas, "noark5-uttrekk", tmp_path / "n5")
    errors = {}
    for label, old, new in (
        ("code", "<tilgangsrestriksjon>Unntatt offentlighet<", "<tilgangsrestriksjon>13<"),
        ("element", f"<skjermingMetadata>{SENDER}<", "<skjermingMetadata>korrespondansepartNavn<"),
    ):
        bad = _tampered(out, tmp_path / label, "arkivstruktur.xml", old, new)
        report = check_deposit(bad)
        assert {c.test for c in report.failed} == {"N5.42"}, label
        errors[label] = next(c.errors for c in report.failed)
    assert any(re.search(r"tilgangsrestriksjon «13» er ikke en verdi", e) for e in errors["code"])
    assert any("korrespondansepartNavn» er ikke en verdi" in e for e in errors["element"])
    assert any(f"uten skjermingMetadata «{SENDER}»" in e for e in errors["element"])
