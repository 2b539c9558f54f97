"""Benchmark the production set-up's web tier: inbox list pages under concurrent clients.

The documented production set-up (docs/deploy.md): PostgreSQL, K `ordstyrer serve
--no-worker` processes (waitress, 8 threads each), clients spread over them as the TLS
proxy would. Uses the inbox benchmark's data (bench/inbox.py: N items in 50 channels,
loaded on first use), logs in as its communications advisor, and has C clients request
the work list with its filters as fast as each gets answers for S seconds. Prints p50 /
p95 / p99 latency, pages per second, the CPU each page cost the web processes and the
PostgreSQL backends of the bench database (user + system time from /proc over the
measured seconds, divided by the pages answered: steadier than latency on a shared
machine), the load average before and after, and each web process's memory before the
first request and at the end, and the CPU per page of the clients themselves (this
process), which share the machine's two cores with the server. The web processes run
this tree's code (also when the benchmark runs from an export of another commit, to
compare).

It runs in the inbox benchmark's scratch database, `ordstyrer_bench_inbox` on the server
DATABASE_URL points at (bench/inbox.py), never in the database DATABASE_URL names; the
data stays there for the next run unless --drop removes it. Without PostgreSQL it prints
one line, «skipped: …», and exits with status 77 (SKIPPED: `bin/dev bench` counts it as
skipped, not failed).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/web.py [--items N] [--web K] [--clients C] [--seconds S] [--drop]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ORDSTYRER_ACCESS_LOG_LEVEL", "WARNING")  # readable output

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402

from bench.inbox import SCRATCH, SLUG, scratch_database  # noqa: E402
from ordstyrer.channels.models import Channel  # noqa: E402
from ordstyrer.tenants.models import Municipality  # noqa: E402

# The exit status of a benchmark that cannot run here (automake's "skipped"), which
# `bin/dev bench` reports as skipped rather than failed.
SKIPPED = 77


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children_rss_mb(pid: int) -> float:
    """The serve process and its children (the `ordstyrer` entry point execs Python)."""
    total = _rss_mb(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for cpid in child.read_text().split():
            total += _rss_mb(int(cpid))
    return total


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU so far of these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backends serving `database` (their process title names it; other
    databases' backends on a shared server are left out)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        words = title.replace(b"\0", b" ").split()
        if title.startswith(b"postgres:") and database.encode() in words:
            pids.append(int(proc.name))
    return pids


def _ensure_data(n: int) -> None:
    municipality = Municipality.objects.filter(slug=SLUG).first()
    if municipality is not None:
        from ordstyrer.inbox.models import InboxItem

        if InboxItem.objects.filter(municipality=municipality).count() >= n:
            return
    print(f"loading {n:,} items with bench/inbox.py …", flush=True)
    # It loads them into the same scratch database (SCRATCH), kept for this run.
    subprocess.run(  # noqa: S603 — our own benchmark
        [sys.executable, str(ROOT / "bench" / "inbox.py"), str(n), "--requests", "1"],
        check=True,
        env=os.environ,
    )


def _scratch_url() -> str:
    """DATABASE_URL with the scratch database's name, for the web processes."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def _session_cookie(username: str) -> str:
    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("ordstyrer serve exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/logg-inn/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("ordstyrer serve did not start")


def _client(
    port: int, cookie: str, urls: list[str], until: float, out: list[float], errors: list[str]
) -> None:  # noqa: E501
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    i = 0
    while time.perf_counter() < until:
        url = urls[i % len(urls)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
        except OSError as exc:
            errors.append(type(exc).__name__)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.perf_counter() - start
        if response.status != 200:
            errors.append(str(response.status))
            continue
        out.append(elapsed)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--web", type=int, default=2, help="serve processes")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--drop", action="store_true", help="remove the scratch database at the end"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "skipped: bench/web.py measures the production set-up on PostgreSQL; set DATABASE_URL"
        )
        raise SystemExit(SKIPPED)
    with scratch_database(drop=args.drop):
        run(args)


def run(args: argparse.Namespace) -> None:
    _ensure_data(args.items)
    municipality = Municipality.objects.get(slug=SLUG)
    channel = Channel.objects.filter(municipality=municipality).order_by("pk").first()
    base = f"/m/{SLUG}/innboks/"
    urls = [
        base,
        f"{base}?kanal={channel.pk}",
        f"{base}?frist=passert",
        f"{base}?kategori=question",
    ]
    cookie = _session_cookie(f"{SLUG}-kom")
    env = dict(
        os.environ,
        ORDSTYRER_ALLOWED_HOSTS="127.0.0.1,localhost",
        ORDSTYRER_LOG_LEVEL="WARNING",
        ORDSTYRER_ACCESS_LOG_LEVEL="INFO",  # one access line per request, as in production
        DATABASE_URL=_scratch_url(),
    )
    # This tree's code, also when the benchmark runs from an export of a commit.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    procs, ports = [], []
    try:
        for _ in range(args.web):
            port = _free_port()
            cmd = [
                sys.executable,
                "-m",
                "ordstyrer",
                "serve",
                "--no-worker",
                "--port",
                str(port),
                "--threads",
                str(args.threads),
            ]
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, **quiet))  # noqa: S603
            ports.append(port)
        for port, proc in zip(ports, procs, strict=True):
            _wait_ready(port, proc)
        idle = [_children_rss_mb(p.pid) for p in procs]
        # Warm-up: every process renders each page once.
        for port in ports:
            warm: list[float] = []
            _client(port, cookie, urls, time.perf_counter() + 3, warm, [])
        latencies: list[list[float]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        until = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(
                target=_client,
                args=(ports[i % len(ports)], cookie, urls, until, latencies[i], errors),
            )
            for i in range(args.clients)
        ]
        database = connection.settings_dict["NAME"]
        web_pids = [p.pid for p in procs]
        load_before = os.getloadavg()
        # Per backend: a waitress thread opens its connection when it first serves.
        pg_start = {pid: _cpu_seconds([pid]) for pid in _postgres_backends(database)}
        web_cpu = _cpu_seconds(web_pids)
        client_cpu = sum(os.times()[:2])  # this process: the clients share the two cores
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        web_cpu = _cpu_seconds(web_pids) - web_cpu
        client_cpu = sum(os.times()[:2]) - client_cpu
        pg_pids = _postgres_backends(database)
        pg_cpu = sum(_cpu_seconds([pid]) - pg_start.get(pid, 0.0) for pid in pg_pids)
        busy = [_children_rss_mb(p.pid) for p in procs]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    values = [v for client in latencies for v in client]
    if not values:
        raise SystemExit(f"no successful request ({len(errors)} errors: {errors[:5]})")
    load = os.getloadavg()
    print(
        f"\n{args.web} × serve --no-worker ({args.threads} threads), {args.clients} clients, "
        f"{args.seconds:.0f} s, PostgreSQL, load average {load_before[0]:.2f} before, "
        f"{load[0]:.2f} after (1 min)"
    )
    print(
        f"inbox list pages: {len(values):,} answered, {len(errors)} errors, {len(values) / wall:.1f} pages/s"
    )
    print(
        f"latency ms: p50 {statistics.median(values) * 1000:.1f}  p95 {pct(values, 0.95) * 1000:.1f}  "
        f"p99 {pct(values, 0.99) * 1000:.1f}  (goal: p95 < 100 ms)"
    )
    print(
        f"CPU per page: web processes {web_cpu / len(values) * 1000:.1f} ms, PostgreSQL "
        f"backends {pg_cpu / len(values) * 1000:.1f} ms ({len(pg_pids)} backends of «{database}»), "
        f"the clients {client_cpu / len(values) * 1000:.1f} ms"
    )
    for i, (a, b) in enumerate(zip(idle, busy, strict=True)):
        print(f"web process {i + 1}: {a:.0f} MB before the first request, {b:.0f} MB at the end")


if __name__ == "__main__":
    main()
