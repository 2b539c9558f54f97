"""The deposit check tells a masked title from one that really has six asterisks (AR-2,
PU-1; Noark 5 M025 offentligTittel, M502 skjermingMetadata).

The check took every ****** in a public title for words the export withheld, and failed
the deposit when the registrering declared no such screening: a citizen's own «******»
made the whole deposit undeliverable. A title is masked where the deposit records it
(skjermingMetadata «Skjerming tittel registrering - utvalgte ord»); what masking must
never leave — a national identity number in clear in a public title — is checked
directly and still fails the deposit.
"""

from __future__ import annotations

import hashlib
import shutil
import zoneinfo
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.entry import Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel, tamper
from tests.factories import archived

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=OSLO)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
GUESS = "Gjett ordet: ****** (seks bokstaver)"
REPLY = "Svar: ****** er ikke lov å skrive her"
FNR = "15038545660"  # a fødselsnummer whose check digits hold


@pytest.fixture
def sample(personas):
    """The municipality's own post and a reply to a citizen, both with public titles that
    really have six asterisks, and a deleted comment whose title is masked (its author)."""
    p = personas
    channel = make_channel(p, "Rissa kommune")
    post = archived(
        p.municipality,
        actor=p.communications,
        now=DAY,
        kind=Kind.OWN_POST,
        text="Hvilket ord har seks bokstaver og begynner på S?",
        channel=channel,
        title=GUESS,
        public_title=GUESS,
    )
    reply = archived(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=11),
        kind=Kind.JOURNAL_OUTBOUND,
        journal=True,
        text="Vi har skjult kommentaren din.",
        channel=channel,
        recipient=Person("Marit Haugen"),
        title=REPLY,
        public_title=REPLY,
        action="reply",
    )
    comment = archive_append(
        actor=p.communications,
        entry=deleted_comment(p, channel, media=()),
        backdated_to=DAY.replace(hour=12),
    )
    assert (post.public_title, reply.public_title) == (GUESS, REPLY)
    return post, reply, comment


def _deposit(p, out: Path) -> Path:
    run_export(
        municipality=p.municipality, fmt="noark5-uttrekk", since=SINCE, until=UNTIL, out_dir=out
    )
    return out


def _public_posts(out: Path) -> dict[int, etree._Element]:
    public = etree.parse(str(out / "offentligJournal.xml"))
    return {
        int(post.findtext("{*}journalsekvensnummer")): post
        for post in public.iter("{*}journalpost")
    }


def test_pu1_a_public_title_with_six_asterisks_is_deposited(personas, sample, tmp_path):
    """PU-1, AR-2: the post and the reply keep their own ****** in the public journal and
    the deposit passes its check; neither declares its title masked (the reply withholds
    only the citizen's name)."""
    post, reply, _comment = sample
    out = _deposit(personas, tmp_path / "uttrekk")  # the export runs the check itself

    report = check_deposit(out)
    assert report.ok, report.text()
    posts = _public_posts(out)
    titles = [posts[r.sequence].findtext("{*}offentligTittel") for r in (post, reply)]
    assert titles == [GUESS, REPLY]
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    shields = {
        int(r.findtext("{*}journalsekvensnummer")): r.find("{*}skjerming")
        for r in structure.iter("{*}registrering")
    }
    assert shields[post.sequence] is None
    assert [m.text for m in shields[reply.sequence].iter("{*}skjermingMetadata")] == [
        "Skjerming navn mottaker"
    ]


def _resummed(out: Path, target: Path, name: str, old: str, new: str) -> Path:
    """A copy of the deposit with `old` replaced by `new` in `name`, its checksum in
    arkivuttrekk.xml kept true so that only the content check can object."""
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


@pytest.mark.parametrize("name", ["offentligJournal.xml", "arkivstruktur.xml"])
def test_pu1_a_national_id_in_clear_in_a_public_title_still_fails(personas, sample, tmp_path, name):
    """PU-1: a public title whose masking failed — a fødselsnummer in clear — fails N5.42,
    naming the file and the journal post."""
    post, _reply, _comment = sample
    out = _deposit(personas, tmp_path / "uttrekk")
    leaked = f"Gjett ordet: {FNR}"
    bad = _resummed(
        out,
        tmp_path / "lekk",
        name,
        f"<offentligTittel>{GUESS}</offentligTittel>",
        f"<offentligTittel>{leaked}</offentligTittel>",
    )

    report = check_deposit(bad)

    assert [c.test for c in report.failed] == ["N5.42"]
    (error,) = report.failed[0].errors
    assert error.startswith(f"{name}: 1 offentlig tittel viser et fødselsnummer")
    system_id = _public_posts(out)[post.sequence].findtext("{*}systemID")
    assert error.endswith(f"({system_id})")  # the journal post, by its systemID
    assert FNR not in error  # the report never repeats the number


def test_pu1_the_export_masks_a_record_whose_public_title_shows_a_national_id(
    personas, sample, tmp_path
):
    """PU-1, AR-2: a record whose public title carries a number the masking did not find
    when it was archived (records never change, AR-3) is written masked, so the deposit
    passes its check (tests/archive/test_s20_export_masking.py)."""
    post, _reply, _comment = sample
    tamper(
        "UPDATE archive_archiverecord SET public_title = %s WHERE id = %s",
        (f"Gjett ordet: {FNR}", post.pk),
    )
    out = _deposit(personas, tmp_path / "uttrekk")
    title = _public_posts(out)[post.sequence].findtext("{*}offentligTittel")
    assert title == "Gjett ordet: ******45660"
