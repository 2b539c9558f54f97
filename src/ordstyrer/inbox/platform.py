"""Where the inbox meets the platform connectors: polling and replies (tasks only).

Real platforms (Facebook, Instagram) are reached through `channels.platform.connector_for`
outside any transaction. The simulated platform of the demo keeps its whole world in the
database (`SimulatedWorld`): it is loaded, used and saved back under a row lock, so
that two workers never act on two copies of it. The lock is on our own row, not a
platform call inside a business transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.channels.platform import connector_config, connector_for
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.inbox.models import SimulatedWorld

# Settings of the demo's simulated page: a steady but not overwhelming stream.
SIMULATED_DEFAULTS = {"history_days": 7, "comments_per_day": 24.0}


def _clock(now: datetime | None) -> Callable[[], datetime]:
    if now is not None:
        return lambda: now
    return timezone.now


@contextmanager
def channel_connector(channel: Channel, *, now: datetime | None = None) -> Iterator[Any]:
    """The channel's connector for the duration of the block."""
    if channel.kind != ChannelKind.SIMULATED:
        yield connector_for(channel)
        return
    from ordstyrer.connectors.registry import get_connector

    with transaction.atomic():
        world, _created = SimulatedWorld.objects.select_for_update().get_or_create(channel=channel)
        config = {
            **SIMULATED_DEFAULTS,
            "seed": channel.pk,
            "page_name": channel.name,
            **connector_config(channel),
            "now": _clock(now),
        }
        if world.state:
            config["state"] = world.state
        connector = get_connector(ChannelKind.SIMULATED, config)
        try:
            yield connector
        except ConnectorError:
            _save(world, connector)  # a consumed simulated failure stays consumed
            raise
        _save(world, connector)


def _save(world: SimulatedWorld, connector: Any) -> None:
    world.state = connector.to_state()
    world.save(update_fields=["state", "updated_at"])
