"""QA: a comment that cannot be stored must never stall a queue (issue #18).

1. A broken emoji arrives from Graph as valid JSON with a lone UTF-16 surrogate
   (`"\\ud800"`). It is cleaned where Graph JSON becomes our data — the webhook parse
   and the Graph mappings — so the comment reaches the inbox with U+FFFD, through
   webhooks, polling and the history backfill alike.
2. A comment that still cannot be ingested (here: an id too long to store, in an answer
   the Graph stand-in malforms; a row the database refuses) fails alone: the backfill,
   the export import and the 15-minute safety-net poll count it, log it and take in the
   rest; an unexpected failure of a poll itself is recorded where the start page sees it.

Everything runs against the Graph stand-in on loopback; nothing of our client is mocked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from ordstyrer.connectors.facebook.mapping import COMMENT_FIELDS
from ordstyrer.connectors.graph.webhooks import parse_events
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import ChannelPoll, InboxItem
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.jsonsafe import without_lone_surrogates
from ordstyrer.platforms import connections, history, webhooks
from ordstyrer.platforms.models import DeliveryStatus, HistoryJob, JobStatus, WebhookDelivery
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.store import PageRec
from ordstyrer_fakegraph.webhooks import encode_body
from tests.platforms.conftest import APP_SECRET, TOKEN_KEY, make_channel, post_signed

# The QA report's comment: a broken emoji in the name and in the text.
BROKEN_NAME = "Sur\ud800Rogat"
BROKEN_TEXT = "Hei \udc00 … når kommer vannet tilbake? \ud83d"
CLEAN_NAME = "Sur\ufffdRogat"
CLEAN_TEXT = "Hei \ufffd … når kommer vannet tilbake? \ufffd"
# An id no inbox can store (over 255 characters): `inbox_ingest` refuses it.
POISON_ID = "9" * 300


def _feed(values: list[dict], page_id: str) -> bytes:
    """A `feed` delivery as the stand-in's emitter sends it (ASCII-escaped JSON)."""
    return encode_body(
        {
            "object": "page",
            "entry": [
                {
                    "id": page_id,
                    "time": 1777712472,
                    "changes": [{"field": "feed", "value": v} for v in values],
                }
            ],
        }
    )


def _comment(page_id: str, comment_id: str, message: str, name: str = "Kari Nordmann") -> dict:
    return {
        "item": "comment",
        "verb": "add",
        "comment_id": comment_id,
        "post_id": f"{page_id}_222",
        "parent_id": f"{page_id}_222",
        "from": {"id": "5550001", "name": name},
        "message": message,
        "created_time": 1777712472,
    }


# --- 1. the parse (pure) ------------------------------------------------------------------


def test_a_lone_surrogate_in_a_webhook_body_becomes_the_replacement_character() -> None:
    body = _feed([_comment("111", "222_1", BROKEN_TEXT + " 😀", name=BROKEN_NAME)], "111")
    assert b"\\ud800" in body and b"\\ud83d\\ude00" in body  # valid JSON escapes
    (event,) = parse_events(body)
    assert event.text == CLEAN_TEXT + " 😀"  # an intact emoji (a valid pair) is kept
    assert event.author is not None and event.author.name == CLEAN_NAME
    assert event.raw["from"]["name"] == CLEAN_NAME  # the raw value too
    event.text.encode("utf-8")  # storable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\ud800", "\ufffd"),
        ({"k\udfff": ["a\ud83d", 1, None]}, {"k\ufffd": ["a\ufffd", 1, None]}),
        ("Blåbær 😀", "Blåbær 😀"),
        (42, 42),
    ],
)
def test_without_lone_surrogates(value, expected) -> None:
    assert without_lone_surrogates(value) == expected


# --- the Django side ----------------------------------------------------------------------


@pytest.fixture
def stand_in(settings, monkeypatch) -> Iterator[FakeGraph]:
    """The Graph stand-in, its clock at the real present, with the Django side pointed
    at it (and tasks run at once)."""
    graph = FakeGraph(clock=FakeClock(datetime.now(UTC), frozen=True)).start()
    graph.usage.send_headers = False  # keep the process-wide throttle book out of it
    graph.store.settings.app_secret = APP_SECRET
    settings.META_APP_SECRET = APP_SECRET
    settings.META_GRAPH_BASE_URL = graph.base_url
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)
    try:
        yield graph
    finally:
        graph.stop()


@pytest.fixture
def fb_page(stand_in: FakeGraph) -> PageRec:
    return stand_in.add_page("Eksempel kommune")


@pytest.fixture
def channel(db, personas, stand_in: FakeGraph, fb_page: PageRec):
    channel = make_channel(personas, platform_id=fb_page.id)
    connections.connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    return channel


