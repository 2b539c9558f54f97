"""Where the inbox meets the platform connectors: polling and replies (tasks only).

Real platforms (Facebook, Instagram) are reached through `channels.platform.connector_for`
outside any transaction. The simulated platform of the demo keeps its whole world in the
database (`SimulatedWorld`): it is loaded, used and saved back under a row lock, so
that two workers never act on two copies of it. The lock is on our own row, held only
for the block, never around a business transaction. The world is saved and committed
also when the block raises a `ConnectorError` (an injected failure stays used up); the
error is re-raised after the commit.
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
    """The channel's connector for the duration of the block.

    A `ConnectorError` raised in the block propagates to the caller, after the simulated
    page's world has been saved; any other exception rolls the world back."""
    if channel.kind != ChannelKind.SIMULATED:
        yield connector_for(channel)
        return
    from ordstyrer.connectors.registry import get_connector

    failure: ConnectorError | None = None
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
        except ConnectorError as exc:
            # A platform error is something that happened on the page (an injected
            # `fail_next` failure is used up): save the world and commit, then re-raise
            # outside the transaction, or the rollback would undo the save.
            failure = exc
        _save(world, connector)
    if failure is not None:
        raise failure


def _save(world: SimulatedWorld, connector: Any) -> None:
    world.state = connector.to_state()
    world.save(update_fields=["state", "updated_at"])
