"""Polling the simulated page (the demo's platform) through its CommentSource."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine

from ordstyrer.connectors.base import Author, ChangeEvent, ConnectorError, ErrorCode
from ordstyrer.inbox.models import ChannelPoll, InboxItem, ReplyStatus, SimulatedWorld
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import comment_from_event, poll_channel, polls_sweep
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from tests.inbox.conftest import TUESDAY, ingest


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


def test_an_injected_failure_is_used_up_and_the_reply_retry_goes_out(
    sim, django_capture_on_commit_callbacks
):
    """`fail_next` fails one reply: the first attempt retries, the retry is sent."""
    poll_channel(channel_id=sim.channel.pk, now=TUESDAY)
    item = (
        InboxItem.objects.filter(channel=sim.channel, open=True, parent_platform_id="")
        .order_by("pk")
        .first()
    )
    with channel_connector(sim.channel, now=TUESDAY) as connector:
        connector.fail_next("reply")
    later = TUESDAY + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=sim.editor, item=item, text="Takk, vi ser på det i dag.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING and reply.attempts == 1
    assert reply.error == "Simulert feil fra plattformen."
    # The failure was consumed on the page and that is saved, not rolled back.
    assert SimulatedWorld.objects.get(channel=sim.channel).state["failures"] == []
    retry = later + timedelta(seconds=31)
    with time_machine.travel(retry, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert replies_retry_sweep(now=retry) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.attempts == 2
    assert reply.platform_id.startswith("sim-comment-")


def test_a_connector_error_in_the_block_saves_the_world_and_propagates(sim):
    with channel_connector(sim.channel, now=TUESDAY) as connector:
        connector.fail_next("get_post")
    with pytest.raises(ConnectorError), channel_connector(sim.channel, now=TUESDAY) as connector:
        connector.get_post("any")  # the injected failure, before the lookup
    with channel_connector(sim.channel, now=TUESDAY) as connector:
        with pytest.raises(ConnectorError) as gone:
            connector.get_post("no-such-post")
    assert gone.value.code == ErrorCode.NOT_FOUND  # not the injected failure again


def _event(verb: str, *, text: str | None = "Når åpner svømmehallen?") -> ChangeEvent:
    return ChangeEvent(
        platform="simulated",
        channel_id="sim-page",
        item="comment",
        verb=verb,
        post_id="post-1",
        comment_id="c-hide",
        author=Author(id="user-1", name="Kari Nordmann"),
        text=text,
        created_at=TUESDAY,
    )


@pytest.mark.parametrize(
    ("verbs", "hidden"),
    [
        (["add", "hide"], True),
        (["add", "hide", "edited"], True),  # the author's edit keeps it hidden
        (["add", "hide", "add"], True),  # the add delivered again
        (["add", "hide", "edited", "unhide"], False),
        (["add", "hide", "unhide", "edited"], False),
        (["hide", "add"], True),  # out of order
    ],
)
def test_only_hide_and_unhide_change_hidden(world, verbs, hidden):
    at = TUESDAY
    for n, verb in enumerate(verbs):
        text = "Når åpner svømmehallen?" if verb != "edited" else f"Når åpner den? ({n})"
        at += timedelta(minutes=1)
        ingest(world.channel, comment_from_event(_event(verb, text=text)), at=at)
    assert InboxItem.objects.get(channel=world.channel, platform_id="c-hide").hidden is hidden
