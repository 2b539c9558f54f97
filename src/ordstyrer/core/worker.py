"""The background worker: runs queued tasks from the database (django-tasks-db).

`ordstyrer worker` runs it as its own process (production: several, on several
machines); `ordstyrer serve` runs one in a thread beside the web server for the
embedded default, so the demo needs nothing else.

Periodic sweeps (closures opening on time, review reminders, deadlines, scheduled
posts, …) are declared by the apps — each AppConfig's `sweeps` names its module's
`SWEEPS`, read where the worker asks (`registered_sweeps`), nothing written at start-up —
and run by every worker in a thread beside the task loop. Each sweep claims its rows with
a compare-and-set update, so several workers on several machines may run them at once;
each claim's stamp or lease is the time of that claim (`SweepClock`), and a batch stops
claiming before its leases could run out.
A sweep registered with `own_thread=True` is a table polled as a queue (the stored
webhook deliveries): it runs in a thread of its own, so a long sweep never delays it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

from ordstyrer.core.sessions import SESSIONS_SWEEP_SECONDS, sessions_clear_expired

logger = logging.getLogger("ordstyrer.worker")


@dataclass(frozen=True)
class Sweep:
    """A periodic job: `func(now=…)` returns how many rows it handled."""

    name: str
    func: Callable[..., int]
    every: float  # seconds between runs in one worker
    own_thread: bool = False

    def __post_init__(self) -> None:
        if self.every <= 0:
            raise ValueError(f"sweep {self.name}: every must be positive")


class SweepClock:
    """The time inside one run of a sweep (or of any job given its `now`): the `now` it
    was started with, plus the time that has passed since.

    A claim is stamped with `clock.now()` at the moment of the claim, never with the
    run's start. Stamped with the start, a row claimed late in a long batch got a lease
    that had already run out, and another worker's sweep took it while this one was
    still calling the platform: two public notices (MO-4), two replies, two copies of a
    post. The passing time is read on the wall clock (`timezone.now()`), which is what
    every other worker holds a lease against, and so what a simulated clock in the tests
    moves; never backwards, and in whole seconds: a lease of minutes loses nothing by
    it, and a claim made at once is stamped with exactly the `now` the run was given
    (a caller that runs the next step at that `now` finds it due).

    `spent()` tells a batch to stop claiming: once it has run for its `budget` (shorter
    than the lease it gives), what is left waits for the next run, here or in another
    worker. The budget is measured on the monotonic clock as well, whichever has moved
    further, so a wall clock set back never stretches it."""

    def __init__(self, now: datetime, *, budget: timedelta | None = None) -> None:
        self.started = now
        self.budget = budget
        self._wall = timezone.now()
        self._monotonic = time.monotonic()

    def now(self) -> datetime:
        """The run's `now` moved on by the whole seconds passed since it began."""
        passed = (timezone.now() - self._wall).total_seconds()
        return self.started + timedelta(seconds=max(int(passed), 0))

    def elapsed(self) -> timedelta:
        """How long the run has taken so far (wall or monotonic, the longer)."""
        monotonic = timedelta(seconds=time.monotonic() - self._monotonic)
        return max(timezone.now() - self._wall, monotonic, timedelta(0))

    def spent(self) -> bool:
        """True once the run has used its budget: claim nothing more."""
        return self.budget is not None and self.elapsed() >= self.budget


def registered_sweeps() -> list[Sweep]:
    """The sweeps of the installed apps, by name: each app's `AppConfig.sweeps` is the
    dotted path of a sequence of `Sweep` (its `sweeps.SWEEPS`); an app without it has
    none. Two sweeps of one name are a mistake, refused by name."""
    found: dict[str, Sweep] = {}
    for config in apps.get_app_configs():
        path = getattr(config, "sweeps", None)
        for sweep in import_string(path) if path else ():
            if sweep.name in found:
                raise ImproperlyConfigured(f"two sweeps are named {sweep.name!r}")
            found[sweep.name] = sweep
    return sorted(found.values(), key=lambda sweep: sweep.name)


class SweepRunner:
    """Runs the registered sweeps that share a thread (or the one sweep `only`) when
    their interval has passed."""

    def __init__(self, *, tick: float = 5.0, only: str | None = None) -> None:
        self.tick = tick
        self.only = only
        self.running = True
        self._last: dict[str, float] = {}

    def _sweeps(self) -> list[Sweep]:
        if self.only is not None:
            return [sweep for sweep in registered_sweeps() if sweep.name == self.only]
        return [sweep for sweep in registered_sweeps() if not sweep.own_thread]

    def run_due(self, *, now: datetime | None = None) -> dict[str, int]:
        """Run the sweeps that are due (all of them the first time); one failing sweep
        is logged and does not stop the others."""
        handled: dict[str, int] = {}
        clock = time.monotonic()
        for sweep in self._sweeps():
            last = self._last.get(sweep.name)
            if last is not None and clock - last < sweep.every:
                continue
            self._last[sweep.name] = clock
            close_old_connections()
            try:
                handled[sweep.name] = int(sweep.func(now=now or timezone.now()) or 0)
            except Exception:  # noqa: BLE001 — keep the other sweeps running; logged with trace
                logger.exception("sweep failed", extra={"sweep": sweep.name})
        close_old_connections()
        return handled

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        try:
            while self.running and not stop():
                self.run_due()
                time.sleep(self.tick)
        finally:
            _close_connections()  # this thread's; nobody else would close them


