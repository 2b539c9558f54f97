"""The demo keeps what it promises (README, «What the demo shows») however long ago it was
made: `bin/dev start` runs `demo-setup` at every start, and time ends the closed
channel's closure (CH-9), publishes the scheduled posts and passes the waiting post's
time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.channels.closures import closures_sweep
from ordstyrer.channels.models import Channel, Closure, ClosureState
from ordstyrer.demo import DEMO_SLUG, setup_demo
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.sweeps import publishing_sweep

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
CLOSED = "Rissa skole SFO"  # the demo's closed channel (channels.demo)


def _shown() -> dict[str, object]:
    """What the README promises: the closed channel, posts ahead, one waiting."""
    now = timezone.now()
    posts = Post.objects.filter(municipality__slug=DEMO_SLUG)
    return {
        "closed channel": Channel.objects.get(municipality__slug=DEMO_SLUG, name=CLOSED).status,
        "scheduled ahead": posts.filter(status=PostStatus.SCHEDULED, publish_at__gt=now).count(),
        "waiting ahead": posts.filter(
            status=PostStatus.AWAITING_APPROVAL, publish_at__gt=now
        ).count(),
    }


def _rows() -> tuple[object, ...]:
    return (
        sorted(Post.objects.values_list("pk", "status", "publish_at")),
        sorted(Closure.objects.values_list("pk", "state", "ends_at")),
    )


def test_a_demo_set_up_again_after_two_weeks_shows_a_closed_channel_and_posts_ahead(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(THURSDAY, tick=False) as clock:
        setup_demo()
        fresh = _shown()
        assert fresh == {"closed channel": "closed", "scheduled ahead": 2, "waiting ahead": 1}

        later = THURSDAY + timedelta(days=15)
        clock.move_to(later)
        closures_sweep(now=later)
        publishing_sweep(now=later)
        # What the worker leaves after two weeks: the channel open, nothing ahead.
        assert _shown() == {"closed channel": "active", "scheduled ahead": 0, "waiting ahead": 0}

        setup_demo()
        assert _shown() == fresh
        sfo = Channel.objects.get(municipality__slug=DEMO_SLUG, name=CLOSED)
        current = sfo.closures.get(state=ClosureState.IN_EFFECT)
        assert current.ends_at == later + timedelta(days=14)
        # The waiting post is the same one, moved to a time ahead by its editor.
        assert Post.objects.filter(status=PostStatus.AWAITING_APPROVAL).count() == 1

        # `bin/dev start` runs demo-setup before its worker sweeps: the closure's end
        # has passed but the channel is still closed, the scheduled posts' times too.
        latest = later + timedelta(days=15)
        clock.move_to(latest)
        setup_demo()
        closures_sweep(now=latest)
        publishing_sweep(now=latest)
        assert _shown() == fresh

        rows, records = _rows(), ArchiveRecord.objects.count()
        setup_demo()  # the same minute: nothing added, nothing moved
        assert _rows() == rows
        assert ArchiveRecord.objects.count() == records
