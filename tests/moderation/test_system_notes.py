"""Internal notes (X) about a moderated comment are written by the municipality through
Ordstyrer, never by the citizen they are about (#15, item 10; MO-2, MO-4, AR-3).

The note that a notice to the author failed (and the ban and unban notes) used to carry
the citizen as their author, so the archive said «Skrevet av: Ola Nordmann (id) –
profil» above a text Ordstyrer wrote. The citizen is still named where the note is
about them: in its internal title and text, never as who wrote it.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.moderation import bans
from tests.moderation.conftest import citizen_comment, messages_off_next
from tests.moderation.test_notice_followup import SPAM, WHY, client_for

pytestmark = pytest.mark.django_db


def _written_by(record: ArchiveRecord) -> dict:
    return json.loads(record.canonical)["author"]


def test_a_failed_notice_is_noted_as_written_by_the_system(
    world, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)
    with django_capture_on_commit_callbacks(execute=True):
        ban = bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert ban.notice_state == "failed"
    note = ArchiveRecord.objects.get(kind="moderation_note", action="note")
    assert note.text.startswith("Beskjeden til forfatteren (MO-4) feilet")
    author = _written_by(note)
    assert author["name"] == f"{world.municipality.name} (Ordstyrer)"
    assert not author["platform_user_id"] and not author["profile_url"]
    # Whom it is about stays in the internal title; the public title names no one.
    assert "Ola Nordmann" in note.title and "Ola" not in note.public_title
    # The ban note itself: the same (the person who decided is its actor).
    ban_note = ban.archive_record
    assert _written_by(ban_note)["name"] == f"{world.municipality.name} (Ordstyrer)"
    assert json.loads(ban_note.canonical)["actor"]["id"] == world.main_admin.pk
    assert "Ola Nordmann (sim-user-901) er utestengt" in ban_note.text

    page = client_for(world.p.communications).get(
        reverse("archive:detail", args=[world.municipality.slug, note.sequence])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert f"<dd>{world.municipality.name} (Ordstyrer)</dd>" in html
    assert "sim-user-901" not in html.split("Skrevet av", 1)[1].split("</dd>", 1)[0]


def test_the_unban_note_is_written_by_the_system(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    with django_capture_on_commit_callbacks(execute=True):
        lifted = bans.author_unban(actor=world.main_admin, item=item, justification="Lovet bot.")
    record = lifted.archive_record
    assert _written_by(record)["name"] == f"{world.municipality.name} (Ordstyrer)"
    assert record.title.startswith("Utestenging av Ola Nordmann fra Skolen opphevet")
