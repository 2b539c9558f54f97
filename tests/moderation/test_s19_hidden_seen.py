"""The municipality's own hide/unhide is the latest hidden state once the platform has
done it: an older platform event, processed later, does not undo it (MO-1, DI-1).

A hide or unhide is confirmed when the platform answers the outbox's call, which may be
a while after the worker claimed the op (a slow platform, a sweep working through its
batch). A webhook or poll received before that answer tells of the comment as it was
before the hide; processed afterwards, it used to flip the item back, because the
municipality's state counted only from when the op was claimed. The inbox compares an
event's receipt time with the item's `hidden_seen_at` (`inbox.ingest._hidden_is_newer`),
which the outbox now stamps when the platform confirms.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import Author, ChangeEvent
from ordstyrer.connectors.simulated.connector import SimulatedConnector
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_hide, comment_unhide
from ordstyrer.platforms.webhooks import inbox_record
from tests.moderation.conftest import T0, citizen_comment, on_platform

pytestmark = pytest.mark.django_db
TEXT = "Dette er helt håpløst, kommune!"
# The platform takes this long to answer the hide or unhide call.
SLOW = timedelta(minutes=2)


def _deliver(item: InboxItem, verb: str, received_at, **raw) -> InboxItem:
    """A Graph feed change about the comment through the webhook's own normalisation,
    received at `received_at` and processed now."""
    change = ChangeEvent(
        platform="facebook",
        channel_id=item.channel.platform_id,
        item="comment",
        verb=verb,
        post_id=item.post_id,
        comment_id=item.platform_id,
        author=Author(id=item.author_platform_id, name=item.author_name),
        text=item.text,
        raw={"item": "comment", "verb": verb, "comment_id": item.platform_id, **raw},
    )
    record = inbox_record(change)
    assert record is not None
    inbox_ingest(channel=item.channel, comment=record[0], received_at=received_at, kind=record[1])
    item.refresh_from_db()
    return item


@pytest.fixture
def slow_platform(monkeypatch, clock):
    """The simulated page answers a hide or unhide only after `SLOW`."""
    for name in ("hide_comment", "unhide_comment"):
        original = getattr(SimulatedConnector, name)

        def slow(self, comment_id, _original=original):
            clock.shift(SLOW)
            return _original(self, comment_id)

        monkeypatch.setattr(SimulatedConnector, name, slow)


def _run(capture, fn, **kwargs):
    with capture(execute=True):
        action = fn(**kwargs)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    return action


def test_a_not_hidden_state_received_before_the_platform_hid_it_leaves_it_hidden(
    world, clock, slow_platform, django_capture_on_commit_callbacks
):
    """MO-1: the moderator's hide, confirmed at T0+3 min, stands against a «not hidden»
    received at T0+2 min (while the call was under way) and processed afterwards."""
    item = citizen_comment(world.channel, TEXT)
    clock.move_to(T0 + timedelta(minutes=1))
    _run(django_capture_on_commit_callbacks, comment_hide, actor=world.admin, item=item)
    assert on_platform(world.channel, item.platform_id)["hidden"] is True
    item.refresh_from_db()
    assert item.hidden is True

    clock.move_to(T0 + timedelta(minutes=10))
    during = T0 + timedelta(minutes=2)
    assert _deliver(item, "unhide", during).hidden is True
    # An author's edit that says what the platform showed then (Graph `is_hidden`).
    assert _deliver(item, "edited", during, is_hidden=False).hidden is True
    assert item.hidden_seen_at == T0 + timedelta(minutes=3)  # when the platform answered


def test_a_hidden_state_received_before_the_platform_showed_it_again_leaves_it_shown(
    world, clock, slow_platform, django_capture_on_commit_callbacks
):
    """MO-1: the moderator's unhide, confirmed after the slow call, stands against a
    «hidden» received while the call was under way."""
    item = citizen_comment(world.channel, TEXT)
    _run(django_capture_on_commit_callbacks, comment_hide, actor=world.admin, item=item)
    clock.move_to(T0 + timedelta(minutes=5))
    _run(django_capture_on_commit_callbacks, comment_unhide, actor=world.admin, item=item)
    assert on_platform(world.channel, item.platform_id)["hidden"] is False
    item.refresh_from_db()
    assert item.hidden is False

    clock.move_to(T0 + timedelta(minutes=10))
    assert _deliver(item, "hide", T0 + timedelta(minutes=6)).hidden is False


def test_a_change_on_the_platform_after_the_confirmation_still_applies(
    world, clock, slow_platform, django_capture_on_commit_callbacks
):
    """Shown again on Facebook by hand after the moderator's hide was confirmed: applied,
    and it counts from its own receipt time (DI-1: back in the waiting counts)."""
    item = citizen_comment(world.channel, TEXT)
    _run(django_capture_on_commit_callbacks, comment_hide, actor=world.admin, item=item)
    later = T0 + SLOW + timedelta(seconds=1)
    clock.move_to(T0 + timedelta(minutes=10))
    item = _deliver(item, "unhide", later)
    assert item.hidden is False and item.hidden_seen_at == later