def _citizens(stand_in: FakeGraph, fb_page: PageRec) -> tuple[str, list[str]]:
    """A post with three citizens' comments, the middle one the QA report's."""
    store = stand_in.store
    post = store.create_post(fb_page, message="Vannledningsbrudd i Storgata.")
    ids = [
        store.add_comment(post.id, from_id=f"555{n}", from_name=name, message=text).id
        for n, (name, text) in enumerate(
            [
                ("Kari Nordmann", "Når er vannet tilbake i Ærøveien?"),
                (BROKEN_NAME, BROKEN_TEXT),
                ("Ola Nordmann", "Takk for god informasjon!"),
            ]
        )
    ]
    return post.id, ids


def _poison_comments_of(stand_in: FakeGraph, fb_page: PageRec, post_id: str) -> None:
    """The next read of the post's comments answers them with one more, whose id no inbox
    can store (`FakeGraph.malform`: a Graph answer not in the documented shape)."""
    answer = httpx.get(
        f"{stand_in.base_url}/v25.0/{post_id}/comments",
        params={"access_token": fb_page.token, "fields": COMMENT_FIELDS, "filter": "stream"},
        timeout=10,
    ).json()
    good = answer["data"]
    poison = {
        "id": POISON_ID,
        "message": "Denne kan ikke lagres.",
        "created_time": good[0]["created_time"],
        "from": {"id": "5559", "name": "Per Hansen"},
    }
    stand_in.malform(
        path=f"/{post_id}/comments", method="GET", body={"data": [good[0], poison, *good[1:]]}
    )


def _items(channel) -> dict[str, InboxItem]:
    return {i.platform_id: i for i in InboxItem.objects.filter(channel=channel)}


def test_a_webhook_with_a_broken_emoji_reaches_the_inbox(client, channel, fb_page) -> None:
    body = _feed([_comment(fb_page.id, "222_7001", BROKEN_TEXT, name=BROKEN_NAME)], fb_page.id)
    assert post_signed(client, body).status_code == 200  # on-commit work not run here
    assert webhooks.deliveries_drain() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    item = InboxItem.objects.get(channel=channel, platform_id="222_7001")
    assert (item.text, item.author_name) == (CLEAN_TEXT, CLEAN_NAME)


def test_the_graph_client_reads_a_broken_emoji_as_the_replacement_character(
    channel, stand_in, fb_page
) -> None:
    post_id, ids = _citizens(stand_in, fb_page)
    with channel_connector(channel) as connector:
        comments = {c.id: c for c in connector.list_comments(post_id).items}
        single = connector.get_comment(ids[1])
    for comment in (comments[ids[1]], single):
        assert comment.text == CLEAN_TEXT
        assert comment.author is not None and comment.author.name == CLEAN_NAME
        json.dumps(comment.raw, ensure_ascii=False).encode("utf-8")  # storable as it is


def test_a_backfill_takes_the_broken_emoji_and_goes_past_a_poisoned_comment(
    client, personas, channel, stand_in, fb_page, django_capture_on_commit_callbacks, caplog
) -> None:
    post_id, ids = _citizens(stand_in, fb_page)
    _poison_comments_of(stand_in, fb_page, post_id)
    caplog.set_level(logging.WARNING, logger="ordstyrer.inbox")
    with django_capture_on_commit_callbacks(execute=True):
        history.history_backfill_start(actor=personas.communications, channel=channel, days=30)

    job = HistoryJob.objects.get(channel=channel)
    assert job.status == JobStatus.DONE, job.error
    assert (job.posts, job.comments, job.ingested) == (1, 4, 3)
    assert job.note == "Kommentarer som ikke kunne tas inn: 1 (se driftsloggen)."
    items = _items(channel)
    assert set(items) == set(ids)  # everything after the poisoned one is there
    assert (items[ids[1]].text, items[ids[1]].author_name) == (CLEAN_TEXT, CLEAN_NAME)
    assert items[ids[2]].triaged_at is not None
    (logged,) = [r for r in caplog.records if r.getMessage() == "comment not ingested"]
    assert (logged.source, logged.error, logged.comment_id) == (
        "backfill",
        "ValueError",
        POISON_ID[:120],
    )
    assert "Per Hansen" not in caplog.text and "kan ikke lagres" not in caplog.text