def start_sweeps_in_threads(
    *, tick: float = 5.0, stop: Callable[[], bool] = lambda: False
) -> list[threading.Thread]:
    """The shared sweeps in one thread, each `own_thread` sweep in its own."""
    runners = [(SweepRunner(tick=tick), "ordstyrer-sweeps")] + [
        (SweepRunner(tick=sweep.every, only=sweep.name), f"ordstyrer-{sweep.name}")
        for sweep in registered_sweeps()
        if sweep.own_thread
    ]
    threads = []
    for runner, name in runners:
        thread = threading.Thread(target=runner.run, kwargs={"stop": stop}, name=name, daemon=True)
        thread.start()
        threads.append(thread)
    return threads


HEARTBEAT_EVERY = 30.0
# Rows of workers that stopped beating are forgotten after a day.
HEARTBEAT_KEEP = timedelta(days=1)


def worker_heartbeat(*, now: datetime) -> int:
    """Stamp this worker process's heartbeat row (a sweep: it proves the sweep loop and
    the database both work); `GET /healthz` reports a worker "late" without one."""
    from ordstyrer.core.models import WorkerHeartbeat

    worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": now})
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEEP).delete()
    return 1


SWEEPS = (
    Sweep("worker_heartbeat", worker_heartbeat, every=HEARTBEAT_EVERY),
    Sweep("sessions_expiry", sessions_clear_expired, every=SESSIONS_SWEEP_SECONDS),
)


# After a database error the task loop starts again after 1 s, then 2, 4, … at most 60 s.
LOOP_RETRY_FIRST = 1.0
LOOP_RETRY_MAX = 60.0


class OrdstyrerWorker(Worker):
    """The django-tasks-db worker, with the periodic sweeps beside its task loop.

    django-tasks-db's loop re-raises a database error that is not a lock (a dropped
    connection, a failover, a full disk), which ended the loop for good: `ordstyrer
    serve`'s in-process worker stopped running tasks while its sweeps went on stamping
    the heartbeat, so `/healthz` said "ok" and no notice went out again (PU-12, CH-1,
    DI-10). Now the loop starts again after such an error, with a growing pause and its
    connections closed; and when the loop ends for any other reason, `running` is
    cleared, so the sweeps stop with it and the heartbeat goes stale ("late")."""

    sweep_tick = 5.0  # seconds between the shared sweep thread's rounds

    def run(self) -> None:
        start_sweeps_in_threads(tick=self.sweep_tick, stop=lambda: not self.running)
        pause = LOOP_RETRY_FIRST
        try:
            while self.running:
                started = time.monotonic()
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError):
                    if time.monotonic() - started > LOOP_RETRY_MAX:
                        pause = LOOP_RETRY_FIRST  # it ran well for a while: start over
                    logger.warning(
                        "task loop: database error, starting again",
                        exc_info=True,
                        extra={"worker_id": self.worker_id, "retry_in": pause},
                    )
                    _close_connections()
                    time.sleep(pause)
                    pause = min(pause * 2, LOOP_RETRY_MAX)
        finally:
            self.running = False
            _close_connections()


def _close_connections() -> None:
    """Drop this thread's connections after an error: the next query opens a new one
    (close_old_connections keeps a connection that merely saw an error)."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            logger.debug("closing a broken database connection failed")


def bind_parameters_on_client() -> None:
    """Make this process bind statement parameters on the client, whatever
    ORDSTYRER_DB_PREPARED set for the web tier; for `ordstyrer worker`, before its first
    query.

    The worker's statements are few of a kind: bulk writes of a batch's items and lists
    of ids of varying length, which a prepared plan does not serve. Measured with
    `bench/webhooks.py --backlog 10000 --workers 2` (6 Dec 2026, quiet machine): with
    server-side binding PostgreSQL spent 556 µs per event against 274 on the client,
    914 against 1,084 events/s — while the web tier's repeated page queries save a
    quarter of PostgreSQL's CPU with it (config/settings.py, docs/deploy.md)."""
    for alias in connections:
        options = connections.settings[alias].get("OPTIONS", {})
        if options.pop("server_side_binding", None) is not None:
            options.pop("prepare_threshold", None)
            connections[alias].close()  # a connection already open was made the other way


def make_worker(*, interval: float | None = None) -> Worker:
    return OrdstyrerWorker(
        queue_names=["*"],
        interval=settings.WORKER_INTERVAL if interval is None else interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"[:64],
        excluded_queue_names=[],
    )


def start_in_thread(*, interval: float | None = None) -> tuple[threading.Thread, Worker]:
    """Start a worker in a daemon thread (the embedded default's in-process worker)."""
    worker = make_worker(interval=interval)
    thread = threading.Thread(target=worker.run, name="ordstyrer-worker", daemon=True)
    thread.start()
    logger.info("in-process worker started", extra={"worker_id": worker.worker_id})
    return thread, worker
