"""Inbox test set-up: tasks run at once; an active channel with an editor; comments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import Channel, ChannelRole
from ordstyrer.connectors.base import Author, Capability, Comment, ConnectorError
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem, Reply
from ordstyrer.inbox.replies import reply_send
from tests.channels.conftest import active_channel
from tests.conftest import Personas, make_personas
from tests.factories import person_with_roles

# A Tuesday morning in an ordinary working week (Oslo is UTC+2 in May).
TUESDAY = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)
LATER = TUESDAY + timedelta(minutes=20)  # when the replies below are sent


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks queued on commit run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class InboxWorld:
    p: Personas
    channel: Channel
    editor: Any  # an editor appointed on `channel` (CH-3)
    other_channel: Channel
    other_editor: Any  # editor of `other_channel` only

    @property
    def municipality(self) -> Any:
        return self.p.municipality


def make_world(slug: str = "innby", preset: str = "indre-fosen") -> InboxWorld:
    with time_machine.travel(datetime(2026, 5, 4, 6, 0, tzinfo=UTC), tick=False):
        p = make_personas(slug, preset)
        channel = active_channel(p, name="Skolen", kind="simulated")
        other = active_channel(p, name="Biblioteket", kind="simulated")
        editor = person_with_roles(p.municipality, username=f"{slug}-red", first_name="Sigrid")
        other_editor = person_with_roles(p.municipality, username=f"{slug}-red2", first_name="Odd")
        channel_services.channel_role_set(
            actor=p.employee, channel=channel, user=editor, role=ChannelRole.EDITOR
        )
        channel_services.channel_role_set(
            actor=p.employee, channel=other, user=other_editor, role=ChannelRole.EDITOR
        )
    return InboxWorld(p, channel, editor, other, other_editor)


@pytest.fixture
def world(db) -> InboxWorld:
    return make_world()


def comment(
    cid: str,
    text: str = "Når åpner svømmehallen igjen etter ferien?",
    *,
    author: str = "user-1",
    name: str = "Kari Nordmann",
    created: datetime | None = TUESDAY,
    parent: str | None = None,
    post: str | None = "post-1",
    edited: bool = False,
    removed: bool = False,
    page: bool = False,
) -> Comment:
    return Comment(
        id=cid,
        post_id=post,
        author=Author(id=author, name=name),
        text=text,
        created_at=created,
        parent_id=parent,
        edited=edited,
        removed=removed,
        is_page_author=page,
    )


def signed_in(user: Any) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def item_page(world: Any, item: InboxItem, query: str = "", *, user: Any = None) -> str:
    """The item page as the world's editor (or `user`) sees it."""
    url = f"/m/{world.municipality.slug}/innboks/{item.pk}/{query}"
    response = signed_in(user or world.editor).get(url)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """A page's words without its tags, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def question(world: Any, cid: str = "q1") -> InboxItem:
    """A citizen's question on the world's channel, ingested."""
    item = ingest(world.channel, comment(cid))
    assert item is not None
    return item


# Worlds under the presets whose guidelines differ in the rules the console cites.
@pytest.fixture
def fosen(db: Any) -> InboxWorld:
    return make_world("indre-fosen", "indre-fosen")


@pytest.fixture
def birkenes(db: Any) -> InboxWorld:
    return make_world("birkenes", "birkenes")


@pytest.fixture
def gausdal(db: Any) -> InboxWorld:
    return make_world("gausdal", "gausdal")


@pytest.fixture
def rennebu(db: Any) -> InboxWorld:
    return make_world("rennebu", "rennebu")


def ingest(channel: Channel, c: Comment, at: datetime = TUESDAY, **kw: Any) -> InboxItem | None:
    return inbox_ingest(channel=channel, comment=c, received_at=at, **kw)


@dataclass
class FakeReplier:
    """A platform that answers `reply` (the one seam the inbox opens, CH-3 replies)."""

    capabilities: frozenset = frozenset({Capability.REPLIER})
    sent: list[tuple[str, str]] = field(default_factory=list)
    failures: list[ConnectorError] = field(default_factory=list)

    def reply(self, target_id: str, text: str) -> Comment:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target_id, text))
        return Comment(
            id=f"our-{len(self.sent)}",
            post_id=None,
            author=None,
            text=text,
            created_at=None,
            parent_id=target_id,
            is_page_author=True,
        )


@pytest.fixture
def fake_platform(monkeypatch) -> FakeReplier:
    fake = FakeReplier()

    @contextmanager
    def opener(channel: Channel, *, now: datetime | None = None) -> Iterator[FakeReplier]:
        yield fake

    monkeypatch.setattr("ordstyrer.inbox.platform.channel_connector", opener)
    return fake


# --- Replies: a citizen's comment, and reply_send with its delivery ---------------------


@pytest.fixture
def item(world: InboxWorld) -> InboxItem | None:
    return ingest(world.channel, comment("c1"))


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Any:
    """reply_send at LATER with the after-commit delivery run at once."""

    def run(**kw: Any) -> Reply:
        with (
            time_machine.travel(LATER, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return reply_send(**kw)

    return run
