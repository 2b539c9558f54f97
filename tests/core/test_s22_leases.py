"""A sweep's claims are stamped with the time of each claim, not the sweep's start, and a
long batch stops claiming before its leases could run out (MO-2, MO-4, DI-1, PU-6).

Production runs several workers, each sweeping every few seconds. A sweep used to stamp
every claim of its batch with the `now` it was started with: after one slow item (a
notice's re-check reading many comment pages, a slow upload) every item claimed later
in the batch had a lease that had already run out, so another worker's sweep took it
while the first was still calling the platform — two public notices to one citizen,
two replies, two copies of a post. Each sweep below runs on a simulated clock, moved
by the platform calls as they take their time; a second worker's sweep runs inside a
call of the first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.inbox import platform as inbox_platform
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import replies_retry_sweep, reply_send
from ordstyrer.moderation import outbox
from ordstyrer.moderation.models import OpStatus, PlatformOp
from ordstyrer.moderation.services import comment_hide
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import PostChannel
from ordstyrer.publishing.services import post_create, post_publish
from tests.inbox.conftest import TUESDAY
from tests.inbox.conftest import make_world as inbox_world
from tests.moderation.conftest import T0, citizen_comment
from tests.moderation.conftest import make_world as moderation_world
from tests.platforms.conftest import comment_value, feed_body
from tests.publishing.conftest import make_world as publishing_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


# --- the moderation outbox (MO-2, MO-4) --------------------------------------------------------


def _lost_hides(world: Any, count: int) -> list[int]:
    """`count` hidden comments whose on-commit tasks were lost (the test's transaction
    never commits): the sweep takes their ops, oldest first."""
    for n in range(count):
        comment_hide(
            actor=world.admin, item=citizen_comment(world.channel, f"Kommentar {n} om brøytingen.")
        )
    return list(PlatformOp.objects.order_by("next_attempt_at", "pk").values_list("pk", flat=True))


def _platform_calls(monkeypatch: Any, slow: dict[int, timedelta], clock: Any, inside: Any) -> Any:
    """Count the outbox's platform calls per op; the call of an op in `slow` takes that
    long on the clock; the first call of `inside`'s op runs `inside.sweep` in it."""
    calls: list[int] = []
    real = outbox.perform

    def perform(op: PlatformOp, connector: Any, **kw: Any) -> Any:
        calls.append(op.pk)
        if op.pk in slow:
            clock.shift(slow[op.pk])
        if op.pk == inside.op and not inside.done:
            inside.done = True
            inside.sweep()  # another worker's sweep while this call is under way
        return real(op, connector, **kw)

    monkeypatch.setattr(outbox, "perform", perform)
    return calls


class Inside:
    def __init__(self, op: int | None, sweep: Any) -> None:
        self.op, self.sweep, self.done = op, sweep, False


def test_an_op_claimed_late_in_a_batch_keeps_a_whole_lease_and_is_called_once(clock, monkeypatch):
    """The first op takes two minutes (inside the batch's budget); the second's call
    takes four more, and a second worker sweeps then: six minutes after the sweep began,
    four after the second op was claimed. Its lease runs from its claim: it is not
    taken, and the citizen's comment is hidden by one call (MO-2)."""
    world = moderation_world("leasemod")
    first, second = _lost_hides(world, 2)
    clock.shift(timedelta(minutes=2))  # past FIRST_ATTEMPT_GRACE: the tasks were lost
    inside = Inside(second, lambda: outbox.outbox_sweep(now=timezone.now()))
    calls = _platform_calls(
        monkeypatch, {first: timedelta(minutes=2), second: timedelta(minutes=4)}, clock, inside
    )

    assert outbox.outbox_sweep(now=timezone.now()) == 2

    assert inside.done
    assert calls == [first, second]
    op = PlatformOp.objects.get(pk=second)
    assert op.status == OpStatus.DONE and op.attempts == 1


