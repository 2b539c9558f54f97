"""The internal notes (X) about a banned citizen are screened in the exports (AR-2, PU-1,
MO-4, MO-5; norwegian-standards §2, §4.2).

Since the ban, unban and failure notes are written by «<kommune> (Ordstyrer)» (#15), the
citizen is named only in their internal title («Utestenging av Ola Nordmann fra
Skolen»). The notes now carry the citizen as the person they are about (recipient), so
the Noark 5 deposit declares the title withheld (skjermingMetadata «Skjerming tittel
registrering - utvalgte ord», the metadata catalogue's M502 value) instead of exporting the
note as open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.moderation import bans
from tests.moderation.conftest import citizen_comment, client_for, messages_off_next
from tests.moderation.test_notice_followup import SPAM, WHY

pytestmark = pytest.mark.django_db


def _shields(municipality, out: Path) -> dict[int, etree._Element | None]:
    """The <skjerming> of each registrering in a Noark 5 deposit, by record number."""
    run_export(
        municipality=municipality,
        fmt="noark5-uttrekk",
        since=date(2026, 5, 1),
        until=date(2026, 5, 31),
        out_dir=out,
        # Made once May is over: a deposit takes only days that are over (AR-3), and the
        # clock of these tests stands in May.
        now=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
    )
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    return {
        int(post.findtext("{*}journalsekvensnummer")): post.find("{*}skjerming")
        for post in structure.iter("{*}registrering")
    }


def _withholds_title(shield: etree._Element | None) -> bool:
    """The deposit writes the catalogue's values, not Fiks Arkiv's codes (M502)."""
    return shield is not None and "Skjerming tittel registrering - utvalgte ord" in [
        e.text for e in shield.findall("{*}skjermingMetadata")
    ]


def test_ban_failure_and_unban_notes_withhold_the_citizens_name(
    world, tmp_path, django_capture_on_commit_callbacks
):
    """AR-2, PU-1: the ban note, the note that the notice failed, and the unban note
    name the citizen in their title; each is exported with skjerming of the title."""
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)  # the notice fails: a failure note (X) follows
    with django_capture_on_commit_callbacks(execute=True):
        ban = bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    with django_capture_on_commit_callbacks(execute=True):
        lifted = bans.author_unban(actor=world.main_admin, item=item, justification="Lovet bot.")
    ban.refresh_from_db()
    notes = {
        "ban": ban.archive_record,
        "failed": ArchiveRecord.objects.get(
            kind="moderation_note", title__startswith="Beskjeden til forfatteren"
        ),
        "unban": lifted.archive_record,
    }
    for note in notes.values():
        assert "Ola Nordmann" in note.title and "Ola" not in note.public_title
        assert note.direction == "X"

    shields = _shields(world.municipality, tmp_path / "n5")
    for what, note in notes.items():
        shield = shields[note.sequence]
        assert _withholds_title(shield), what
        # M500 «Unntatt offentlighet»; the ground, offl. § 13, in the skjermingshjemmel.
        assert shield.findtext("{*}tilgangsrestriksjon") == "Unntatt offentlighet", what
        assert shield.findtext("{*}skjermingshjemmel").startswith("Offl. § 13"), what

    # The console says whom the note is about, not that it answered them.
    page = client_for(world.p.communications).get(
        reverse("archive:detail", args=[world.municipality.slug, notes["ban"].sequence])
    )
    html = page.content.decode()
    assert "<dt>Gjelder</dt><dd>Ola Nordmann</dd>" in html and "Svar til" not in html
