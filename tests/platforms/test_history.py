"""History: backfill through the API against the stand-in, and a Page's "Download your
information" export (Norwegian text through Meta's mojibake) into the inbox history and
the archive (spec §1.2, §1.3, §6; AR-1, AR-3)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import connections, history
from ordstyrer.platforms.models import HistoryJob, JobStatus
from tests.factories import PASSWORD
from tests.platforms.conftest import make_channel

pytestmark = pytest.mark.django_db

POST_TEXT = "Vannet er tilbake på Ørsta og i Ålgårdveien – takk for tålmodigheten! 💧"
PAGE_COMMENT = "Hei Bjørn! Vi har meldt fra til Statens vegvesen. Hilsen Åse"


def meta_json(value) -> bytes:
    """Encode like Meta's export: every UTF-8 byte escaped on its own as \\u00XX."""

    def mangle(v):
        if isinstance(v, str):
            return v.encode("utf-8").decode("latin-1")
        if isinstance(v, list):
            return [mangle(x) for x in v]
        if isinstance(v, dict):
            return {k: mangle(x) for k, x in v.items()}
        return v

    return json.dumps(mangle(value), ensure_ascii=True).encode("ascii")


POSTS = [
    {
        "timestamp": 1700086400,
        "data": [{"post": POST_TEXT}],
        "attachments": [{"data": [{"external_context": {"url": "https://kommune.example/vann"}}]}],
        "title": "Eksempel kommune updated their status.",
    },
    {"timestamp": 1700172800, "data": [{"post": "Kulturskolen har åpen dag lørdag 🎻"}]},
]
COMMENTS = {
    "comments_v2": [
        {
            "timestamp": 1700087000,
            "data": [
                {
                    "comment": {
                        "timestamp": 1700087000,
                        "comment": PAGE_COMMENT,
                        "author": "Eksempel kommune",
                    }
                }
            ],
            "title": "Eksempel kommune replied to Bjørn Ærøy's comment.",
        },
        {
            "timestamp": 1700088000,
            "data": [{"comment": {"comment": "Dette er noen andres kommentar.", "author": "Ola"}}],
        },
    ]
}


def export_zip(*, media: bool = True) -> bytes:
    out = io.BytesIO()
    root = "facebook-eksempel-2026-05-04/this_profile's_activity_across_facebook"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{root}/posts/profile_posts_1.json", meta_json(POSTS))
        z.writestr(f"{root}/comments_and_reactions/comments.json", meta_json(COMMENTS))
        if media:
            z.writestr(f"{root}/posts/media/Album_1/p01.jpg", b"\xff\xd8" + b"0" * 4096)
    return out.getvalue()


@pytest.fixture
def channel(personas):
    return make_channel(personas)


# --- download-your-information import ---------------------------------------------------


def test_command_imports_the_export_with_norwegian_text(channel, tmp_path: Path, capsys) -> None:
    from ordstyrer.archive.models import ArchiveRecord

    path = tmp_path / "eksport.zip"
    path.write_bytes(export_zip())
    call_command("platform_import", "--channel", str(channel.pk), str(path))
    out = capsys.readouterr().out
    assert "2 innlegg og 2 kommentarer lest" in out and "1 hoppet over" in out

    page_item = InboxItem.objects.get(channel=channel)
    assert page_item.text == PAGE_COMMENT  # "Ã¸" repaired to "ø"
    assert page_item.from_page and page_item.triaged_at is None and not page_item.listed
    records = ArchiveRecord.objects.filter(channel_id=channel.pk).order_by("sequence")
    assert [r.text for r in records] == [
        POST_TEXT,
        "Kulturskolen har åpen dag lørdag 🎻",
        PAGE_COMMENT,
    ]
    assert all(r.kind == "own_post" for r in records)

    # Running it again (or an overlapping export) adds nothing.
    call_command("platform_import", "--channel", str(channel.pk), str(path))
    assert InboxItem.objects.filter(channel=channel).count() == 1
    assert ArchiveRecord.objects.filter(channel_id=channel.pk).count() == 3


def test_an_import_by_a_persons_actor_archives_them_as_the_actor(
    personas, channel, tmp_path: Path
) -> None:
    # AR-1: who archived a record is part of it, whether the service got a user or the
    # request's Actor (issue #17).
    from ordstyrer.archive.models import ArchiveRecord
    from ordstyrer.core.permissions import actor_in

    path = tmp_path / "eksport.zip"
    path.write_bytes(export_zip())
    actor = actor_in(user=personas.communications, slug=personas.municipality.slug)
    history.import_export(channel=channel, path=path, actor=actor)
    records = ArchiveRecord.objects.filter(channel_id=channel.pk)
    assert records.count() == 3
    assert set(records.values_list("actor_id", flat=True)) == {personas.communications.pk}