def test_a_batch_past_its_budget_claims_no_more_and_the_next_sweep_takes_the_rest(
    clock, monkeypatch
):
    """The first op takes three minutes, past the batch's budget (half the lease): the
    sweep stops there; the others are not claimed, and the next sweep runs each once."""
    world = moderation_world("leasebud")
    first, *rest = _lost_hides(world, 3)
    clock.shift(timedelta(minutes=2))
    calls = _platform_calls(
        monkeypatch, {first: timedelta(minutes=3)}, clock, Inside(None, lambda: None)
    )

    assert outbox.outbox_sweep(now=timezone.now()) == 1
    assert calls == [first]
    waiting = PlatformOp.objects.filter(pk__in=rest)
    assert all(op.status == OpStatus.PENDING and op.attempts == 0 for op in waiting)

    assert outbox.outbox_sweep(now=timezone.now()) == 2
    assert calls == [first, *rest]
    assert all(op.status == OpStatus.DONE for op in PlatformOp.objects.all())


# --- replies recovered by the sweep (DI-1) ------------------------------------------------------


TEXT = "Svømmehallen åpner mandag."


def _lost_replies(count: int) -> tuple[Any, list[Reply]]:
    """Replies to `count` citizens whose tasks were lost, with the clock at the time the
    sweep takes them."""
    world = inbox_world("leaseinn")
    world.channel.connector_config = {"seed": 7, "history_days": 2, "comments_per_day": 30}
    world.channel.save(update_fields=["connector_config"])
    poll_channel(channel_id=world.channel.pk, now=TUESDAY)
    items = list(
        InboxItem.objects.filter(channel=world.channel, open=True, parent_platform_id="")
        .exclude(post_id="")
        .order_by("pk")[:count]
    )
    sent = [reply_send(actor=world.editor, item=item, text=TEXT) for item in items]
    return world, sent


@contextmanager
def _reply_calls(
    monkeypatch: Any, clock: Any, slow: dict[str, timedelta], inside: Inside
) -> Iterator[list[str]]:
    """Count the platform's reply calls per comment; a call under a comment in `slow`
    takes that long; the first call under `inside.op` runs `inside.sweep` in it."""
    calls: list[str] = []
    real = inbox_platform.channel_connector

    @contextmanager
    def connector_of(channel: Any, *, now: Any = None) -> Iterator[Any]:
        with real(channel, now=now) as connector:
            answer = connector.reply

            def reply(comment_id: str, text: str) -> Any:
                calls.append(comment_id)
                if comment_id in slow:
                    clock.shift(slow[comment_id])
                if comment_id == inside.op and not inside.done:
                    inside.done = True
                    inside.sweep()
                return answer(comment_id, text)

            connector.reply = reply
            yield connector

    monkeypatch.setattr(inbox_platform, "channel_connector", connector_of)
    yield calls


def test_a_reply_recovered_late_in_the_sweep_is_posted_once(monkeypatch):
    with time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False) as clock:
        _world, (first, second) = _lost_replies(2)
        clock.shift(timedelta(minutes=2))  # past FIRST_ATTEMPT_GRACE: the tasks were lost
        a, b = first.item.platform_id, second.item.platform_id
        inside = Inside(b, lambda: replies_retry_sweep(now=timezone.now()))
        slow = {a: timedelta(minutes=2), b: timedelta(minutes=4)}
        with _reply_calls(monkeypatch, clock, slow, inside) as calls:
            assert replies_retry_sweep(now=timezone.now()) == 2
    assert inside.done
    assert calls == [a, b]  # the citizen gets one reply (DI-1)
    second.refresh_from_db()
    assert second.status == ReplyStatus.SENT and second.attempts == 1


def test_the_reply_sweep_stops_claiming_past_its_budget(monkeypatch):
    with time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False) as clock:
        _world, (first, second) = _lost_replies(2)
        clock.shift(timedelta(minutes=2))
        a, b = first.item.platform_id, second.item.platform_id
        slow = {a: timedelta(minutes=3)}
        with _reply_calls(monkeypatch, clock, slow, Inside(None, lambda: None)) as calls:
            assert replies_retry_sweep(now=timezone.now()) == 1
            second.refresh_from_db()
            assert second.status == ReplyStatus.QUEUED and second.attempts == 0
            assert replies_retry_sweep(now=timezone.now()) == 1
    assert calls == [a, b]


# --- publishing (PU-6: one copy of a post) ----------------------------------------------------


def _lost_deliveries(count: int) -> list[int]:
    """`count` posts released on the simulated page whose delivery tasks were lost."""
    world = publishing_world("leasepub")
    for place in ("Biblioteket", "Svømmehallen", "Kulturhuset")[:count]:
        post = post_create(
            actor=world.editor,
            municipality=world.municipality,
            channel_ids=[world.page.pk],
            text=f"{place} har nye åpningstider fra mandag. Vi holder åpent til klokken "
            "åtte hver kveld. Les mer på https://indrefosen.kommune.no/bibliotek",
        )
        post_publish(actor=world.editor, post_id=post.pk)
    return list(PostChannel.objects.order_by("pk").values_list("pk", flat=True))


