"""The worker's sweeps: shared ones in one thread, a polled queue in a thread of its own."""

from __future__ import annotations

import threading
import time

import pytest

from ordstyrer.core import worker


@pytest.fixture
def declared(monkeypatch):
    """The sweeps the worker finds: only the test's own."""
    sweeps: list[worker.Sweep] = []
    monkeypatch.setattr(worker, "registered_sweeps", lambda: sorted(sweeps, key=lambda s: s.name))
    return sweeps


@pytest.fixture
def sweeps(declared):
    stop = threading.Event()
    yield stop
    stop.set()


def test_a_queue_sweep_runs_in_its_own_thread_while_a_long_sweep_holds_the_shared_one(
    sweeps, declared
) -> None:
    calls: list[str] = []
    slow_started = threading.Event()

    def slow(*, now):
        slow_started.set()
        sweeps.wait(5)  # a long sweep: the shared thread is busy until the test ends
        return 0

    def queue(*, now):
        calls.append(threading.current_thread().name)
        return 0

    declared.append(worker.Sweep("test.slow", slow, every=60))
    declared.append(worker.Sweep("test.queue", queue, every=0.01, own_thread=True))
    threads = worker.start_sweeps_in_threads(tick=0.01, stop=sweeps.is_set)
    assert slow_started.wait(5)
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(calls) >= 3  # polled again and again while the slow sweep runs
    assert set(calls) == {"ordstyrer-test.queue"}
    assert sorted(t.name for t in threads) == ["ordstyrer-sweeps", "ordstyrer-test.queue"]


def _in_a_thread(func):
    """Run `func` in a thread of its own, as the worker does (its database connection is
    the thread's, not the test's)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(func()))
    thread.start()
    thread.join(10)
    return result[0]


def test_the_shared_runner_leaves_own_thread_sweeps_alone(declared) -> None:
    ran: list[str] = []
    declared.append(worker.Sweep("test.a", lambda *, now: ran.append("a") or 1, every=60))
    declared.append(
        worker.Sweep("test.b", lambda *, now: ran.append("b") or 1, every=60, own_thread=True)
    )
    assert _in_a_thread(worker.SweepRunner().run_due) == {"test.a": 1}
    assert _in_a_thread(worker.SweepRunner(only="test.b").run_due) == {"test.b": 1}
    assert ran == ["a", "b"]


def test_the_worker_binds_parameters_on_the_client_whatever_the_web_tier_does(monkeypatch):
    """`ordstyrer worker` turns off the web tier's server-side binding for its own
    connections: its bulk statements cost PostgreSQL twice the CPU prepared (#14,
    bench/webhooks.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is PostgreSQL's (DATABASE_URL=postgres://…)")
    import psycopg

    options = connection.settings_dict["OPTIONS"]
    monkeypatch.setitem(options, "server_side_binding", True)
    monkeypatch.setitem(options, "prepare_threshold", 5)
    assert not issubclass(
        connection.get_connection_params()["cursor_factory"], psycopg.ClientCursor
    )

    worker.bind_parameters_on_client()

    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
    assert issubclass(connection.get_connection_params()["cursor_factory"], psycopg.ClientCursor)


def test_the_sweeps_are_those_the_installed_apps_declare() -> None:
    """Each app's AppConfig.sweeps names its SWEEPS; nothing is registered at start-up."""
    names = {sweep.name for sweep in worker.registered_sweeps()}
    assert {
        "worker_heartbeat",
        "archive_render",
        "channels.closures",
        "inbox.deadlines",
        "moderation.outbox",
        "platforms.webhooks",
        "publishing",
        "api_idempotency_expiry",
    } <= names
    assert not hasattr(worker, "register_sweep")


def test_two_sweeps_of_one_name_are_refused_by_name(monkeypatch) -> None:
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(apps.get_app_config("api"), "sweeps", "ordstyrer.core.worker.SWEEPS")
    with pytest.raises(ImproperlyConfigured, match="worker_heartbeat"):
        worker.registered_sweeps()


def test_a_sweep_that_never_waits_is_refused() -> None:
    with pytest.raises(ValueError, match="test.busy"):
        worker.Sweep("test.busy", lambda *, now: 0, every=0)
