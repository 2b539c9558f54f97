"""GET /healthz: database and worker heartbeat, no login, 503 when the database is down."""

from __future__ import annotations

from datetime import timedelta

from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from ordstyrer.core.models import WorkerHeartbeat
from ordstyrer.core.worker import registered_sweeps, worker_heartbeat


def test_healthz_without_a_worker_is_ok_but_late(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "late"}


def test_the_worker_heartbeat_makes_it_ok_and_goes_stale(db, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    # Every worker runs it beside its task loop (SweepRunner; called directly here because
    # the runner closes database connections between sweeps, the test's included).
    assert "worker_heartbeat" in {s.name for s in registered_sweeps()}
    worker_heartbeat(now=timezone.now())
    assert WorkerHeartbeat.objects.count() == 1
    assert Client().get("/healthz").json()["worker"] == "ok"
    time_machine.shift(timedelta(minutes=3))
    assert Client().get("/healthz").json()["worker"] == "late"
    worker_heartbeat(now=timezone.now())
    assert WorkerHeartbeat.objects.count() == 1  # one row per worker process
    assert Client().get("/healthz").json()["worker"] == "ok"


def test_healthz_is_503_when_the_database_is_down(db, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("ordstyrer.api.health.connection", Down())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "worker": "unknown"}
    assert "refused" not in response.content.decode()
