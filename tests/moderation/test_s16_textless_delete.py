"""A comment without text — a photo, a sticker or a GIF alone — is archived and deleted
like any other (MO-1, MO-2, MO-4, AR-1), and its picture is archived with it (MO-3).

Facebook gives such a comment no `message`; the inbox keeps it with text "". Its
deletion used to hang: the archive refused a record with neither text nor files, inside
the step that records the capture, so the capture was claimed again after every lease
until it was given up 40 minutes later with a false reason ("the background job stopped
every time"), the comment still on the platform, the author not told, nothing archived.
Now the record says in words what the comment was, carries its raw JSON and the picture
as a file, and the deletion goes on once it is committed. And a step our own side
refuses (a `DomainError` from what follows the platform call) fails at once with its
reason, alone, instead of hanging for 40 minutes.

The picture's address is the commenter's choice, so it is fetched only from the hosts
`ORDSTYRER_ATTACHMENT_HOSTS` lists (Meta's CDNs; here the local server's 127.0.0.1,
listed by itself), and after the connector's block has ended: no transaction or row lock
is held while another server takes its time (connectors.attachments)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation import effects, outbox
from ordstyrer.moderation.models import (
    ActionStatus,
    AttemptOutcome,
    ModerationAction,
    OpAttempt,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.services import comment_delete, comment_hide
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.records import CommentRec
from tests.conftest import make_personas
from tests.moderation.conftest import citizen_comment, on_platform
from tests.publishing.conftest import make_channel, png

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


@dataclass
class Cdn:
    """Where the platform keeps comments' pictures (Facebook: its CDN): a local server
    that serves PICTURE at /bilde.png and nothing else. `requests` records each request's
    path and whether a channel's connector block was open when it came (`in_block`)."""

    base: str = ""
    in_block: bool = False
    requests: list[tuple[str, bool]] = field(default_factory=list)


@pytest.fixture
def cdn(settings) -> Iterator[Cdn]:
    state = Cdn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, state.in_block))
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
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    # Only Meta's CDNs are fetched; a local server is, when listed by itself.
    settings.ORDSTYRER_ATTACHMENT_HOSTS = [*settings.ORDSTYRER_ATTACHMENT_HOSTS, "127.0.0.1"]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
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
    graph: FakeGraph, cdn: Cdn, run
):
    p, comment, item = facebook_comment(graph, message="", attachment_url=f"{cdn.base}/bilde.png")
    assert item.text == ""

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE and action.notice_state == "sent"
    assert deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    said = body(record)
    assert record.text == "[Kommentar uten tekst – et bilde]"
    assert said["extra"]["no_text"] is True
    # The raw JSON shows what the platform had; the picture is a file of the record.
    assert json.loads(said["raw"])["attachment"]["media"]["image"]["src"] == f"{cdn.base}/bilde.png"
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
    graph: FakeGraph, cdn: Cdn, run
):
    words = "Se her hva naboen gjorde!"
    p, comment, item = facebook_comment(
        graph, message=words, attachment_url=f"{cdn.base}/bilde.png"
    )

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert record.text == words and "no_text" not in body(record)["extra"]
    assert [bytes(f.data) for f in record.files.all()] == [PICTURE]


def test_a_picture_that_cannot_be_fetched_is_named_in_the_record_and_the_deletion_goes_on(
    graph: FakeGraph, cdn: Cdn, run
):
    gone = f"{cdn.base}/utlopt.png"  # the CDN address has expired
    p, comment, item = facebook_comment(graph, message="", attachment_url=gone)

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert record.text == "[Kommentar uten tekst – et bilde]" and not record.files.exists()
    attachment = body(record)["extra"]["attachment"]
    assert attachment["image_url"] == gone and attachment["kind"] == "photo"
    assert attachment["error"] == "Vedlegget kunne ikke hentes (HTTP 404)."


def test_a_picture_off_the_platform_s_hosts_is_not_fetched_and_the_deletion_goes_on(
    graph: FakeGraph, cdn: Cdn, run
):
    """What a comment links is its author's choice: an address that is not on the
    platform's CDN (here the local server by another name; in the wild the cloud's
    metadata service at 169.254.169.254) is never fetched (SSRF)."""
    elsewhere = cdn.base.replace("127.0.0.1", "localhost") + "/bilde.png"
    p, comment, item = facebook_comment(graph, message="", attachment_url=elsewhere)

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert cdn.requests == []
    assert action.status == ActionStatus.DONE and deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")  # MO-2
    assert not record.files.exists()
    attachment = body(record)["extra"]["attachment"]  # MO-3: named, and why it is missing
    assert attachment["image_url"] == elsewhere
    assert attachment["error"] == (
        "Vedlegget ligger ikke hos plattformen (localhost), og hentes ikke."
    )


