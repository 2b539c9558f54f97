"""PostgreSQL only: the outbox's claim under real concurrency, and a worker process
killed with SIGKILL between the platform deletion and its record (MO-2).

Several threads run the same op at the same moment: one claims it, the platform is
called once. Four sweeps drain many ops at once: each op is carried out once. A real
worker subprocess deletes the comment on the (simulated) platform and is killed before
it records that; after its lease runs out the sweep finishes the job without deleting
twice, and the attempt of the dead worker is recorded as abandoned.

Run with `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`; SQLite's in-memory
test database cannot be written from several threads or processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from ordstyrer.connectors.base import Capability
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.moderation import outbox
from ordstyrer.moderation.models import AttemptOutcome, OpAttempt, OpKind, OpStatus, PlatformOp
from ordstyrer.moderation.services import comment_delete
from tests.inbox.conftest import comment
from tests.moderation.conftest import (
    citizen_comment,
    make_world,
    on_platform,
    platform_events,
    public_notices,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several threads and processes writing at once need PostgreSQL "
        "(DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"


@pytest.fixture(autouse=True)
def _tasks_wait(settings):
    """Queued tasks go nowhere: the test decides who runs each op."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class SlowPlatform:
    """A platform whose deletion takes a moment, counting the calls per comment."""

    capabilities = frozenset({Capability.MODERATOR})

    def __init__(self) -> None:
        self.deleted: dict[str, int] = {}
        self.lock = threading.Lock()

    def hide_comment(self, comment_id: str) -> bool:
        return True

    def unhide_comment(self, comment_id: str) -> bool:
        return True

    def delete_comment(self, comment_id: str) -> bool:
        time.sleep(0.05)
        with self.lock:
            self.deleted[comment_id] = self.deleted.get(comment_id, 0) + 1
            return self.deleted[comment_id] == 1


@pytest.fixture
def slow(monkeypatch) -> SlowPlatform:
    fake = SlowPlatform()

    @contextmanager
    def opener(channel: Any) -> Iterator[SlowPlatform]:
        yield fake

    monkeypatch.setattr(outbox, "open_connector", opener)
    return fake


def _deletions(world: Any, n: int) -> list[int]:
    """n comments, each with a deletion decided and archived; the delete ops wait."""
    now = timezone.now()
    for i in range(n):
        item = inbox_ingest(
            channel=world.channel,
            comment=comment(f"c{i}", f"{SPAM} {i}", author=f"u{i}", name=f"Person {i}"),
            received_at=now,
        )
        comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    for op_id in PlatformOp.objects.filter(kind=OpKind.CAPTURE).values_list("pk", flat=True):
        assert outbox.op_run(op_id=op_id) == OpStatus.DONE
    return list(PlatformOp.objects.filter(kind=OpKind.DELETE).values_list("pk", flat=True))


def _in_threads(n: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_one_op_run_by_four_workers_at_once_is_claimed_once(slow):
    world = make_world("pgclaim")
    public_notices(world.municipality)  # the public path: capture → delete → notice
    (op_id,) = _deletions(world, 1)
    results = _in_threads(4, lambda: outbox.op_run(op_id=op_id, worker="w"))
    assert sorted(results).count(OpStatus.DONE) >= 1
    assert slow.deleted == {"c0": 1}  # the platform was called once
    assert OpAttempt.objects.filter(op_id=op_id).count() == 1
    assert PlatformOp.objects.get(pk=op_id).status == OpStatus.DONE


def test_four_sweeps_at_once_carry_out_every_op_once(slow):
    world = make_world("pgsweep")
    public_notices(world.municipality)  # the public path: capture → delete → notice
    ops = _deletions(world, 12)
    later = timezone.now() + outbox.FIRST_ATTEMPT_GRACE + timedelta(seconds=1)
    ran = _in_threads(4, lambda: outbox.outbox_sweep(now=later))
    assert sum(ran) == 12
    assert slow.deleted == {f"c{i}": 1 for i in range(12)}
    for op_id in ops:
        assert OpAttempt.objects.filter(op_id=op_id).count() == 1
    assert set(PlatformOp.objects.filter(pk__in=ops).values_list("status", flat=True)) == {
        OpStatus.DONE
    }


WORKER = """
import os, sys, time
import django
django.setup()
from ordstyrer.moderation import outbox

def stall(*args, **kwargs):
    # The platform has deleted the comment; the process dies before it records that.
    print("PLATFORM-DONE", flush=True)
    time.sleep(600)

outbox.record_success = stall
outbox.op_run(op_id=int(sys.argv[1]), worker="doomed")
"""


def test_a_killed_worker_process_leaves_nothing_hanging_and_nothing_deleted_twice():
    world = make_world("pgkill")
    public_notices(world.municipality)  # the public path: capture → delete → notice
    item = citizen_comment(world.channel, SPAM)
    comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    capture = PlatformOp.objects.get(kind=OpKind.CAPTURE)
    assert outbox.op_run(op_id=capture.pk) == OpStatus.DONE  # archived; deletion waits
    delete = PlatformOp.objects.get(kind=OpKind.DELETE)

    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        ORDSTYRER_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(  # noqa: S603 — our own interpreter and script
        [sys.executable, "-c", WORKER, str(delete.pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "PLATFORM-DONE", proc.stderr.read()[-3000:]
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # our own child, by its id
        proc.wait(timeout=30)

    # The worker died: the comment is gone from the platform, the op is still "running".
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    delete.refresh_from_db()
    assert delete.status == OpStatus.RUNNING
    assert outbox.op_run(op_id=delete.pk) == OpStatus.RUNNING  # its lease still holds
    # After the lease the sweep takes over: "already gone" is done, nothing twice.
    after_lease = timezone.now() + outbox.LEASE + timedelta(seconds=1)
    assert outbox.outbox_sweep(now=after_lease) >= 1
    delete.refresh_from_db()
    assert delete.status == OpStatus.DONE and delete.result["gone"] is True
    assert platform_events(world.channel, item.platform_id, "remove") == 1
    outcomes = list(delete.attempts_log.order_by("number").values_list("worker", "outcome"))
    assert outcomes[0] == ("doomed", AttemptOutcome.ABANDONED)
    assert outcomes[1][1] == AttemptOutcome.GONE
    # Our own deletion after the crash, so the author is still told (MO-4).
    notice = PlatformOp.objects.get(kind=OpKind.NOTICE)
    assert outbox.op_run(op_id=notice.pk, now=after_lease) == OpStatus.DONE
    assert not PlatformOp.objects.exclude(status=OpStatus.DONE).exists()


def test_the_same_deletion_posted_twice_at_once_is_one_action(slow):
    """A double click on «Bekreft sletting»: two requests with one intent key race; one
    deletion, one archive record, and both get the same action (#15)."""
    from ordstyrer.archive.models import ArchiveRecord
    from ordstyrer.core.intents import new_intent_key
    from ordstyrer.moderation.models import ModerationAction

    world = make_world("pgintent")
    item = inbox_ingest(
        channel=world.channel,
        comment=comment("c-intent", SPAM, author="u-intent", name="Per Li"),
        received_at=timezone.now(),
    )
    key = new_intent_key()
    results = _in_threads(
        2,
        lambda: (
            comment_delete(
                actor=world.admin, item=item, ground="spam", justification=WHY, intent_key=key
            ).pk
        ),
    )
    assert len(results) == 2 and len(set(results)) == 1
    assert ModerationAction.objects.filter(kind="delete").count() == 1
    for op_id in PlatformOp.objects.filter(kind=OpKind.CAPTURE).values_list("pk", flat=True):
        outbox.op_run(op_id=op_id)
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1