def _publish_calls(
    monkeypatch: Any, clock: Any, slow: dict[int, timedelta], inside: Inside
) -> list[int]:
    calls: list[int] = []
    real = delivery._call
    running: list[int] = []

    def call(connector: Any, draft: Any, **kw: Any) -> Any:
        row = running[-1]
        calls.append(row)
        if row in slow:
            clock.shift(slow[row])
        if row == inside.op and not inside.done:
            inside.done = True
            inside.sweep()
        return real(connector, draft, **kw)

    real_run = delivery.delivery_run

    def delivery_run(*, post_channel_id: int, now: Any = None) -> str:
        running.append(post_channel_id)
        try:
            return real_run(post_channel_id=post_channel_id, now=now)
        finally:
            running.pop()

    monkeypatch.setattr(delivery, "_call", call)
    monkeypatch.setattr(delivery, "delivery_run", delivery_run)
    return calls


def test_a_delivery_claimed_late_in_the_sweep_is_published_once(monkeypatch):
    """The first post takes six minutes to go out, the second ten: a second worker's
    `retry_due` sixteen minutes after the sweep began does not take the second as a
    stale claim (`STALE_CLAIM`, fifteen minutes): it was claimed ten minutes before."""
    with time_machine.travel(TUESDAY, tick=False) as clock:
        first, second = _lost_deliveries(2)
        clock.shift(timedelta(minutes=1))
        inside = Inside(second, lambda: delivery.retry_due(now=timezone.now()))
        slow = {first: timedelta(minutes=6), second: timedelta(minutes=10)}
        calls = _publish_calls(monkeypatch, clock, slow, inside)
        handled = delivery.retry_due(now=timezone.now())
    assert inside.done
    assert calls == [first, second]  # one copy of each post
    assert handled == 2
    assert PostChannel.objects.get(pk=second).status == "published"


def test_the_publishing_sweep_stops_claiming_past_its_budget(monkeypatch):
    with time_machine.travel(TUESDAY, tick=False) as clock:
        first, second = _lost_deliveries(2)
        clock.shift(timedelta(minutes=1))
        slow = {first: delivery.STALE_CLAIM / 2}
        calls = _publish_calls(monkeypatch, clock, slow, Inside(None, lambda: None))
        assert delivery.retry_due(now=timezone.now()) == 1
        row = PostChannel.objects.get(pk=second)
        assert row.status == "queued" and row.claimed_at is None
        assert delivery.retry_due(now=timezone.now()) == 1
    assert calls == [first, second]


# --- stored webhook deliveries ---------------------------------------------------------------


def test_a_webhook_batch_claimed_late_in_the_drain_keeps_a_whole_lease(monkeypatch):
    """The drain claims a batch at a time: the second batch is leased from its claim, so
    another worker's drain while it is processed does not take it again."""
    page = "1818181"
    bodies = [
        feed_body([comment_value(page, f"222_1900{n}", message=f"Spørsmål nr. {n}")], page)
        for n in range(2)
    ]
    with time_machine.travel(TUESDAY, tick=False) as clock:
        for n, body in enumerate(bodies):
            webhooks.webhook_receive(body=body, now=TUESDAY + timedelta(seconds=n))
        first, second = (bytes(b) for b in bodies)
        parsed: list[bytes] = []
        real = webhooks.parse_events
        inside = Inside(None, lambda: webhooks.deliveries_drain(now=timezone.now(), batch=1))

        def parse(raw: bytes) -> Any:
            raw = bytes(raw)
            parsed.append(raw)
            if raw == first:
                clock.shift(timedelta(seconds=4))  # inside the drain's five seconds
            elif not inside.done:
                clock.shift(timedelta(seconds=12))  # past a lease from the drain's start
                inside.done = True
                inside.sweep()
            return real(raw)

        monkeypatch.setattr(webhooks, "parse_events", parse)
        assert webhooks.deliveries_drain(now=timezone.now(), batch=1) == 2
    assert inside.done
    assert parsed == [first, second]  # processed once
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED, attempts=1).count() == 2
