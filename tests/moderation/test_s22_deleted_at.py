"""When a deleted comment left the platform (MO-2: "what it said, who wrote it, when,
where and why it was removed"; docs/archive.md).

The deletion's record is archived before the platform is asked (MO-2) and never changes
(AR-3), so it cannot say when the comment went. When the platform confirms the delete,
a note (X) that refers to it says so — the successful counterpart of the failure note —
and the PDF/A, the evidence package, the console page and the exports show it. With a
second approver the record names who proposed the deletion and who approved it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from lxml import etree

from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.pdf import rendering_for
from ordstyrer.archive.police import package_for_download, police_package_prepare
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_delete, deletion_approve
from tests.archive.test_exports import xsd
from tests.archive.test_pdf import pdf_text
from tests.moderation.conftest import (
    T0,
    citizen_comment,
    client_for,
    fail_next,
    on_platform,
    public_notices,
)

pytestmark = pytest.mark.django_db

HATE = "Innvandrerne er en pest. Jag dem ut av bygda!"
WHY = "Hatefull ytring mot en gruppe (strl. § 185)."
T0_OSLO = "05.05.2026 kl. 09.00.00"  # T0 in Norwegian summer time
OSM = "https://ordstyrer.no/xmlns/sosiale-medier/v1"


def words(text: str) -> str:
    return " ".join(text.split())


def bodies(**filters):
    return [
        (r, json.loads(r.canonical))
        for r in ArchiveRecord.objects.filter(**filters).order_by("sequence")
    ]


def delete_hateful(world, run):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, HATE)
    action = run(
        comment_delete, actor=world.admin, item=item, ground="hate_speech", justification=WHY
    )
    assert action.status == ActionStatus.DONE
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    return item, action


def test_a_confirmed_deletion_is_followed_by_a_note_of_when_it_left(world, run):
    _item, action = delete_hateful(world, run)
    deletion = action.archive_record
    ((note, body),) = bodies(kind="moderation_note")
    assert body["refers_to"] == {"sequence": deletion.sequence, "hash": deletion.hash}
    assert body["when"]["deleted"] == T0.isoformat()
    assert body["action"] == "delete" and body["journal"]["direction"] == "X"
    assert body["idempotency_key"] == f"moderation:deleted:{action.pk}"
    assert body["said"]["text"] == f"Kommentaren ble slettet fra plattformen {T0_OSLO}."
    assert note.sequence > deletion.sequence
    # The note's own PDF/A says when (it was never shown: `when.deleted` was always None).
    text = words(pdf_text(bytes(rendering_for(note).pdf)))
    assert f"Fjernet fra plattformen {T0_OSLO}" in text
    assert f"Arkivpost nr. {deletion.sequence}" in text


def test_the_evidence_package_and_the_console_show_when_it_was_removed(world, run, clock):
    _item, action = delete_hateful(world, run)
    deletion = action.archive_record
    note = ArchiveRecord.objects.get(kind="moderation_note")
    clock.move_to(T0 + timedelta(days=1))
    police_package_prepare(actor=world.p.communications, record=deletion, protected_grounds=["b"])
    package, prepared = package_for_download(deletion)
    assert package and prepared.package_sha256
    number = f"{deletion.sequence:06d}"
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        evidence = words(pdf_text(archive.read(f"bevis-{number}/bevis-{number}.pdf")))
    assert f"Fjernet {T0_OSLO}" in evidence

    page = client_for(world.p.communications).get(
        reverse("archive:detail", args=[world.municipality.slug, deletion.sequence])
    )
    html = page.content.decode()
    assert 'Fjernet fra plattformen</dt><dd><time datetime="2026-05-05T09:00:00+02:00">' in html
    assert reverse("archive:detail", args=[world.municipality.slug, note.sequence]) in html


def test_the_exports_carry_it_and_still_validate(world, run, tmp_path):
    delete_hateful(world, run)
    note = ArchiveRecord.objects.get(kind="moderation_note")
    day = T0.date()
    after = datetime(2026, 5, 7, 8, 0, tzinfo=UTC)
    fiks = tmp_path / "fiks"
    run_export(
        municipality=world.municipality,
        fmt="fiks-arkiv",
        since=day,
        until=day,
        out_dir=fiks,
        now=after,
    )
    schema = xsd("fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd")
    message = fiks / "poster" / f"{note.sequence:06d}" / "arkivmelding.xml"
    schema.validate(str(message))
    removed = etree.parse(str(message)).findtext(f".//{{{OSM}}}fjernet")
    assert removed == T0.isoformat()

    deposit = tmp_path / "noark5"
    run_export(
        municipality=world.municipality,
        fmt="noark5-uttrekk",
        since=day,
        until=date(2026, 5, 6),
        out_dir=deposit,
        now=after,
    )
    for name, schema_path in [
        ("arkivstruktur.xml", "noark5-arkivuttrekk-v5.0/arkivstruktur.xsd"),
        ("loependeJournal.xml", "noark5-arkivuttrekk-v5.0/loependeJournal.xsd"),
        ("offentligJournal.xml", "noark5-arkivuttrekk-v5.0/offentligJournal.xsd"),
    ]:
        xsd(schema_path).validate(str(deposit / name))
    # The note is in the deposit with its PDF/A, which says when the comment went.
    assert "Slettet fra plattformen" in (deposit / "arkivstruktur.xml").read_text()


def test_a_comment_already_gone_says_so(world, run):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, HATE)
    # Removed by its author between the capture and the delete.
    fail_next(world.channel, "delete_comment", code=ErrorCode.NOT_FOUND, permanent=True)
    action = run(
        comment_delete, actor=world.admin, item=item, ground="hate_speech", justification=WHY
    )
    assert action.status == ActionStatus.DONE
    ((_note, body),) = bodies(kind="moderation_note")
    assert body["when"]["deleted"] == T0.isoformat()
    assert body["extra"]["already_gone"] is True
    assert body["said"]["text"].startswith("Kommentaren var allerede borte fra plattformen")


def test_a_failed_deletion_gets_no_such_note(world, run):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, HATE)
    fail_next(world.channel, "delete_comment", code=ErrorCode.PERMISSION, permanent=True)
    action = run(
        comment_delete, actor=world.admin, item=item, ground="hate_speech", justification=WHY
    )
    assert action.status == ActionStatus.FAILED
    notes = [body for _r, body in bodies(kind="moderation_note")]
    assert len(notes) == 1 and notes[0]["when"]["deleted"] is None  # the failure note
    assert "feilet" in notes[0]["said"]["text"]


def test_with_a_second_approver_the_record_names_both(world, run):
    settings = settings_for(world.municipality)
    settings.second_approver = True
    settings.save()
    public_notices(world.municipality)
    item = citizen_comment(world.channel, HATE)
    asked = run(
        comment_delete, actor=world.admin, item=item, ground="hate_speech", justification=WHY
    )
    approved = run(deletion_approve, actor=world.main_admin, action=asked)
    text = words(pdf_text(bytes(rendering_for(approved.archive_record).pdf)))
    proposer, approver = world.admin.get_full_name(), world.main_admin.get_full_name()
    assert f"Foreslått av {proposer}" in text
    assert f"Godkjent av {approver}" in text
    # «Registrert av» repeated only the approver, as if they had acted alone.
    assert "Registrert av" not in text
