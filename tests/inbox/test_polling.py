"""Polling the simulated page (the demo's platform) through its CommentSource."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.inbox.models import ChannelPoll, InboxItem, SimulatedWorld
from ordstyrer.inbox.polling import poll_channel, polls_sweep
from ordstyrer.inbox.replies import reply_send
from tests.inbox.conftest import TUESDAY


@pytest.fixture
def sim(world):
    world.channel.connector_config = {"seed": 7, "history_days": 2, "comments_per_day": 30}
    world.channel.save(update_fields=["connector_config"])
    return world


def test_poll_ingests_the_stream_once(sim):
    count = poll_channel(channel_id=sim.channel.pk, now=TUESDAY)
    items = InboxItem.objects.filter(channel=sim.channel)
    assert count > 20 and items.filter(from_page=False).count() > 20
    # Every citizen's text is triaged on arrival; the page's own posts never are.
    assert not items.filter(from_page=False, category="").exclude(text="").exists()
    poll = ChannelPoll.objects.get(channel=sim.channel)
    assert poll.cursor > 0 and poll.last_polled_at == TUESDAY and poll.last_error == ""
    assert poll_channel(channel_id=sim.channel.pk, now=TUESDAY) == 0  # nothing new
    assert InboxItem.objects.filter(channel=sim.channel).count() == items.count()
    assert SimulatedWorld.objects.get(channel=sim.channel).state["clock"] > 0


def test_poll_tracks_edits_and_removals_and_new_comments(sim):
    poll_channel(channel_id=sim.channel.pk, now=TUESDAY)
    before = InboxItem.objects.filter(channel=sim.channel).count()
    poll_channel(channel_id=sim.channel.pk, now=TUESDAY + timedelta(days=2))
    items = InboxItem.objects.filter(channel=sim.channel)
    assert items.count() > before
    edited = items.filter(edited=True)
    assert edited.exists()
    for item in edited:
        assert item.versions.count() >= 1
    assert items.filter(removed_at__isnull=False).exists()


def test_our_reply_goes_to_the_simulated_page_and_comes_back_as_ours(
    sim, django_capture_on_commit_callbacks
):
    poll_channel(channel_id=sim.channel.pk, now=TUESDAY)
    item = (
        InboxItem.objects.filter(channel=sim.channel, open=True, parent_platform_id="")
        .order_by("pk")
        .first()
    )
    later = TUESDAY + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(
            actor=sim.editor, item=item, text="Takk for at du skriver! Vi ser på det i dag."
        )
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.platform_id.startswith("sim-comment-")
    poll_channel(channel_id=sim.channel.pk, now=later + timedelta(minutes=20))
    assert not InboxItem.objects.filter(platform_id=reply.platform_id).exists()


def test_sweep_claims_each_live_channel_once(sim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert polls_sweep(now=TUESDAY) == 2  # both live channels, polled on commit
    assert polls_sweep(now=TUESDAY) == 0
    assert InboxItem.objects.filter(channel=sim.channel).exists()
    assert polls_sweep(now=TUESDAY + timedelta(seconds=61)) == 2


def test_failures_back_off(sim, monkeypatch):
    @contextmanager
    def broken(channel, *, now=None):
        raise ConnectorError("Nede.", permanent=False, code=ErrorCode.TRANSIENT)
        yield  # pragma: no cover

    monkeypatch.setattr("ordstyrer.inbox.polling.channel_connector", broken)
    assert poll_channel(channel_id=sim.channel.pk, now=TUESDAY) == 0
    poll = ChannelPoll.objects.get(channel=sim.channel)
    assert poll.failures == 1 and poll.last_error == "Nede."
    assert poll.next_poll_at == TUESDAY + timedelta(minutes=2)