def test_in_production_a_picture_is_fetched_over_https_only(
    graph: FakeGraph, cdn: Cdn, run, settings
):
    settings.PRODUCTION = True  # 127.0.0.1 is listed by itself, but its address is http
    p, comment, item = facebook_comment(graph, message="", attachment_url=f"{cdn.base}/bilde.png")

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert cdn.requests == []
    assert action.status == ActionStatus.DONE and deleted_on_facebook(graph, comment.id)
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert not record.files.exists()
    assert body(record)["extra"]["attachment"]["error"] == "Vedlegget hentes bare over https."


def test_the_picture_is_fetched_after_the_connector_s_block_has_ended(
    graph: FakeGraph, cdn: Cdn, run, settings
):
    """The simulated page's opener holds a transaction and a row lock for its block; no
    block may be open while another server takes its time."""
    real = import_string(settings.ORDSTYRER_CONNECTORS["OPENER"])

    @contextmanager
    def opener(channel):
        with real(channel) as connector:
            cdn.in_block = True
            try:
                yield connector
            finally:
                cdn.in_block = False

    settings.ORDSTYRER_CONNECTORS = {**settings.ORDSTYRER_CONNECTORS, "OPENER": opener}
    p, comment, item = facebook_comment(graph, message="", attachment_url=f"{cdn.base}/bilde.png")

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert cdn.requests == [("/bilde.png", False)]
    (file,) = ArchiveRecord.objects.get(kind="deleted_comment").files.all()
    assert bytes(file.data) == PICTURE


# --- a step our own side refuses fails at once, alone -------------------------------------------


REFUSED = "Arkivet tar ikke imot poster akkurat nå."


def test_a_capture_the_archive_refuses_fails_at_once_with_its_reason_and_alone(
    world, clock, monkeypatch, run
):
    bad = citizen_comment(world.channel, "Kjøp billige klokker her: bit.ly/klokker")
    good = citizen_comment(
        world.channel, "Tjen 5000 kr i uka: bit.ly/rask", author=("sim-user-902", "Kari Lie")
    )
    real = effects.archive_append

    def archive_append(*, entry, **kwargs):
        if entry.item_id == bad.platform_id:  # a poisoned record: refused every time
            raise ServiceError(REFUSED, rule="AR-1")
        return real(entry=entry, **kwargs)

    monkeypatch.setattr(effects, "archive_append", archive_append)
    action = run(comment_delete, actor=world.admin, item=bad, ground="spam", justification=WHY)
    other = run(comment_delete, actor=world.admin, item=good, ground="spam", justification=WHY)

    # Failed on the first try, with the archive's own words — not left `running`.
    capture = PlatformOp.objects.get(action=action, kind=OpKind.CAPTURE)
    assert capture.status == OpStatus.FAILED and capture.attempts == 1
    expected = f"Kommentaren ble ikke arkivert, og derfor ikke slettet: {REFUSED}"
    assert capture.last_error == expected
    attempt = OpAttempt.objects.get(op=capture)
    assert attempt.outcome == AttemptOutcome.PERMANENT and attempt.error == expected
    assert action.status == ActionStatus.FAILED and action.error == expected
    assert action.notice_state == ""  # the author was never told of a deletion (MO-4)
    (archived,) = ArchiveRecord.objects.filter(kind="deleted_comment")  # the other's only
    assert body(archived)["where"]["item_id"] == good.platform_id
    assert on_platform(world.channel, bad.platform_id)["removed"] is False  # MO-2
    bad.refresh_from_db()
    assert bad.open  # back in the work list, for a person to act on
    # The other deletion went through beside it.
    assert other.status == ActionStatus.DONE
    assert on_platform(world.channel, good.platform_id)["removed"] is True

    # Nothing is claimed again later.
    for _ in range(3):
        clock.shift(outbox.LEASE + timedelta(minutes=1))
        assert outbox.outbox_sweep(now=timezone.now()) == 0
    capture.refresh_from_db()
    assert capture.attempts == 1 and capture.last_error == expected
    assert ModerationAction.objects.get(pk=action.pk).error == expected