def test_command_refuses_unknown_channel_and_missing_file(channel, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("platform_import", "--channel", "999999", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("platform_import", "--channel", str(channel.pk), str(tmp_path / "nei.zip"))


def test_console_upload_keeps_only_the_json_and_imports_in_a_task(
    client, personas, channel, django_capture_on_commit_callbacks
) -> None:
    assert client.login(username=personas.communications.username, password=PASSWORD)
    upload = io.BytesIO(export_zip(media=True))
    upload.name = "facebook-eksempel.zip"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/import/",
            {"export": upload},
        )
    assert response.status_code == 302
    job = HistoryJob.objects.get(channel=channel)
    assert job.status == JobStatus.DONE, job.error
    assert (job.posts, job.comments, job.ingested, job.archived, job.skipped) == (2, 2, 1, 3, 1)
    assert job.payload is None  # the export is not kept after the import
    assert InboxItem.objects.get(channel=channel).text == PAGE_COMMENT
    response = client.get(f"/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/")
    assert "facebook-eksempel.zip" in response.content.decode()


def test_export_json_only_drops_media_and_refuses_other_files() -> None:
    small = history.export_json_only(io.BytesIO(export_zip(media=True)))
    with zipfile.ZipFile(io.BytesIO(small)) as z:
        assert all(n.endswith(".json") for n in z.namelist()) and len(z.namelist()) == 2
    from ordstyrer.core.errors import ServiceError

    with pytest.raises(ServiceError):
        history.export_json_only(io.BytesIO(b"ikke en zip"))
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "hei")
    with pytest.raises(ServiceError):
        history.export_json_only(io.BytesIO(empty.getvalue()))


def test_upload_of_a_non_zip_is_a_form_error(client, personas, channel) -> None:
    assert client.login(username=personas.communications.username, password=PASSWORD)
    upload = io.BytesIO(b"hei")
    upload.name = "eksport.txt"
    response = client.post(
        f"/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/import/",
        {"export": upload},
    )
    assert response.status_code == 400
    assert "zip-fil" in response.content.decode()
    assert not HistoryJob.objects.exists()


# --- backfill through the API ---------------------------------------------------------------


def _connect(channel, fb_page, actor):
    return connections.connection_connect(
        actor=actor,
        channel=channel,
        account_id=fb_page.id,
        token=SecretToken(fb_page.token),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )


def test_backfill_reads_posts_and_all_comments_into_the_inbox(
    client, personas, channel, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    store = graph.store
    post = store.create_post(fb_page, message="Brøyting i Ørstavegen i dag.")
    older = store.create_post(fb_page, message="Kulturskolen åpner dørene.")
    first = store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Kari Nordmann",
        message="Når kommer brøytebilen til Ålvik?",
    )
    store.add_comment(
        first.id, from_id=fb_page.id, from_name=fb_page.name, message="Hei Kari! I løpet av dagen."
    )
    for n in range(30):  # more than one page of comments
        store.add_comment(
            older.id,
            from_id=f"77{n}",
            from_name=f"Person {n}",
            message=f"Spørsmål nummer {n} om kulturskolen?",
        )
    _connect(channel, fb_page, personas.communications)

    assert client.login(username=personas.communications.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/m/{personas.municipality.slug}/kanaler/{channel.pk}/tilkobling/historikk/",
            {"days": "30"},
        )
    assert response.status_code == 302
    job = HistoryJob.objects.get(channel=channel)
    assert job.status == JobStatus.DONE, job.error
    assert (job.posts, job.comments) == (2, 32)
    assert InboxItem.objects.filter(channel=channel).count() == 32
    kari = InboxItem.objects.get(channel=channel, platform_id=first.id)
    assert kari.text == "Når kommer brøytebilen til Ålvik?" and kari.triaged_at is not None
    own = InboxItem.objects.get(channel=channel, author_platform_id=fb_page.id)
    assert own.from_page and own.triaged_at is None

    # Idempotent: a second backfill finds the same items.
    history.backfill(channel=channel, days=30, now=timezone.now() + timedelta(hours=1))
    assert InboxItem.objects.filter(channel=channel).count() == 32


def test_backfill_needs_a_connection(personas, channel) -> None:
    from ordstyrer.core.errors import ServiceError

    with pytest.raises(ServiceError):
        history.history_backfill_start(actor=personas.communications, channel=channel, days=30)


def test_backfill_with_a_dead_token_fails_the_job_and_flags_the_channel(
    personas, channel, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    from ordstyrer.platforms.models import PlatformConnection

    _connect(channel, fb_page, personas.communications)
    graph.store.expire_page_token(fb_page.id, 463)
    with django_capture_on_commit_callbacks(execute=True):
        history.history_backfill_start(actor=personas.communications, channel=channel, days=7)
    job = HistoryJob.objects.get(channel=channel)
    assert job.status == JobStatus.FAILED and job.error
    assert PlatformConnection.objects.get(channel=channel).status == "needs_reauth"
