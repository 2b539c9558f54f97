"""MO-2, meta-graph-api §3.4: an outbox op under Meta's rate limit waits; it is not given up.

A Page whose usage budget is used up answers every write with Graph 80001 (and the
client then pauses the Page's calls itself). Before, each of those answers used up one
of an op's eight attempts, and the hide failed for good after them. Now a throttled
attempt is handed back and the op waits Meta's time; only an op Meta has kept refusing
for a day since its first try (`outbox.WAIT_LIMIT`) fails, saying so.

Against the Graph stand-in on loopback (a Facebook Page); the client is never mocked.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.graph import usage
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation import outbox
from ordstyrer.moderation.models import OpKind, OpStatus, PlatformOp
from ordstyrer.moderation.outbox import outbox_sweep
from ordstyrer.moderation.services import comment_hide
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import Personas, make_personas
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_throttle_book(monkeypatch):
    """A throttle book of this test's own: the Page's pause must not outlive it."""
    monkeypatch.setattr(usage, "_shared", ThrottleBook())


RUDE = "Dere i kommunen er noen udugelige idioter alle sammen."


def _facebook(graph: FakeGraph, slug: str) -> tuple[Personas, InboxItem]:
    p = make_personas(slug, "indre-fosen")
    fb_page = graph.add_page(f"{slug.title()} kommune")
    channel = make_channel(p, name=f"{slug.title()} på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Vegarbeid", check_duplicate=False)
    graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=RUDE,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    return p, InboxItem.objects.get(channel=channel, from_page=False, text=RUDE)


def _sweep_when_due(op: PlatformOp, run) -> None:
    op.refresh_from_db()
    assert op.status == OpStatus.PENDING, (op.status, op.last_error)
    assert op.next_attempt_at is not None
    # Past the wait, and past the sweep's grace for an op that has no attempt on record.
    run(outbox_sweep, now=op.next_attempt_at + outbox.FIRST_ATTEMPT_GRACE + timedelta(seconds=1))
    op.refresh_from_db()


def test_mo2_a_throttled_hide_waits_past_its_attempts_then_fails_after_a_day(graph, run) -> None:
    p, item = _facebook(graph, "strupeby")
    graph.inject(80001, path=item.platform_id, method="POST", times=-1)
    action = run(comment_hide, actor=p.employee, item=item)
    op = action.ops.get(kind=OpKind.HIDE)
    first_try = op.attempts_log.order_by("started_at").first().started_at

    for _ in range(outbox.MAX_ATTEMPTS + 2):  # more tries than an op has attempts
        _sweep_when_due(op, run)
    assert op.status == OpStatus.PENDING, op.last_error  # still waiting, not failed
    assert op.attempts < outbox.MAX_ATTEMPTS
    assert op.attempts_log.count() == outbox.MAX_ATTEMPTS + 3  # every try is on record
    assert not graph.store.objects[item.platform_id].is_hidden

    # A day after its first try, Meta still refuses: it fails, and says why.
    late = first_try + outbox.WAIT_LIMIT + timedelta(minutes=1)
    PlatformOp.objects.filter(pk=op.pk).update(next_attempt_at=late - timedelta(minutes=2))
    run(outbox_sweep, now=late)
    op.refresh_from_db()
    assert op.status == OpStatus.FAILED
    assert "24 timer" in op.last_error and "Meta" in op.last_error
    action.refresh_from_db()
    assert action.status == "failed"
