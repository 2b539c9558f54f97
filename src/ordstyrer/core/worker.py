"""The background worker: runs queued tasks from the database (django-tasks-db).

`ordstyrer worker` runs it as its own process (production: several, on several
machines); `ordstyrer serve` runs one in a thread beside the web server for the
embedded default, so the demo needs nothing else.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("ordstyrer.worker")


def make_worker(*, interval: float = 1.0) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"[:64],
        excluded_queue_names=[],
    )


def start_in_thread(*, interval: float = 1.0) -> tuple[threading.Thread, Worker]:
    """Start a worker in a daemon thread (the embedded default's in-process worker)."""
    worker = make_worker(interval=interval)
    thread = threading.Thread(target=worker.run, name="ordstyrer-worker", daemon=True)
    thread.start()
    logger.info("in-process worker started", extra={"worker_id": worker.worker_id})
    return thread, worker
