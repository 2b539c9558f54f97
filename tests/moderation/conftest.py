"""Moderation test set-up: a quiet simulated page per channel, citizens' comments put on
it and ingested the way every comment arrives (poll → inbox_ingest → triage), personas
with the channel roles that matter (main administrator, administrator, editor), and a
frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import Channel, ChannelRole
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from tests.channels.conftest import active_channel
from tests.conftest import Personas, make_personas
from tests.factories import PASSWORD, person_with_roles

# A Tuesday morning in an ordinary working week (09:00 in Oslo).
T0 = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)
# No generated comments: each test writes the comments it needs.
QUIET = {"comments_per_day": 0.0, "history_days": 1}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks queued on commit run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@dataclass
class ModWorld:
    p: Personas
    channel: Channel
    main_admin: Any  # the channel's main administrator (MO-5)
    admin: Any  # an administrator of the channel (may moderate)
    editor: Any  # an editor of the channel (answers, does not moderate)
    other_channel: Channel
    other_admin: Any  # administrator of `other_channel` only
    other_editor: Any  # editor of `other_channel` only

    @property
    def municipality(self) -> Any:
        return self.p.municipality


def make_world(
    slug: str = "modby", preset: str = "indre-fosen", kind: str = "simulated"
) -> ModWorld:
    with time_machine.travel(datetime(2026, 5, 4, 6, 0, tzinfo=UTC), tick=False):
        p = make_personas(slug, preset)
        channel = active_channel(p, name="Skolen", kind=kind)
        other = active_channel(p, name="Biblioteket", kind="simulated")
        for ch in (channel, other):
            ch.connector_config = {**(ch.connector_config or {}), **QUIET}
            ch.platform_id = ch.platform_id or f"{slug}-{ch.pk}"
            ch.save(update_fields=["connector_config", "platform_id"])
        people = {}
        for name, first in (
            ("admin", "Aud"),
            ("red", "Sigrid"),
            ("admin2", "Odd"),
            ("red2", "Ivar"),
        ):
            people[name] = person_with_roles(
                p.municipality, username=f"{slug}-{name}", first_name=first
            )
        for user, ch, role in (
            (people["admin"], channel, ChannelRole.ADMIN),
            (people["red"], channel, ChannelRole.EDITOR),
            (people["admin2"], other, ChannelRole.ADMIN),
            (people["red2"], other, ChannelRole.EDITOR),
        ):
            channel_services.channel_role_set(actor=p.employee, channel=ch, user=user, role=role)
    return ModWorld(
        p,
        channel,
        p.employee,
        people["admin"],
        people["red"],
        other,
        people["admin2"],
        people["red2"],
    )


@pytest.fixture
def world(db, clock) -> ModWorld:
    return make_world()


def first_post(channel: Channel) -> str:
    with channel_connector(channel) as connector:
        posts = connector.list_posts(limit=1).items
    return posts[0].id


def citizen_comment(
    channel: Channel,
    text: str,
    *,
    author: tuple[str, str] = ("sim-user-901", "Ola Nordmann"),
    parent: InboxItem | None = None,
) -> InboxItem:
    """A citizen writes `text` on the channel's simulated page; the inbox polls it in.

    (The simulated page has no API for a citizen's comment; `_store_comment` is how the
    simulation itself adds one.)"""
    with channel_connector(channel) as connector:
        platform = connector.platform
        post_id = parent.post_id if parent else next(iter(platform.state["posts"]))
        stored = platform._store_comment(
            post_id,
            parent.platform_id if parent else None,
            author,
            text,
            platform.now_ts(),
        )
    poll_channel(channel_id=channel.pk)
    return InboxItem.objects.get(channel=channel, platform_id=stored["id"])


def on_platform(channel: Channel, comment_id: str) -> dict[str, Any]:
    """The comment as the simulated page holds it now."""
    with channel_connector(channel) as connector:
        return dict(connector.platform.state["comments"][comment_id])


def platform_events(channel: Channel, comment_id: str, verb: str) -> int:
    with channel_connector(channel) as connector:
        return sum(
            1
            for e in connector.platform.state["events"]
            if e.get("comment_id") == comment_id and e["verb"] == verb
        )


def public_notices(municipality: Any) -> None:
    """Notices as public comments on the post (MO-4), not private messages: the path
    the outbox's crash and retry tests follow step by step."""
    from ordstyrer.moderation.models import ModerationSettings

    ModerationSettings.objects.update_or_create(
        municipality=municipality, defaults={"notice_delivery": "public_reply"}
    )


def fail_next(channel: Channel, operation: str, **kw: Any) -> None:
    """Make the simulated page's next `operation` fail (kept in its stored world)."""
    with channel_connector(channel) as connector:
        connector.fail_next(operation, **kw)


MESSAGES_OFF = "Meldinger er slått av for siden."


def messages_off_next(channel: Channel) -> None:
    """The page's next private reply fails for good: the page has turned messages off."""
    from ordstyrer.connectors.base import ErrorCode

    fail_next(
        channel, "private_reply", code=ErrorCode.PERMISSION, permanent=True, message=MESSAGES_OFF
    )


def client_for(user: Any) -> Client:
    """A console client signed in as `user` (the factories' password)."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
