"""The crash test: `ordstyrer serve` (a real subprocess on a file-based SQLite database)
is killed with SIGKILL in the middle of a burst from the Graph stand-in's emitter, which
retries undelivered events like Meta does (§2.4); after a restart every comment is in
the inbox exactly once. What makes it hold: the body is stored before 200, Meta's
retries of the same bytes are recognised, a lost task or a dead worker's lease is picked
up by a worker's drain, and ingestion is idempotent."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.platforms.conftest import APP_SECRET, TOKEN_KEY, VERIFY_TOKEN

ROOT = Path(__file__).resolve().parents[2]
COMMENTS = 120
SETUP = """
from django.utils import timezone
from ordstyrer.channels.models import Channel
from ordstyrer.platforms.models import PlatformConnection
from ordstyrer.tenants.models import Municipality
m = Municipality.objects.create(slug="krasjby", name="Krasjby kommune", preset="indre-fosen")
c = Channel.objects.create(municipality=m, kind="facebook", name="Krasjby kommune",
                           status="active", platform_id="{page_id}", created_at=timezone.now())
PlatformConnection.objects.create(channel=c, platform="facebook", account_id="{page_id}",
                                  page_id="{page_id}", method="system_user",
                                  connected_at=timezone.now())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        ORDSTYRER_DATA_DIR=str(data_dir),
        META_APP_SECRET=APP_SECRET,
        META_VERIFY_TOKEN=VERIFY_TOKEN,
        ORDSTYRER_TOKEN_KEY=TOKEN_KEY,
        ORDSTYRER_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _ordstyrer(*args: str, env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own CLI with fixed arguments
        [sys.executable, "-m", "ordstyrer", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


class Server:
    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port, self.env, self.log = port, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        handle = self.log.open("a")
        self.proc = subprocess.Popen(  # noqa: S603 — our own CLI with fixed arguments
            [sys.executable, "-m", "ordstyrer", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url, params=params, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError("ordstyrer serve did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/meta/"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)  # our own child, by its id
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = _env(tmp_path / "data")
    _ordstyrer("migrate", "--noinput", env=env)
    srv = Server(_free_port(), env, tmp_path / "serve.log")
    try:
        yield srv
    finally:
        srv.stop()


def _inbox(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(
            "SELECT platform_id, COUNT(*) FROM inbox_inboxitem GROUP BY platform_id"
        ).fetchall()


def test_sigkill_during_a_burst_loses_nothing_and_duplicates_nothing(
    server: Server, fake, fb_page, tmp_path: Path
) -> None:
    _ordstyrer("shell", "-c", SETUP.format(page_id=fb_page.id), env=server.env)
    server.start()
    fake.store.settings.app_secret = APP_SECRET
    fake.emitter.configure(
        callback_url=server.url,
        verify_token=VERIFY_TOKEN,
        # Meta retries over 36 h; here long enough to span the restart.
        retry_schedule=(0, 0.2, 0.5, 1, 2, 3, 5, 8, 13, 21),
        timeout=10.0,
    )
    post = fake.store.create_post(fb_page, message="Stengt vei ved Ørland kirke.")
    ids = [
        fake.store.add_comment(
            post.id,
            from_id=f"77{n}",
            from_name=f"Innbygger {n}",
            message=f"Når åpner veien ved Ørland kirke igjen? Spørsmål {n} fra Åse",
        ).id
        for n in range(COMMENTS)
    ]
    # Kill the server once part of the burst has been acknowledged, mid-stream.
    deadline = time.monotonic() + 120
    while sum(d.ok for d in fake.emitter.deliveries) < COMMENTS // 3:
        assert time.monotonic() < deadline, "the burst never got going"
        time.sleep(0.01)
    server.kill()
    killed_at = sum(d.ok for d in fake.emitter.deliveries)
    assert killed_at < COMMENTS, "the burst was over before the kill"
    time.sleep(1.0)
    server.start()

    assert fake.emitter.flush(timeout=120)
    assert not fake.emitter.dropped
    assert any(not d.ok for d in fake.emitter.deliveries)  # some really were refused

    db = tmp_path / "data" / "ordstyrer.sqlite3"
    deadline = time.monotonic() + 120
    rows: list[tuple[str, int]] = []
    while time.monotonic() < deadline:
        rows = _inbox(db)
        if len(rows) >= COMMENTS:
            break
        time.sleep(0.5)
    assert sorted(pid for pid, _ in rows) == sorted(ids), server.log.read_text()[-3000:]
    assert all(count == 1 for _, count in rows)
