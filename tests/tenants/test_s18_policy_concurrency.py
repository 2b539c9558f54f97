"""Two policy changes saved at the same moment (AR-3: every version audited, none lost):
each becomes its own version, numbered one after the other, the later one keeping the
earlier one's change; neither fails on the version number's uniqueness.

Runs against PostgreSQL (CI's second pass); SQLite's in-memory test database cannot
be written from two threads at once.
"""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from ordstyrer.tenants import services
from ordstyrer.tenants.selectors import policy_for, policy_versions
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_policy_changes_at_once_make_two_versions():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("samtidig", "indre-fosen")
    changes = [{"DI-1": {"answer_hours": 4.0}}, {"DI-1": {"first_response_hours": 1.0}}]
    start = threading.Barrier(2)
    # Both saves hold on after reading the current version, until the other has read it
    # too or a second has passed: without a lock both read the same version (the race,
    # every time); with the lock the second waits for the first to commit.
    read = threading.Barrier(2, timeout=1)
    load_policy = services.load_policy

    def held_load_policy(*args, **kwargs):
        try:
            read.wait()
        except threading.BrokenBarrierError:
            pass
        return load_policy(*args, **kwargs)

    errors: list[BaseException] = []

    def worker(overrides) -> None:
        try:
            start.wait()
            services.policy_update(
                actor=p.communications,
                municipality=p.municipality,
                overrides=overrides,
                reason="Samtidig endring",
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch.object(services, "load_policy", held_load_policy):
        threads = [threading.Thread(target=worker, args=(c,)) for c in changes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    versions = policy_versions(municipality=p.municipality)
    assert sorted(v.number for v in versions) == [1, 2]
    targets = policy_for(municipality=p.municipality).response_targets()
    assert (targets.answer_hours, targets.first_response_hours) == (4.0, 1.0)