def test_the_safety_net_poll_goes_past_a_poisoned_comment(channel, stand_in, fb_page) -> None:
    post_id, ids = _citizens(stand_in, fb_page)
    _poison_comments_of(stand_in, fb_page, post_id)
    now = timezone.now()

    assert poll_channel(channel_id=channel.pk, now=now) == 3
    poll = ChannelPoll.objects.get(channel=channel)
    assert poll.last_polled_at == now and poll.failures == 0
    assert poll.last_error == "Kommentarer som ikke kunne tas inn: 1 (se driftsloggen)."
    items = _items(channel)
    assert set(items) == set(ids)
    assert items[ids[1]].text == CLEAN_TEXT

    # The next poll reads cleanly, and says so.
    later = now + timedelta(minutes=15)
    poll_channel(channel_id=channel.pk, now=later)
    poll.refresh_from_db()
    assert (poll.last_polled_at, poll.last_error, poll.failures) == (later, "", 0)


def test_an_unexpected_failure_of_a_poll_is_recorded_not_invisible(
    channel, stand_in, fb_page
) -> None:
    _citizens(stand_in, fb_page)

    def locked(execute, sql, params, many, context):
        # The database refuses the poll's read of the municipality's policy.
        if "tenants_policyversion" in sql:
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    now = timezone.now()
    with connection.execute_wrapper(locked):
        assert poll_channel(channel_id=channel.pk, now=now) == 0
    poll = ChannelPoll.objects.get(channel=channel)
    assert poll.failures == 1 and poll.last_polled_at is None
    assert poll.last_error == "Uventet feil (OperationalError); se driftsloggen."
    assert poll.next_poll_at > now  # backed off like any failed poll
    assert not InboxItem.objects.filter(channel=channel).exists()


def _export(folder: Path, comments: list[str]) -> Path:
    """A Page's "Download your information" export (unpacked) with its own comments."""
    root = folder / "this_profile's_activity_across_facebook"
    (root / "posts").mkdir(parents=True)
    (root / "comments_and_reactions").mkdir()
    (root / "posts" / "profile_posts_1.json").write_text(
        json.dumps([{"timestamp": 1700086400, "data": [{"post": "Vannet er tilbake."}]}])
    )
    entries = [
        {
            "timestamp": 1700087000 + n,
            "data": [
                {"comment": {"timestamp": 1700087000 + n, "comment": t, "author": "Eksempel"}}
            ],
        }
        for n, t in enumerate(comments)
    ]
    (root / "comments_and_reactions" / "comments.json").write_text(
        json.dumps({"comments_v2": entries})
    )
    return folder


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite trigger refuses the row")
def test_an_import_goes_past_a_row_the_database_refuses(personas, db, tmp_path) -> None:
    from ordstyrer.archive.models import ArchiveRecord

    channel = make_channel(personas, name="Eksempel")
    texts = ["Hei Kari! Vi ser på det.", "Hei Ola! GIFTIG rad.", "Hei Åse! Takk for tipset."]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER qa_poisoned_row BEFORE INSERT ON inbox_inboxitem "
            "WHEN NEW.text LIKE '%GIFTIG%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    counts = history.import_export(channel=channel, path=_export(tmp_path, texts))

    assert (counts.comments, counts.ingested, counts.failed) == (3, 2, 1)
    stored = set(InboxItem.objects.filter(channel=channel).values_list("text", flat=True))
    assert stored == {texts[0], texts[2]}
    # The archive is a record of the export, so all of it is archived (AR-1).
    assert ArchiveRecord.objects.filter(channel_id=channel.pk).count() == 4
    assert counts.note == "Kommentarer som ikke kunne tas inn: 1 (se driftsloggen)."


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite trigger refuses the row")
@pytest.mark.django_db(transaction=True)  # the archive's own transaction must really roll back
def test_an_import_goes_past_a_record_the_archive_refuses(personas, tmp_path) -> None:
    from ordstyrer.archive.chain import verify_chain
    from ordstyrer.archive.models import ArchiveRecord

    channel = make_channel(personas, name="Eksempel")
    texts = ["Hei Kari! Vi ser på det.", "Hei Ola! GIFTIG rad.", "Hei Åse! Takk for tipset."]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER qa_poisoned_record BEFORE INSERT ON archive_archiverecord "
            "WHEN NEW.text LIKE '%GIFTIG%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    try:
        counts = history.import_export(channel=channel, path=_export(tmp_path, texts))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER qa_poisoned_record")

    assert (counts.ingested, counts.archived, counts.unarchived) == (3, 3, 1)
    archived = list(
        ArchiveRecord.objects.filter(channel_id=channel.pk).values_list("text", flat=True)
    )
    assert "Hei Ola! GIFTIG rad." not in archived and texts[2] in archived
    assert counts.note == ("Innlegg og kommentarer som ikke kunne arkiveres: 1 (se driftsloggen).")
    assert verify_chain(personas.municipality.pk).ok  # the chain is whole (AR-1)
