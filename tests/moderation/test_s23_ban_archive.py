"""MO-2, MO-4: a ban's archive record holds the comment it was decided on.

The ban confirmation says «Arkivposten får forfatteren, kommentaren, grunnlaget og
begrunnelsen din (MO-2)», but the ban's internal note (X, `capture.ban_entry`) held the
author, the channel, the ground and the justification only: the comment was in the
archive only when it had been deleted (and archived) before. Now the note carries the
comment as the inbox holds it — its text, earlier versions, when it was written, the
platform fields — as a deletion without a platform capture keeps it, is screened when
the comment holds a national ID number (PU-1; norwegian-standards §4.2), and its PDF/A
document shows the comment."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.pdf import render_record_pdf
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation import bans
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, client_for

pytestmark = pytest.mark.django_db

TEXT = "Per Hansen på servicetorget er en løgner og bør sparkes, alle vet hva han gjør"
WHY = "Gjentatt sjikane av en navngitt ansatt."
FNR = "05099242649"  # valid check digits (the masking tests' number)


def _body(record: ArchiveRecord) -> dict:
    return json.loads(record.canonical)


def _edited(world, item, new_text: str):
    """The author edits the comment on the page; the inbox polls the new text in."""
    with channel_connector(world.channel) as connector:
        platform = connector.platform
        platform.state["comments"][item.platform_id]["edit_text"] = new_text
        platform._author_edit(item.platform_id, platform.now_ts() + 60)
    poll_channel(channel_id=world.channel.pk)
    item.refresh_from_db()
    return item


def test_mo_2_the_ban_confirmed_in_the_console_archives_the_comment(world):
    item = _edited(world, citizen_comment(world.channel, "Per Hansen er en løgner"), TEXT)
    item.permalink = "https://sim.example/skolen/kommentar/1"  # the simulated page has none
    item.save(update_fields=["permalink"])
    client = client_for(world.main_admin)
    url = reverse("moderation:ban", args=[world.municipality.slug, item.pk])
    form = {"ground": "spam", "justification": WHY}
    page = client.post(url, form).content.decode()
    assert "Arkivposten får forfatteren, kommentaren, grunnlaget og begrunnelsen din" in page
    client.post(url, {**form, "confirmed": "1"})

    record = ArchiveRecord.objects.get(kind="moderation_note", action="ban")
    body = _body(record)
    assert record.refers_to_sequence is None  # nothing deleted before: the note holds it
    said = body["said"]["text"]
    assert "Ola Nordmann (sim-user-901) er utestengt" in said and WHY in said
    assert f"«{TEXT}»" in said  # the comment as it stands now …
    assert "«Per Hansen er en løgner»" in said  # … and the version it had before (MO-2)
    assert "Kommentaren utestengingen gjelder, skrevet 05.05.2026 kl. 09.00.00" in said
    assert body["where"]["permalink"] == item.permalink
    assert json.loads(body["raw"])["message"] == TEXT  # the platform fields as held
    assert json.loads(body["raw"])["source"] == "ordstyrer-inbox"
    assert record.confidential is False  # spam, no national ID number: open


def test_pu_1_a_ban_on_a_comment_with_a_national_id_is_screened(world, run):
    item = citizen_comment(world.channel, f"Han der er en svindler, fnr {FNR}")
    run(bans.author_ban, actor=world.main_admin, item=item, ground="spam", justification=WHY)
    record = ArchiveRecord.objects.get(kind="moderation_note", action="ban")
    assert FNR in _body(record)["said"]["text"]
    assert _body(record)["confidentiality"] == {
        "code": "13",
        "authority": "Offl. § 13 jf. fvl. § 13",
    }


def test_mo_2_a_ban_after_a_deletion_refers_to_it_and_still_holds_the_comment(world, run):
    item = citizen_comment(world.channel, TEXT)
    deletion = run(
        comment_delete, actor=world.main_admin, item=item, ground="spam", justification=WHY
    )
    ban = run(bans.author_ban, actor=world.main_admin, item=item, ground="spam", justification=WHY)
    record = ban.archive_record
    assert record.refers_to_sequence == deletion.archive_record.sequence
    assert f"«{TEXT}»" in _body(record)["said"]["text"]


def test_mo_2_a_comment_without_text_is_said_so_not_quoted(world, run):
    item = citizen_comment(world.channel, "Noe")
    item.text = ""
    item.save(update_fields=["text"])
    ban = run(bans.author_ban, actor=world.main_admin, item=item, ground="spam", justification=WHY)
    body = _body(ban.archive_record)
    assert "skrevet 05.05.2026 kl. 09.00.00:\n[Kommentar uten tekst]" in body["said"]["text"]
    assert body["extra"]["no_text"] is True


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is missing")
def test_mo_2_the_ban_records_pdf_shows_the_comment(world, run):
    item = citizen_comment(world.channel, TEXT)
    ban = run(bans.author_ban, actor=world.main_admin, item=item, ground="spam", justification=WHY)
    pdf = render_record_pdf(ban.archive_record)
    text = subprocess.run(  # noqa: S603 - a fixed local tool reading our own bytes
        [shutil.which("pdftotext"), "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Kommentaren utestengingen gjelder, skrevet 05.05.2026 kl. 09.00.00" in flat
    assert " ".join(TEXT.split()) in flat
