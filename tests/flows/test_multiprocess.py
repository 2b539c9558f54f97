"""Several processes against one PostgreSQL (issue #14, item 6): two `serve --no-worker`
and two `worker` processes started on loopback, as docs/deploy.md runs them.

- Meta's webhooks spread over both web processes; one of them is killed (SIGKILL) half
  way and the sender retries on the other, as Meta retries a delivery that got no 200:
  every comment reaches the inbox exactly once, no delivery is left unprocessed.
- The deadline sweep runs in both workers at the same moment: every overdue item gets
  exactly one notice task, and no task is run by two workers.

PostgreSQL only (DATABASE_URL): the embedded SQLite default is one process by design.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SERVER_URL = os.environ.get("DATABASE_URL", "")
PAGE_ID = "7070707070"
APP_SECRET = "multiprocess-test-secret"  # noqa: S105 — a throwaway scratch app
COMMENTS = 120

pytestmark = pytest.mark.skipif(
    not SERVER_URL.startswith("postgres"), reason="several processes need PostgreSQL"
)

SETUP = f"""
from django.utils import timezone
from ordstyrer.channels.models import Channel
from ordstyrer.platforms.models import PlatformConnection
from ordstyrer.tenants.models import Municipality
m, _ = Municipality.objects.get_or_create(slug="fleire", defaults={{"name": "Fleire kommune",
    "preset": "indre-fosen"}})
c, _ = Channel.objects.get_or_create(municipality=m, kind="facebook", name="Fleire kommune",
    defaults={{"status": "active", "platform_id": "{PAGE_ID}", "created_at": timezone.now()}})
PlatformConnection.objects.get_or_create(channel=c, defaults={{"platform": "facebook",
    "account_id": "{PAGE_ID}", "page_id": "{PAGE_ID}", "method": "system_user",
    "connected_at": timezone.now()}})
"""


def _sql(url: str, query: str, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, params or None)
        return cursor.fetchall() if cursor.description else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _body(n: int) -> bytes:
    change = {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": f"{PAGE_ID}_1_{n}",
            "post_id": f"{PAGE_ID}_1",
            "parent_id": f"{PAGE_ID}_1",
            "from": {"id": f"88{n}", "name": f"Innbyggjar {n}"},
            "message": f"Kor tid opnar symjehallen igjen? Spørsmål nr. {n}",
            "created_time": int(time.time()),
        },
    }
    envelope = {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": int(time.time()), "changes": [change]}],
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def _post(port: int, body: bytes) -> int:
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            "/webhooks/meta/",
            body=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return 0


def _wait_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, "serve exited during start-up"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("serve did not start")


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def scratch():
    name = f"ordstyrer_multi_{secrets.token_hex(4)}"
    base = SERVER_URL.rpartition("/")[0]
    _sql(SERVER_URL, f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "META_APP_SECRET": APP_SECRET,
        "META_VERIFY_TOKEN": "verifiser",
        "ORDSTYRER_LOG_LEVEL": "WARNING",
        "ORDSTYRER_ACCESS_LOG_LEVEL": "WARNING",
        "ORDSTYRER_WORKER_INTERVAL": "0.05",
    }
    children: list[subprocess.Popen] = []
    try:
        yield url, env, children
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        for child in children:
            child.wait(timeout=30)
        _sql(SERVER_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(env, children, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603 — our own CLI
        [sys.executable, "-m", "ordstyrer", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children.append(proc)
    return proc


def test_two_web_and_two_workers_lose_nothing_and_do_nothing_twice(scratch):
    url, env, children = scratch
    ordstyrer = [sys.executable, "-m", "ordstyrer"]
    for args in (["migrate", "--no-input"], ["shell", "-c", SETUP]):
        subprocess.run([*ordstyrer, *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603

    ports = [_free_port(), _free_port()]
    webs = [_start(env, children, "serve", "--no-worker", "--port", str(p)) for p in ports]
    workers = [_start(env, children, "worker") for _ in range(2)]
    for port, web in zip(ports, webs, strict=True):
        _wait_port(port, web)

    # --- webhooks, one web process killed half way ------------------------------------
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def sender(numbers: list[int], port_order: list[int]) -> None:
        for n in numbers:
            body = _body(n)
            for attempt in range(20):  # Meta retries a delivery without a 200
                port = port_order[attempt % len(port_order)]
                if port == ports[0] and webs[0].poll() is not None:
                    continue
                status = _post(port, body)
                if status == 200:
                    break
                time.sleep(0.05)
            with lock:
                statuses[n] = status

    threads = [
        threading.Thread(
            target=sender, args=(list(range(k, COMMENTS, 4)), [ports[k % 2], ports[(k + 1) % 2]])
        )
        for k in range(4)
    ]
    for t in threads:
        t.start()
    _wait(lambda: len(statuses) >= COMMENTS // 2, 120, "half of the webhooks")
    webs[0].send_signal(signal.SIGKILL)
    for t in threads:
        t.join()
    assert webs[0].wait(timeout=10) == -signal.SIGKILL
    assert set(statuses.values()) == {200}, Counter(statuses.values())

    def ingested() -> int:
        return _sql(url, "SELECT count(DISTINCT platform_id) FROM inbox_inboxitem")[0][0]

    _wait(lambda: ingested() == COMMENTS, 240, "every comment in the inbox")
    per_comment = _sql(
        url, "SELECT platform_id, count(*) FROM inbox_inboxitem GROUP BY platform_id"
    )
    assert len(per_comment) == COMMENTS
    assert all(count == 1 for _, count in per_comment)
    _wait(
        lambda: (
            _sql(url, "SELECT count(*) FROM platforms_webhookdelivery WHERE processed_at IS NULL")[
                0
            ][0]
            == 0
        ),
        120,
        "every delivery processed",
    )

    # --- the deadline sweep in both workers at once ------------------------------------
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)
    _sql(
        url,
        "UPDATE inbox_inboxitem SET due_at = now() - interval '1 hour', "
        "warn_at = now() - interval '2 hours', overdue_noticed_for = NULL, warned_for = NULL "
        "WHERE open AND listed",
    )
    overdue = {pk for (pk,) in _sql(url, "SELECT id FROM inbox_inboxitem WHERE open AND listed")}
    assert overdue, "the test needs open items"
    for _ in range(2):
        _start(env, children, "worker")

    # Each passed deadline is stamped once, compare-and-set (the e-mail about them is one
    # daily digest per person, #15, not a task per item).
    def stamped() -> set[int]:
        rows = _sql(
            url,
            "SELECT id FROM inbox_inboxitem WHERE open AND listed AND overdue_noticed_for = due_at",
        )
        return {pk for (pk,) in rows}

    _wait(lambda: stamped() >= overdue, 180, "overdue stamps")
    assert stamped() == overdue
    _wait(
        lambda: (
            _sql(
                url,
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')",
            )[0][0]
            == 0
        ),
        180,
        "the notice tasks to finish",
    )
    run_by = _sql(
        url, "SELECT jsonb_array_length(worker_ids) FROM django_tasks_database_dbtaskresult"
    )
    assert all(n == 1 for (n,) in run_by)
