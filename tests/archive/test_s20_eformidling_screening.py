"""The eFormidling arkivmelding declares what it withholds in Noark 5's own values (AR-2,
PU-1; norwegian-standards §1.4, Noark 5 M502 skjermingMetadata).

eFormidling's arkivmelding is Noark 5 v3.1, whose code values are the metadata
catalogue's Norwegian texts. Its skjermingMetadata held the names of the elements
withheld («tittel», «korrespondansepartNavn»), which no archive reads as M502; it now
holds M502's values, as the Noark 5 deposit does: «Skjerming tittel registrering -
utvalgte ord», «Skjerming navn avsender», «Skjerming navn mottaker». Each message still
validates against eFormidling's arkivmelding.xsd (Digdir's, unchanged in archive/schemas).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
import xmlschema
from lxml import etree

from ordstyrer.archive.entry import ArchiveEntry, Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.exporters.common import SCHEMA_DIR
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel
from tests.factories import archived

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=OSLO)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
TITLE = "Skjerming tittel registrering - utvalgte ord"
SENDER, RECIPIENT = "Skjerming navn avsender", "Skjerming navn mottaker"


@pytest.fixture
def sample(personas):
    """A deleted comment naming its author, the municipality's reply to a citizen, and
    the municipality's own post (nothing withheld)."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    comment = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel, media=()), backdated_to=DAY
    )
    reply = archived(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=11),
        kind=Kind.JOURNAL_OUTBOUND,
        journal=True,
        text="Send søknaden til postmottak.",
        channel=channel,
        recipient=Person("Marit Haugen"),
        action="reply",
    )
    post = archive_append(
        actor=p.communications,
        entry=ArchiveEntry(
            municipality=p.municipality, kind=Kind.OWN_POST, text="Åpent i dag.", channel=channel
        ),
        backdated_to=DAY.replace(hour=12),
    )
    return comment, reply, post


def test_ar2_eformidling_screens_in_the_catalogues_values(personas, sample, tmp_path):
    """AR-2, PU-1: the comment withholds its title and its sender's name, the reply its
    recipient's name, the post nothing — each in M502's words, never an element's name —
    and every message validates against eFormidling's arkivmelding.xsd."""
    comment, reply, post = sample
    out = tmp_path / "efm"
    run_export(
        municipality=personas.municipality, fmt="eformidling", since=SINCE, until=UNTIL, out_dir=out
    )
    schema = xmlschema.XMLSchema(str(SCHEMA_DIR / "eformidling-arkivmelding/arkivmelding.xsd"))
    declared = {}
    for record in (comment, reply, post):
        message = out / f"{record.sequence:06d}" / "arkivmelding.xml"
        schema.validate(str(message))
        shield = etree.parse(str(message)).find(".//{*}basisregistrering/{*}skjerming")
        declared[record.sequence] = (
            None
            if shield is None
            else (
                shield.findtext("{*}tilgangsrestriksjon"),
                [m.text for m in shield.iterfind("{*}skjermingMetadata")],
            )
        )

    assert declared == {
        comment.sequence: ("13", [TITLE, SENDER]),
        reply.sequence: ("13", [RECIPIENT]),
        post.sequence: None,
    }
    text = "".join(p.read_text() for p in out.rglob("arkivmelding.xml"))
    assert "<skjermingMetadata>tittel<" not in text
    assert "<skjermingMetadata>korrespondansepartNavn<" not in text
