"""A Page's export is forgotten whatever becomes of its import, and one damaged record
or file never fails the rest (docs/privacy.md: `platforms_historyjob.payload` kept
"until the import has run (then emptied)"; issue #18: "one that fails is counted and
logged, the rest go in"; never a traceback or a 500 on bad input)."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ordstyrer.connectors.facebook.dyi import parse_dyi
from ordstyrer.core.worker import registered_sweeps
from ordstyrer.platforms import history
from ordstyrer.platforms.models import HistoryJob, JobKind, JobStatus
from tests.factories import PASSWORD
from tests.platforms.conftest import make_channel

pytestmark = pytest.mark.django_db

ROOT = "facebook-eksempel-2026-05-04/this_profile's_activity_across_facebook"
GOOD_POST = {"timestamp": 1700086400, "data": [{"post": "Vannet er tilbake i Ålgårdveien."}]}
BAD_TIME_POST = {"timestamp": 10**12, "data": [{"post": "Et innlegg med ødelagt tid."}]}


def export_zip(posts: list, comments: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{ROOT}/posts/profile_posts_1.json", json.dumps(posts))
        if comments is not None:
            z.writestr(f"{ROOT}/comments_and_reactions/comments.json", json.dumps(comments))
    return out.getvalue()


def damaged_zip(damage: str = "flipped") -> bytes:
    """An export whose posts file cannot be read: one byte of its compressed data
    flipped (a bad CRC), marked encrypted, or compressed with Deflate64."""
    data = bytearray(export_zip([GOOD_POST] * 20))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    if damage == "flipped":
        lengths = data[info.header_offset + 26 : info.header_offset + 30]
        name_len, extra_len = struct.unpack("<HH", lengths)
        start = info.header_offset + 30 + name_len + extra_len
        data[start + info.compress_size // 2] ^= 0xFF
        return bytes(data)
    central = data.index(b"PK\x01\x02")  # the member's entry in the central directory
    if damage == "encrypted":
        data[central + 8] |= 0x01  # general purpose flag: encrypted -> RuntimeError
    else:
        data[central + 10 : central + 12] = struct.pack("<H", 9)  # Deflate64
    return bytes(data)


@pytest.fixture
def channel(personas):
    return make_channel(personas)


def _job(channel, payload: bytes, **fields) -> HistoryJob:
    return HistoryJob.objects.create(
        channel=channel,
        kind=JobKind.IMPORT,
        requested_at=timezone.now(),
        payload=payload,
        **fields,
    )


# --- the export is emptied when the import fails ----------------------------------------


def test_an_import_that_fails_empties_its_export(channel) -> None:
    """docs/privacy.md: the payload is emptied once the import has run, failed or not."""
    job = _job(channel, b"ikke en zip-fil, men en ode til fjorden")

    assert history.job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    assert job.payload is None


def test_an_import_that_fails_unexpectedly_empties_its_export(channel, monkeypatch) -> None:
    """docs/privacy.md: also when the import fails with an unexpected error."""

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(history, "import_export", broken)
    job = _job(channel, export_zip([GOOD_POST]))

    assert history.job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "RuntimeError" in job.error
    assert job.payload is None


# --- a record whose time cannot be read is skipped, the rest go in ----------------------


def test_a_post_with_a_time_out_of_range_is_skipped_and_the_rest_imported(
    personas, channel, django_capture_on_commit_callbacks
) -> None:
    """Issue #18: one bad record (timestamp 10**12) is counted; the import is done."""
    upload = io.BytesIO(export_zip([GOOD_POST, BAD_TIME_POST]))
    with django_capture_on_commit_callbacks(execute=True):
        history.history_import_start(
            actor=personas.communications, channel=channel, upload=upload, filename="e.zip"
        )

    job = HistoryJob.objects.get(channel=channel)
    assert job.status == JobStatus.DONE, job.error
    assert (job.posts, job.skipped, job.archived) == (1, 1, 1)
    assert job.payload is None


def test_a_comment_with_a_time_out_of_range_is_skipped(tmp_path) -> None:
    """Issue #18: the same for a comment, in the parser itself."""
    comment = {
        "timestamp": 1700087000,
        "data": [{"comment": {"comment": "Takk!", "author": "Eksempel kommune"}}],
    }
    broken = {
        "timestamp": 1700088000,
        "data": [
            {
                "comment": {
                    "timestamp": -(10**13),
                    "comment": "Ødelagt",
                    "author": "Eksempel kommune",
                }
            }
        ],
    }
    path = tmp_path / "eksport.zip"
    path.write_bytes(export_zip([GOOD_POST], {"comments_v2": [comment, broken]}))

    export = parse_dyi(path, page_name="Eksempel kommune")

    assert [c.text for c in export.comments] == ["Takk!"]
    assert len(export.posts) == 1 and export.skipped == 1


# --- a job whose worker died --------------------------------------------------------------


def test_the_sweep_fails_a_stale_running_job_and_empties_its_export(channel) -> None:
    """docs/privacy.md: a job left running by a restarted worker is failed and forgotten."""
    now = timezone.now()
    dead = _job(
        channel,
        export_zip([GOOD_POST]),
        status=JobStatus.RUNNING,
        started_at=now - timedelta(hours=7),
    )
    busy = _job(
        channel,
        export_zip([GOOD_POST]),
        status=JobStatus.RUNNING,
        started_at=now - timedelta(minutes=30),
    )
    sweep = next(s for s in registered_sweeps() if s.name == "platforms.history_stale")

    assert sweep.func(now=now) == 1
    assert sweep.func(now=now) == 0

    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.status == JobStatus.FAILED and "ble ikke ferdig" in dead.error
    assert dead.payload is None and dead.finished_at == now
    assert busy.status == JobStatus.RUNNING and busy.payload is not None


# --- a damaged zip: a Norwegian refusal, never a traceback or a 500 ----------------------


def test_a_damaged_zip_uploaded_in_the_console_is_a_form_error(client, personas, channel) -> None:
    """Never a 500 on bad input: the upload is refused on the form, nothing imported."""
    assert client.login(username=personas.communications.username, password=PASSWORD)
    upload = io.BytesIO(damaged_zip())
    upload.name = "eksport.zip"

    response = client.post(
        f"/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/import/",
        {"export": upload},
    )

    assert response.status_code == 400  # the page again, with the form's error
    assert "Filen er skadet" in response.content.decode()
    assert not HistoryJob.objects.exists()


@pytest.mark.parametrize("damage", ["flipped", "encrypted", "deflate64"])
def test_a_damaged_zip_on_the_command_line_is_one_norwegian_line(
    channel, tmp_path: Path, damage: str
) -> None:
    """Never a traceback on bad input: the command refuses with one Norwegian line."""
    from ordstyrer.archive.models import ArchiveRecord

    path = tmp_path / "eksport.zip"
    path.write_bytes(damaged_zip(damage))

    with pytest.raises(CommandError) as refused:
        call_command("platform_import", "--channel", str(channel.pk), str(path))

    message = str(refused.value)
    assert message.startswith("Filen er skadet") and "ingenting ble importert" in message
    assert "\n" not in message
    assert not ArchiveRecord.objects.filter(channel_id=channel.pk).exists()
