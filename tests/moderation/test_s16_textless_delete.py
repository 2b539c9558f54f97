"""A comment without text — a photo, a sticker or a GIF alone — is archived and deleted
like any other (MO-1, MO-2, MO-4, AR-1), and its picture is archived with it (MO-3).

Facebook gives such a comment no `message`; the inbox keeps it with text "". Its
deletion used to hang: the archive refused a record with neither text nor files, inside
the step that records the capture, so the capture was claimed again after every lease
until it was given up 40 minutes later with a false reason ("the background job stopped
every time"), the comment still on the platform, the author not told, nothing archived.
Now the record says in words what the comment was, carries its raw JSON and the picture
as a file, and the deletion goes on once it is committed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import ActionStatus, OpKind, OpStatus, PlatformOp
from ordstyrer.moderation.services import comment_delete, comment_hide
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.records import CommentRec
from tests.conftest import make_personas
from tests.moderation.conftest import citizen_comment, on_platform
from tests.publishing.conftest import make_channel, png, product_on_graph

pytestmark = pytest.mark.django_db

WHY = "Reklame for pengespill, lagt inn på flere innlegg."
PICTURE = png(7)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and then everything it queued (tasks run at once after commit)."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        result.refresh_from_db()
        return result

    return call


def body(record: ArchiveRecord) -> dict[str, Any]:
    return json.loads(record.canonical)


def steps(action) -> list[tuple[str, str]]:
    return [(op.kind, op.status) for op in action.ops.order_by("pk")]


# --- on the simulated page ------------------------------------------------------------------


def test_a_comment_without_text_is_archived_then_deleted_and_its_author_told(world, run):
    item = citizen_comment(world.channel, "")
    assert item.text == ""

    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE and action.notice_state == "sent"  # MO-4
    assert all(status == OpStatus.DONE for _kind, status in steps(action))
    record = ArchiveRecord.objects.get(kind="deleted_comment")  # MO-2, before the deletion
    assert action.archive_record_id == record.pk
    said = body(record)
    # The record says in words what the comment was, never as the author's own words.
    assert record.text == said["said"]["text"] == "[Kommentar uten tekst]"
    assert said["extra"]["no_text"] is True
    assert said["author"]["name"] == "Ola Nordmann" and said["ground"] == "spam"
    assert on_platform(world.channel, item.platform_id)["removed"] is True


def test_a_comment_without_text_hidden_on_a_ground_is_documented(world, run):
    item = citizen_comment(world.channel, "")
    action = run(comment_hide, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    record = ArchiveRecord.objects.get(kind="hidden_comment")  # MO-6
    assert record.text == "[Kommentar uten tekst]" and body(record)["extra"]["no_text"] is True
    assert on_platform(world.channel, item.platform_id)["hidden"] is True


# --- on a Facebook Page served by the Graph API stand-in -------------------------------------


@pytest.fixture
def graph(settings, monkeypatch) -> Iterator[FakeGraph]:
    with product_on_graph(settings, monkeypatch) as fake:
        yield fake


@pytest.fixture
def cdn() -> Iterator[str]:
    """Where the platform keeps comments' pictures (Facebook: its CDN): a local server
    that serves PICTURE at /bilde.png and nothing else."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/bilde.png"):
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PICTURE)))
                self.end_headers()
                self.wfile.write(PICTURE)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def deleted_on_facebook(graph: FakeGraph, comment_id: str) -> bool:
    stored = graph.store.objects[comment_id]
    assert isinstance(stored, CommentRec)
    return stored.deleted


def facebook_comment(graph: FakeGraph, *, message: str, attachment_url: str | None):
    """A Facebook Page with one comment on it, polled into the inbox the way every
    Facebook comment arrives."""
    from ordstyrer.platforms.connections import connection_connect_system

    p = make_personas("grafby", "indre-fosen")
    fb_page = graph.add_page("Grafby kommune")
    channel = make_channel(p, name="Grafby på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Skolestart", check_duplicate=False)
    comment = graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=message,
        attachment_url=attachment_url,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    return p, comment, InboxItem.objects.get(channel=channel, platform_id=comment.id)


def test_a_photo_comment_on_facebook_is_archived_with_its_picture_then_deleted(
    graph: FakeGraph, cdn: str, run
):
    p, comment, item = facebook_comment(graph, message="", attachment_url=f"{cdn}/bilde.png")
    assert item.text == ""

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE and action.notice_state == "sent"
    assert deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    said = body(record)
    assert record.text == "[Kommentar uten tekst – et bilde]"
    assert said["extra"]["no_text"] is True
    # The raw JSON shows what the platform had; the picture is a file of the record.
    assert json.loads(said["raw"])["attachment"]["media"]["image"]["src"] == f"{cdn}/bilde.png"
    (file,) = record.files.all()
    assert bytes(file.data) == PICTURE and file.mime == "image/png"
    assert file.name.endswith(".png")
    assert said["files"][0]["sha256"] == file.sha256
    attachment = said["extra"]["attachment"]
    assert attachment["kind"] == "photo" and attachment["file"] == file.name
    # The bytes live in the archive only, not in the outbox's row.
    capture = PlatformOp.objects.get(action=action, kind=OpKind.CAPTURE)
    assert "data" not in capture.result["attachment"]
    assert capture.result["attachment"]["sha256"] == file.sha256


def test_a_comment_with_text_and_a_photo_keeps_its_words_and_its_picture(
    graph: FakeGraph, cdn: str, run
):
    words = "Se her hva naboen gjorde!"
    p, comment, item = facebook_comment(graph, message=words, attachment_url=f"{cdn}/bilde.png")

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert record.text == words and "no_text" not in body(record)["extra"]
    assert [bytes(f.data) for f in record.files.all()] == [PICTURE]


def test_a_picture_that_cannot_be_fetched_is_named_in_the_record_and_the_deletion_goes_on(
    graph: FakeGraph, cdn: str, run
):
    gone = f"{cdn}/utlopt.png"  # the CDN address has expired
    p, comment, item = facebook_comment(graph, message="", attachment_url=gone)

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert record.text == "[Kommentar uten tekst – et bilde]" and not record.files.exists()
    attachment = body(record)["extra"]["attachment"]
    assert attachment["image_url"] == gone and attachment["kind"] == "photo"
    assert attachment["error"] == "Vedlegget kunne ikke hentes (HTTP 404)."
