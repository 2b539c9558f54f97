"""CH-9 closures, round 22: commenting must be impossible during a closure, so a comment
the platform could not hide, or a post whose comments it could not switch off, is tried
again (with backoff, a rate limit respected) while the closure is in effect, a lost task
included; a permanent refusal stops the tries and is shown on the closure page.

Everything runs against the simulated page (its stored world, `fail_next` for the
platform's errors), the way the inbox and publishing reach it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import closures, services
from ordstyrer.channels.closures import closures_platform_sweep
from ordstyrer.channels.models import Channel, Closure, ClosureHiddenComment, ClosureState
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.inbox.platform import channel_connector
from tests.moderation.conftest import T0, ModWorld, fail_next, make_world

pytestmark = pytest.mark.django_db

END = T0 + timedelta(days=2)
REFUSED = "Siden mangler tilgang til å skjule kommentarer."


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def closed(clock, django_capture_on_commit_callbacks) -> tuple[ModWorld, Closure]:
    """The simulated page, closed for the holidays from T0: comments switched off."""
    w = make_world("stengt")
    with django_capture_on_commit_callbacks(execute=True):
        closure = services.closure_schedule(
            actor=w.main_admin, channel=w.channel, reason="Ferie", starts_at=T0, ends_at=END
        )
        if closure.state == ClosureState.SCHEDULED:  # the policy applies CH-9
            closure = services.closure_mark_notice_published(actor=w.main_admin, closure=closure)
    assert closure.state == ClosureState.IN_EFFECT
    return w, closure


def at(clock: Any, when: datetime) -> datetime:
    clock.move_to(when)
    return when


def world_state(channel: Channel) -> dict[str, Any]:
    return SimulatedWorld.objects.get(channel=channel).state


def comment_on_page(channel: Channel, text: str = "Hallo, er dere stengt?") -> tuple[str, str]:
    """A citizen comments on the page's first post (as the simulation adds comments);
    returns the comment's and the post's id."""
    with channel_connector(channel) as connector:
        platform = connector.platform
        post_id = next(iter(platform.state["posts"]))
        stored = platform._store_comment(
            post_id, None, ("sim-user-901", "Ola Nordmann"), text, platform.now_ts()
        )
    return stored["id"], post_id


def publicly_visible(channel: Channel, comment_id: str) -> bool:
    return not world_state(channel)["comments"][comment_id]["hidden"]


def arrives(
    channel: Channel, capture: Any, *, lost: bool = False, text: str = "Hei!"
) -> tuple[str, str]:
    """A comment arrives and the inbox calls `closure_comment_arrived`; `lost`: the
    queued hiding task never runs (a worker died, the queue was lost)."""
    comment_id, post_id = comment_on_page(channel, text)
    with capture(execute=not lost):
        assert services.closure_comment_arrived(
            channel_id=channel.pk, comment_id=comment_id, now=T0, post_id=post_id
        )
    return comment_id, post_id


def new_post(channel: Channel, text: str = "Vi er stengt i ferien.") -> str:
    with channel_connector(channel) as connector:
        platform = connector.platform
        return str(platform.add_post(text=text, at=platform.now_ts())["id"])


def comments_on(channel: Channel, post_id: str) -> bool:
    return bool(world_state(channel)["posts"][post_id]["comments_enabled"])


def closure_page(user: Any, closure: Closure) -> str:
    client = Client()
    client.force_login(user)
    url = reverse("channels:closures", args=[closure.channel.municipality.slug, closure.channel_id])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- a comment that could not be hidden ---------------------------------------------------


def test_a_comment_the_rate_limit_kept_public_is_hidden_once_the_platform_allows(
    closed, clock, django_capture_on_commit_callbacks
):
    w, closure = closed
    fail_next(w.channel, "hide_comment", code=ErrorCode.THROTTLED, retry_after=1800)
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks)
    assert publicly_visible(w.channel, comment_id)  # the rate limit said no
    # The platform asked for half an hour: the sweeps before then leave it alone.
    for minutes in (5, 10, 25):
        closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=minutes)))
        assert publicly_visible(w.channel, comment_id)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=31)))
    assert not publicly_visible(w.channel, comment_id)
    assert ClosureHiddenComment.objects.get(comment_id=comment_id).hidden


def test_a_timeout_is_tried_again_with_backoff_and_the_page_says_so_meanwhile(
    closed, clock, django_capture_on_commit_callbacks
):
    w, closure = closed
    fail_next(w.channel, "hide_comment", message="Tidsavbrudd mot plattformen.")
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks)
    page = closure_page(w.main_admin, closure)
    assert "ikke skjult ennå" in page and "Tidsavbrudd mot plattformen." in page
    fail_next(w.channel, "hide_comment", message="Tidsavbrudd mot plattformen.")
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=6)))  # fails again
    assert publicly_visible(w.channel, comment_id)
    # After a second failure the next try waits longer than one sweep interval.
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=12)))
    assert publicly_visible(w.channel, comment_id)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=30)))
    assert not publicly_visible(w.channel, comment_id)
    assert "ikke skjult ennå" not in closure_page(w.main_admin, closure)


def test_a_lost_hiding_task_is_picked_up_by_the_sweep(
    closed, clock, django_capture_on_commit_callbacks
):
    w, _closure = closed
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks, lost=True)
    assert publicly_visible(w.channel, comment_id)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    assert not publicly_visible(w.channel, comment_id)


def test_a_permanent_refusal_stops_the_tries_and_is_shown_for_people_to_act(
    closed, clock, django_capture_on_commit_callbacks
):
    w, closure = closed
    fail_next(w.channel, "hide_comment", code=ErrorCode.PERMISSION, permanent=True, message=REFUSED)
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks)
    for hours in (1, 3, 6):
        closures_platform_sweep(now=at(clock, T0 + timedelta(hours=hours)))
    # Not tried again (it would have worked: the refusal was used up).
    assert publicly_visible(w.channel, comment_id)
    page = closure_page(w.main_admin, closure)
    assert REFUSED in page and "ikke skjult" in page
    assert "Gjør det på plattformen selv" in page
    # Someone fixed the access and asks for another try: the comment is hidden.
    client = Client()
    client.force_login(w.main_admin)
    url = reverse("channels:closure_action", args=[w.municipality.slug, w.channel.pk, closure.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "retry_platform"})
    assert response.status_code == 302
    assert not publicly_visible(w.channel, comment_id)
    assert REFUSED not in closure_page(w.main_admin, closure)
    again = client.post(url, {"action": "retry_platform"}, follow=True)  # a second click
    assert "Ingenting å prøve igjen" in again.content.decode()


def test_a_comment_gone_from_the_platform_is_not_an_error(
    closed, clock, django_capture_on_commit_callbacks
):
    w, closure = closed
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks, lost=True)
    with channel_connector(w.channel) as connector:  # the citizen deleted it meanwhile
        connector.platform.state["comments"][comment_id]["removed"] = True
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    row = ClosureHiddenComment.objects.get(comment_id=comment_id)
    assert row.hidden
    assert "Gjør det på plattformen selv" not in closure_page(w.main_admin, closure)


def test_the_tries_stop_when_the_closure_ends(closed, clock, django_capture_on_commit_callbacks):
    w, closure = closed
    fail_next(w.channel, "hide_comment")
    comment_id, _post = arrives(w.channel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.closure_end(actor=w.main_admin, closure=closure)
    closures_platform_sweep(now=at(clock, T0 + timedelta(hours=2)))
    assert publicly_visible(w.channel, comment_id)  # commenting is open again: left as is
    page = closure_page(w.main_admin, closure)
    assert "ble ikke skjult" in page and "Simulert feil fra plattformen." in page


# --- a post whose comments could not be switched off --------------------------------------


def test_a_post_published_during_the_closure_is_switched_off_after_a_failure(
    closed, clock, django_capture_on_commit_callbacks
):
    w, closure = closed
    post_id = new_post(w.channel)  # the closure notice, say
    fail_next(w.channel, "set_comments_enabled", retry_after=600)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.closure_post_published(channel_id=w.channel.pk, post_id=post_id)
    assert comments_on(w.channel, post_id)
    page = closure_page(w.main_admin, closure)
    assert post_id in page and "Simulert feil fra plattformen." in page
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))  # within retry_after
    assert comments_on(w.channel, post_id)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=11)))
    assert not comments_on(w.channel, post_id)
    # The end of the closure switches it on again with the others.
    with django_capture_on_commit_callbacks(execute=True):
        services.closure_end(actor=w.main_admin, closure=closure)
    assert comments_on(w.channel, post_id)


def test_a_lost_switch_off_task_is_picked_up_by_the_sweep(
    closed, clock, django_capture_on_commit_callbacks
):
    w, _closure = closed
    post_id = new_post(w.channel)
    with django_capture_on_commit_callbacks(execute=False):  # the task never runs
        assert services.closure_post_published(channel_id=w.channel.pk, post_id=post_id)
    assert comments_on(w.channel, post_id)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    assert not comments_on(w.channel, post_id)


def test_the_post_of_a_comment_whose_switch_failed_is_switched_off_later(
    closed, clock, django_capture_on_commit_callbacks
):
    w, _closure = closed
    post_id = new_post(w.channel)  # published after the closure switched the others off
    with channel_connector(w.channel) as connector:
        platform = connector.platform
        comment_id = platform._store_comment(
            post_id, None, ("sim-user-902", "Kari Nordmann"), "Hei", platform.now_ts()
        )["id"]
    fail_next(w.channel, "set_comments_enabled")
    with django_capture_on_commit_callbacks(execute=True):
        services.closure_comment_arrived(
            channel_id=w.channel.pk, comment_id=comment_id, now=T0, post_id=post_id
        )
    assert not publicly_visible(w.channel, comment_id)
    assert comments_on(w.channel, post_id)  # the switch failed
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=6)))
    assert not comments_on(w.channel, post_id)


# --- the sweep stays bounded, polite and robust --------------------------------------------


def test_a_rate_limit_holds_back_the_closures_other_retries(
    closed, clock, django_capture_on_commit_callbacks
):
    w, _closure = closed
    first, _ = arrives(w.channel, django_capture_on_commit_callbacks, lost=True, text="En")
    second, _ = arrives(w.channel, django_capture_on_commit_callbacks, lost=True, text="To")
    fail_next(w.channel, "hide_comment", code=ErrorCode.THROTTLED, retry_after=3600)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    # The first met the rate limit; the second was not sent into it.
    assert publicly_visible(w.channel, first) and publicly_visible(w.channel, second)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=30)))
    assert publicly_visible(w.channel, first) and publicly_visible(w.channel, second)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=66)))
    assert not publicly_visible(w.channel, first) and not publicly_visible(w.channel, second)


def test_one_sweep_tries_at_most_a_batch(
    closed, clock, django_capture_on_commit_callbacks, monkeypatch
):
    w, _closure = closed
    monkeypatch.setattr(closures, "RETRY_BATCH", 2, raising=False)
    ids = [
        arrives(w.channel, django_capture_on_commit_callbacks, lost=True, text=f"Nr {n}")[0]
        for n in range(3)
    ]
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    assert sum(not publicly_visible(w.channel, cid) for cid in ids) == 2
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=10)))
    assert not any(publicly_visible(w.channel, cid) for cid in ids)


def test_a_poisoned_row_fails_alone(closed, clock, django_capture_on_commit_callbacks):
    w, closure = closed
    poisoned, _ = arrives(w.channel, django_capture_on_commit_callbacks, lost=True, text="En")
    healthy, _ = arrives(w.channel, django_capture_on_commit_callbacks, lost=True, text="To")
    with channel_connector(w.channel) as connector:
        # A stored record the platform code chokes on (KeyError, not a ConnectorError).
        del connector.platform.state["comments"][poisoned]["page_author"]
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=5)))
    assert not publicly_visible(w.channel, healthy)
    assert publicly_visible(w.channel, poisoned)
    assert "ikke skjult ennå" in closure_page(w.main_admin, closure)
    with channel_connector(w.channel) as connector:  # mended
        connector.platform.state["comments"][poisoned]["page_author"] = False
    # It waits for its backoff, and is then tried again.
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=6)))
    assert publicly_visible(w.channel, poisoned)
    closures_platform_sweep(now=at(clock, T0 + timedelta(minutes=11)))
    assert not publicly_visible(w.channel, poisoned)


def test_the_closure_page_stays_within_the_municipality(closed, django_capture_on_commit_callbacks):
    w, closure = closed
    fail_next(w.channel, "hide_comment", code=ErrorCode.PERMISSION, permanent=True, message=REFUSED)
    arrives(w.channel, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(w.p.outsider)
    url = reverse("channels:closures", args=[w.municipality.slug, w.channel.pk])
    response = client.get(url)
    assert response.status_code in (403, 404)
    assert REFUSED not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_try_each_row_once(settings):
    """Several workers sweep at the same moment: each row is claimed by one of them."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    with time_machine.travel(T0, tick=False):
        w = make_world("samtidig-stengt")
        closure = services.closure_schedule(
            actor=w.main_admin, channel=w.channel, reason="Ferie", starts_at=T0, ends_at=END
        )
        if closure.state == ClosureState.SCHEDULED:
            services.closure_mark_notice_published(actor=w.main_admin, closure=closure)
        # The hiding tasks are queued and lost: nothing runs them.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ids = []
        for n in range(3):
            comment_id, post_id = comment_on_page(w.channel, f"Nr {n}")
            services.closure_comment_arrived(
                channel_id=w.channel.pk, comment_id=comment_id, now=T0, post_id=post_id
            )
            ids.append(comment_id)
    due = T0 + timedelta(minutes=5)
    barrier = threading.Barrier(4)
    tried: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            tried.append(closures_platform_sweep(now=due))
        finally:
            connections.close_all()

    with time_machine.travel(due, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sum(tried) == 3
    assert not any(publicly_visible(w.channel, cid) for cid in ids)
    assert ClosureHiddenComment.objects.filter(comment_id__in=ids, attempts=0).count() == 3
