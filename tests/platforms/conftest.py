"""Platform-connection test set-up: the Graph stand-in on loopback, Meta settings,
a Fernet key, channels in a municipality, and signed webhook bodies.

Facebook Login runs against the stand-in too: its `/{version}/dialog/oauth` plays Meta's
dialog (the person logs in and is sent back with a code) and `/oauth/access_token`
exchanges the code, so the login flow is tested over HTTP like the rest. Nothing of our
own client is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.connectors.graph.webhooks import sign
from ordstyrer.platforms.models import PlatformConnection
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.store import PageRec
from ordstyrer_fakegraph.webhooks import encode_body
from tests.conftest import Personas

APP_SECRET = "app-hemmelighet-æøå"
VERIFY_TOKEN = "verifiser-meg-ø"
# Fixed, not generated: test ids that show it must be the same in every xdist worker.
TOKEN_KEY = "b3Jkc3R5cmVyLXRlc3QtdG9rZW4ta2V5LTMyLWJ5dGU="


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    # The stand-in's clock stands still at the real present, so `since` filters line up.
    graph = FakeGraph(clock=FakeClock(datetime.now(UTC), frozen=True)).start()
    graph.usage.send_headers = False  # keep the process-wide throttle book out of it
    graph.store.settings.app_secret = APP_SECRET
    try:
        yield graph
    finally:
        graph.stop()


@pytest.fixture
def fb_page(fake: FakeGraph) -> PageRec:
    return fake.add_page("Eksempel kommune", ig_username="eksempelkommune")


@pytest.fixture(autouse=True)
def _meta_settings(settings, monkeypatch):
    settings.META_APP_SECRET = APP_SECRET
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN
    settings.META_APP_ID = ""
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # nothing there unless a test says
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


@pytest.fixture
def graph(fake: FakeGraph, settings) -> FakeGraph:
    """Point the Django side at the stand-in (Graph and login dialog), with its app id
    and secret."""
    settings.META_GRAPH_BASE_URL = fake.base_url
    settings.META_APP_ID = fake.store.settings.app_id
    settings.META_DIALOG_BASE_URL = fake.base_url
    return fake


def make_channel(
    p: Personas,
    *,
    kind: str = "facebook",
    name: str = "Eksempel kommune",
    status: str = "active",
    platform_id: str = "",
    main_admin: Any = None,
    connected: bool = True,
) -> Channel:
    """A channel with its main administrator. A Facebook or Instagram channel given a
    `platform_id` also gets a live connection for it (no token), unless `connected` is
    False: webhooks reach a channel only through its connection (CH-1, PU-1)."""
    channel = Channel.objects.create(
        municipality=p.municipality,
        kind=kind,
        name=name,
        status=status,
        platform_id=platform_id,
        created_at=timezone.now(),
        proposed_by=p.employee,
    )
    ChannelMembership.objects.create(
        channel=channel,
        user=main_admin or p.employee,
        role=ChannelRole.MAIN_ADMIN,
        granted_at=timezone.now(),
    )
    if connected and platform_id and kind in {"facebook", "instagram"}:
        PlatformConnection.objects.create(
            channel=channel,
            platform=kind,
            account_id=platform_id,
            page_id=platform_id if kind == "facebook" else "",
            method="system_user",
            connected_at=timezone.now(),
        )
    return channel


def feed_body(values: list[dict[str, Any]], page_id: str, *, escape_slashes: bool = False) -> bytes:
    """A `feed` delivery exactly as Meta (and the stand-in) sends it: ASCII-escaped JSON."""
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
        },
        escape_slashes=escape_slashes,
    )


def comment_value(
    page_id: str,
    comment: str,
    *,
    verb: str = "add",
    message: str | None = "Når kommer vannet tilbake? Blåbær på Ørsta.",
    author: tuple[str, str] = ("5550001", "Kari Nordmann"),
    parent: str | None = None,
    created: int = 1777712472,
) -> dict[str, Any]:
    post = f"{page_id}_222"
    value: dict[str, Any] = {
        "item": "comment",
        "verb": verb,
        "comment_id": comment,
        "post_id": post,
        "parent_id": parent or post,
        "from": {"id": author[0], "name": author[1]},
        "created_time": created,
    }
    if message is not None:
        value["message"] = message
    return value


def post_signed(client, body: bytes, *, secret: str = APP_SECRET, header: str | None = None):
    return client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": header if header is not None else sign(body, secret)},
    )


def ig_body(ig_user_id: str, comment_id: str, text: str, *, from_id: str = "17841") -> bytes:
    return json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": ig_user_id,
                    "time": 1777712472,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {
                                "id": comment_id,
                                "text": text,
                                "from": {"id": from_id, "username": "kari_n"},
                                "media": {"id": "1790001", "media_product_type": "FEED"},
                            },
                        }
                    ],
                }
            ],
        },
        ensure_ascii=True,
        separators=(",", ":"),
    ).encode("ascii")
