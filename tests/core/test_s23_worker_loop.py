"""The in-process worker of `ordstyrer serve` (the embedded default) stopped for good
after one database error that was not a lock: django-tasks-db's loop re-raises it and
the thread ended, while the sweeps thread went on stamping the heartbeat, so `/healthz`
kept saying "worker": "ok" and no queued notice went out again (PU-12, CH-1, DI-10).
Now the task loop starts again after a database error, and when it ends for another
reason the sweeps stop with it, so the heartbeat goes stale."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError
from django.test import Client
from django_tasks_db.models import DBTaskResultQuerySet

from ordstyrer.core import worker as core_worker
from ordstyrer.core.models import WorkerHeartbeat


@pytest.fixture
def db_tasks(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # Only the heartbeat among the sweeps, in quick rounds; a short pause after an error.
    monkeypatch.setattr(core_worker, "registered_sweeps", lambda: [core_worker.SWEEPS[0]])
    monkeypatch.setattr(core_worker.OrdstyrerWorker, "sweep_tick", 0.05, raising=False)
    monkeypatch.setattr(core_worker, "LOOP_RETRY_FIRST", 0.1, raising=False)


def _wait(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_the_task_loop_runs_on_after_a_database_error(db_tasks, monkeypatch) -> None:
    real = DBTaskResultQuerySet.get_locked
    calls = {"n": 0}

    def flaky(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("disk I/O error")  # once, not a lock
        return real(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky)
    thread, w = core_worker.start_in_thread(interval=0.05)
    try:
        assert _wait(lambda: calls["n"] > 6)  # polling the queue again after the error
        assert thread.is_alive() and w.running
        # (SQLite may answer "locked" while the heartbeat writes: ask again then.)
        assert _wait(lambda: Client().get("/healthz").json()["worker"] == "ok")
    finally:
        w.running = False
        thread.join(5)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.django_db(transaction=True)
def test_when_the_task_loop_ends_the_heartbeat_stops(db_tasks, monkeypatch) -> None:
    def broken(self):
        raise RuntimeError("not a database error")

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", broken)
    before = {t.name for t in threading.enumerate()}
    thread, w = core_worker.start_in_thread(interval=0.05)
    thread.join(5)
    assert not thread.is_alive()
    assert w.running is False
    # The sweeps thread beside it stops too: no heartbeat is stamped any more.
    assert _wait(
        lambda: (
            "ordstyrer-sweeps" in before
            or all(t.name != "ordstyrer-sweeps" for t in threading.enumerate())
        )
    )
    WorkerHeartbeat.objects.all().delete()
    time.sleep(0.3)
    assert not WorkerHeartbeat.objects.exists()
    assert Client().get("/healthz").json()["worker"] == "late"
