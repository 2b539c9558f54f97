"""Two workers sweep the same closure at the same moment: one claims it (CH-9).

Runs against PostgreSQL (CI's second pass); SQLite's in-memory test database cannot
be written from two threads at once.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelEvent, Closure
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_sweeps_claim_each_closure_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("samtidig", "gausdal")
    channel = active_channel(p)
    now = timezone.now()
    closures = [
        services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason=f"Stengt {i}",
            starts_at=now + timedelta(hours=i * 10 + 1),
            ends_at=now + timedelta(hours=i * 10 + 5),
        )
        for i in range(3)
    ]
    for closure in closures:  # Gausdal applies CH-9: a closure waits for its notice
        services.closure_mark_notice_published(actor=p.employee, closure=closure)
    due = now + timedelta(hours=2)  # the first closure is due
    barrier = threading.Barrier(4)
    handled: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            handled.append(services.closures_sweep(now=due))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(handled) == [0, 0, 0, 1]
    assert ChannelEvent.objects.filter(channel=channel, action="close").count() == 1
    assert Closure.objects.get(pk=closures[0].pk).state == "in_effect"
