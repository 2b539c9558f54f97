"""Crisis test set-up: the inbox's world (an active simulated channel with an editor),
tasks run at once, and a citizen's comment polled from the simulated page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from tests.inbox.conftest import TUESDAY, InboxWorld, make_world

LATER = TUESDAY + timedelta(minutes=10)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks queued on commit run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db) -> InboxWorld:
    world = make_world("krby")
    world.channel.connector_config = {"seed": 7, "history_days": 1, "comments_per_day": 20}
    world.channel.save(update_fields=["connector_config"])
    return world


def polled_item(world: InboxWorld) -> InboxItem:
    """An open citizen's comment that really is on the simulated page."""
    with time_machine.travel(TUESDAY, tick=False):
        poll_channel(channel_id=world.channel.pk, now=TUESDAY)
    item = (
        InboxItem.objects.filter(
            channel=world.channel, open=True, parent_platform_id="", from_page=False
        )
        .exclude(category__in=("sensitive", "rumour"))
        .order_by("pk")
        .first()
    )
    assert item is not None
    return item


@pytest.fixture
def item(world) -> Any:
    return polled_item(world)
