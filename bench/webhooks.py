"""Benchmark Meta webhooks end to end: events/s accepted and receipt → triaged latency.

Starts the real application (`--web N` × `ordstyrer serve` on free loopback ports, the
first with its in-process worker; optionally extra `ordstyrer worker` processes) on a
scratch PostgreSQL database, then sends signed `feed` webhooks (Norwegian comments,
Meta's ASCII-escaped style, `X-Hub-Signature-256`) from a second process over loopback,
its connections spread over the web processes as a proxy would:

1. paced: a steady rate R for a bounded time → for each event the time from the moment
   the sender started its POST to the moment its inbox item was committed, triaged (the
   delivery's `processed_at`, stamped after `inbox_ingest` returned): p50, p99;
2. burst: as fast as N keep-alive connections allow, a bounded number of events, one
   comment per POST and again B per POST (Meta batches under load) → events/s accepted
   (HTTP 200 = stored durably), the application's CPU per event (user + system of
   `serve` and the workers, from /proc; triage running beside the receipt included) and
   the load average (the machine may be shared);
3. the bursts' backlog: how fast it is triaged into the inbox (events/s), and a check
   that no comment is in the inbox twice.

`--backlog N` measures instead what follows an outage (issue #14): N deliveries of one
comment each, stored as the receipt stores them (the same insert, one transaction) while
no worker runs; then `--workers W` × `ordstyrer worker` start and the benchmark waits
until the inbox holds all N: events/s from the workers' start (their start-up included)
and from the first to the last delivery processed, the workers' CPU per event and
PostgreSQL's (user + system time from /proc of the backends serving the scratch database,
read before the workers stop; the server's background writers are left out).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/webhooks.py
      [--events 2000] [--batch 10] [--connections 16] [--rate 5] [--seconds 30]
      [--workers 0] [--web 1] [--no-web-worker] [--accept-only] [--keep]
      or  … bench/webhooks.py --backlog 10000 --workers 2
      or  … bench/webhooks.py --backlog 3000 --cpu   (in-process, CPU per event; --profile)

The scratch database `ordstyrer_bench_webhooks` is created on the server of DATABASE_URL
and dropped afterwards (unless --keep).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "ordstyrer_bench_webhooks"
PAGE_ID = "4040404040"
APP_SECRET = "bench-hemmelighet-æøå"  # noqa: S105 — a throwaway scratch app
VERIFY_TOKEN = "bench-verifiser"  # noqa: S105
TEXTS = (
    "Når åpner svømmehallen i Ørsta igjen etter ferien?",
    "Tusen takk for god hjelp på servicetorget i dag!",
    "Kor tid kjem brøytebilen til Øvre Dal?",
    "Det stemmer ikke at skolen på Ålvik legges ned.",
    "Jeg har søkt om byggetillatelse og hører ingenting. Hva skjer?",
    "Hvorfor er det ikke strøing på fortauet ved Ærø skole?",
)
SETUP = f"""
from django.utils import timezone
from ordstyrer.channels.models import Channel
from ordstyrer.platforms.models import PlatformConnection
from ordstyrer.tenants.models import Municipality
m, _ = Municipality.objects.get_or_create(slug="bench-webhooks",
    defaults={{"name": "Benchby kommune", "preset": "indre-fosen"}})
c, _ = Channel.objects.get_or_create(municipality=m, kind="facebook", name="Benchby kommune",
    defaults={{"status": "active", "platform_id": "{PAGE_ID}", "created_at": timezone.now()}})
PlatformConnection.objects.get_or_create(channel=c, defaults={{"platform": "facebook",
    "account_id": "{PAGE_ID}", "page_id": "{PAGE_ID}", "method": "system_user",
    "connected_at": timezone.now()}})
"""


# --- payloads ---------------------------------------------------------------------------


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every child still running, then wait for each (kill after 20 s)."""
    for child in processes:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in processes:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


def _change(n: int, run: str) -> dict:
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": f"{run}_{n}",
            "post_id": f"{PAGE_ID}_1",
            "parent_id": f"{PAGE_ID}_1",
            "from": {"id": f"55{n}", "name": f"Innbygger {n}"},
            "message": f"{TEXTS[n % len(TEXTS)]} ({n})",
            "created_time": int(time.time()),
        },
    }


def body_for(numbers: list[int], run: str) -> bytes:
    envelope = {
        "object": "page",
        "entry": [
            {"id": PAGE_ID, "time": int(time.time()), "changes": [_change(n, run) for n in numbers]}
        ],
    }
    return json.dumps(envelope, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


# --- the sender (a second process) --------------------------------------------------------


def _sender(
    ports: list[int], bodies: list[bytes], connections: int, rate: float, limit: float, out
) -> None:
    """POST every body; record (sha256, started, status). `rate` 0 = as fast as possible.
    The connections are spread over the web processes' ports, as a proxy would."""
    lock = threading.Lock()
    next_index = [0]
    results: list[tuple[str, float, int]] = []
    begin = time.time()

    def worker(port: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(bodies) or time.time() - begin > limit:
                break
            if rate:
                wait = begin + i / rate - time.time()
                if wait > 0:
                    time.sleep(wait)
            body = bodies[i]
            started = time.time()
            try:
                conn.request(
                    "POST",
                    "/webhooks/meta/",
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Hub-Signature-256": signature(body),
                    },
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            with lock:
                results.append((hashlib.sha256(body).hexdigest(), started, status))
        conn.close()

    threads = [
        threading.Thread(target=worker, args=(ports[k % len(ports)],)) for k in range(connections)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((begin, time.time(), results))


def send(
    ports: list[int], bodies: list[bytes], *, connections: int, rate: float = 0, limit: float = 120
):
    queue: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(
        target=_sender, args=(ports, bodies, connections, rate, limit, queue)
    )
    proc.start()
    begin, end, results = queue.get()
    proc.join()
    return begin, end, results


# --- the application ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scratch_url(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def _recreate(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')


def _drop(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 — our own CLI
        [sys.executable, "-m", "ordstyrer", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    query = f"/webhooks/meta/?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("ordstyrer serve exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", query)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("ordstyrer serve did not start")


def _processed(db_url: str, hashes: list[str], timeout: float) -> dict[str, tuple[float, float]]:
    """sha256 → (received_at, processed_at) as Unix seconds, waiting for all."""
    import psycopg

    deadline = time.time() + timeout
    found: dict[str, tuple[float, float]] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        while time.time() < deadline:
            rows = conn.execute(
                "SELECT sha256, extract(epoch from received_at), extract(epoch from processed_at)"
                " FROM platforms_webhookdelivery WHERE sha256 = ANY(%s) AND status = 'processed'",
                (hashes,),
            ).fetchall()
            found = {h: (float(r), float(p)) for h, r, p in rows}
            if len(found) >= len(hashes):
                break
            time.sleep(0.25)
    return found


def _count(db_url: str, sql: str, *params) -> int:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def _cpu_seconds(procs: list[subprocess.Popen]) -> float:
    """User + system CPU of the application's processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _postgres_cpu() -> float:
    """User + system CPU so far of the PostgreSQL backends serving the scratch database
    (their process title names it; the server is shared with other work, whose backends
    and the server's own background processes are left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes()
            if not title.startswith(b"postgres:") or SCRATCH.encode() not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def store_backlog(db_url: str, count: int, run: str) -> list[str]:
    """Store `count` one-comment deliveries as `webhook_receive` does (its very insert),
    in one transaction; returns their SHA-256s."""
    import psycopg

    rows = []
    now = time.time()
    for n in range(count):
        body = body_for([n], run)
        rows.append((now, body, hashlib.sha256(body).hexdigest(), "received"))
    sql = (  # `platforms.webhooks._RECEIVE_SQL`, the receipt's one statement
        "INSERT INTO platforms_webhookdelivery (received_at, body, sha256, status, attempts, "
        "events, ingested, ignored, unmatched, failed_events, error) VALUES (to_timestamp(%s), "
        "%s, %s, %s, 0, 0, 0, 0, 0, 0, '') ON CONFLICT (sha256) DO NOTHING"
    )
    with psycopg.connect(db_url) as conn, conn.cursor() as cursor:
        cursor.executemany(sql, rows)
    return [h for _, _, h, _ in rows]


def backlog_run(args, db_url: str, env: dict[str, str]) -> None:
    """Store the backlog with no worker running, start the workers, time the catch-up."""
    import psycopg

    hashes = store_backlog(db_url, args.backlog, "bl")
    print(
        f"backlog: {len(hashes)} deliveries of one comment each stored; {args.workers} × "
        f"`ordstyrer worker --interval 0.05`; PostgreSQL; {_load()}"
    )
    pg_cpu = _postgres_cpu()
    started = time.time()
    workers = [
        subprocess.Popen(  # noqa: S603 — our own CLI
            [sys.executable, "-m", "ordstyrer", "worker", "--interval", "0.05"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    loads = []
    warm: tuple[int, float, float] | None = None
    steady_cpu = steady_pg = float("nan")
    try:
        deadline = started + args.catch_up
        with psycopg.connect(db_url, autocommit=True) as conn:
            while time.time() < deadline:
                items = conn.execute(
                    "SELECT count(*) FROM inbox_inboxitem WHERE triaged_at IS NOT NULL"
                ).fetchone()[0]
                loads.append(os.getloadavg()[0])
                if items and not warm:  # the workers are up: CPU from here on, start-up out
                    warm = (items, _cpu_seconds(workers), _postgres_cpu())
                if items >= len(hashes) or any(w.poll() is not None for w in workers):
                    break
                time.sleep(0.1)
            finished = time.time()
            cpu = _cpu_seconds(workers)
            pg = _postgres_cpu() - pg_cpu
            if warm is not None:
                warm_items, warm_cpu, warm_pg = warm
                steady_cpu = (cpu - warm_cpu) / max(items - warm_items, 1)
                steady_pg = (pg + pg_cpu - warm_pg) / max(items - warm_items, 1)
            first, last, processed = conn.execute(
                "SELECT extract(epoch from min(processed_at)), extract(epoch from max(processed_at)),"
                " count(*) FROM platforms_webhookdelivery WHERE sha256 = ANY(%s)"
                " AND status = 'processed'",
                (hashes,),
            ).fetchone()
            dupes = conn.execute(
                "SELECT count(*) - count(DISTINCT platform_id) FROM inbox_inboxitem"
            ).fetchone()[0]
            failed = conn.execute(
                "SELECT count(*) FROM platforms_webhookdelivery WHERE status <> 'processed'"
            ).fetchone()[0]
    finally:
        _stop(workers)
    wall = finished - started
    steady = float(last) - float(first) if processed else float("nan")
    print(
        f"catch-up: {items}/{len(hashes)} in the inbox, triaged, {wall:.1f} s after the "
        f"workers started = {items / wall:,.0f} events/s (start-up included); first to last "
        f"delivery processed {steady:.1f} s = {processed / steady:,.0f} events/s; "
        f"workers' CPU {cpu / max(items, 1) * 1e6:,.0f} µs/event with their start-up, "
        f"{steady_cpu * 1e6:,.0f} µs/event once the first item was in; PostgreSQL's "
        f"{pg / max(items, 1) * 1e6:,.0f} µs/event (its backends; "
        f"{steady_pg * 1e6:,.0f} once the first item was in); {dupes} duplicates, "
        f"{failed} deliveries not processed; load average during the run "
        f"{min(loads):.2f}–{max(loads):.2f}, {_load()}"
    )


def profile_run(args, db_url: str, env: dict[str, str]) -> None:
    """One drain in this process over a stored backlog, under cProfile (`--profile`) or
    not (`--cpu`): the CPU per event (`time.process_time`), the queries per event and,
    profiled, where the time goes (no HTTP, no other worker). COPY statements on
    PostgreSQL pass Django's cursor by, so they are not counted as queries."""
    import cProfile
    import pstats

    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # this tree's code, even from an export
    import django

    django.setup()
    from django.db import connection

    from ordstyrer.platforms import webhooks

    store_backlog(db_url, 20, "warm")  # load the triage model outside the measurement
    webhooks.deliveries_drain()
    hashes = store_backlog(db_url, args.backlog, "prof")
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile()
    pg = _postgres_cpu()
    cpu, wall = time.process_time(), time.time()
    with connection.execute_wrapper(count):
        if args.profile:
            profiler.enable()
        handled = 0
        while handled < len(hashes):
            done = webhooks.deliveries_drain(budget=3600)
            if not done:
                break
            handled += done
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.time() - wall
    pg = _postgres_cpu() - pg
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) - count(DISTINCT platform_id) FROM inbox_inboxitem "
            "WHERE triaged_at IS NOT NULL"
        )
        dupes = cursor.fetchone()[0]
    print(
        f"in-process drain of {handled} one-comment deliveries, distinct comments (batches "
        f"of {webhooks.DRAIN_BATCH}): {wall:.2f} s = {handled / wall:,.0f} events/s, "
        f"{cpu / handled * 1e6:,.0f} µs CPU/event "
        f"({'profiler on' if args.profile else 'no profiler'}), "
        f"PostgreSQL's backend {pg / handled * 1e6:,.0f} µs/event, "
        f"{queries[0] / handled:.2f} queries/event, {dupes} duplicates; {_load()}"
    )
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile_lines)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile_lines)


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per burst")
    parser.add_argument("--batch", type=int, default=10, help="events per POST, batched burst")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=5.0, help="events/s in the paced run")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the paced run")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--workers", type=int, default=0, help="extra `ordstyrer worker`s")
    parser.add_argument(
        "--web",
        type=int,
        default=1,
        help="`ordstyrer serve` processes (the sender spreads its connections over them); "
        "all but the first run --no-worker",
    )
    parser.add_argument(
        "--no-web-worker",
        action="store_true",
        help="serve --no-worker: web and workers in separate processes (needs --workers)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--catch-up", type=float, default=900.0, help="max seconds to wait for the backlog"
    )
    parser.add_argument(
        "--accept-only", action="store_true", help="measure receipt only (skip processing waits)"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="store N one-comment deliveries with no worker running, then time --workers "
        "`ordstyrer worker`s until the inbox holds them all (no web process)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="with --backlog: drain it in this process under cProfile instead of workers",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="with --backlog: drain it in this process without a profiler; CPU per event",
    )
    parser.add_argument("--profile-lines", type=int, default=30)
    args = parser.parse_args()
    if args.backlog and not args.workers and not (args.profile or args.cpu):
        parser.error("--backlog needs --workers 1 or more")
    if args.no_web_worker and not args.workers and not args.accept_only:
        parser.error("--no-web-worker needs --workers 1 or more (or --accept-only)")

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        # Skipped, not failed: status 77, as bench/web.py (`bin/dev bench` counts it so).
        print("skipped: bench/webhooks.py needs PostgreSQL; set DATABASE_URL (…/test is fine)")
        raise SystemExit(77)
    admin_url, db_url = _scratch_url(base)
    _recreate(admin_url)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "META_APP_SECRET": APP_SECRET,
        "META_VERIFY_TOKEN": VERIFY_TOKEN,
        "ORDSTYRER_LOG_LEVEL": "WARNING",
        # This tree's code (also when the benchmark runs from an export of a commit).
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    children: list[subprocess.Popen] = []
    try:
        _run(["migrate", "--noinput"], env)
        _run(["shell", "-c", SETUP], env)
        if args.backlog:
            (profile_run if args.profile or args.cpu else backlog_run)(args, db_url, env)
            return
        ports = [_free_port() for _ in range(args.web)]
        serves = [
            subprocess.Popen(  # noqa: S603 — our own CLI
                [
                    sys.executable,
                    "-m",
                    "ordstyrer",
                    "serve",
                    "--port",
                    str(port),
                    "--threads",
                    str(args.threads),
                    *(["--no-worker"] if args.no_web_worker or index else []),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for index, port in enumerate(ports)
        ]
        children.extend(serves)
        worker = [sys.executable, "-m", "ordstyrer", "worker", "--interval", "0.05"]
        children.extend(
            subprocess.Popen(  # noqa: S603 — our own CLI
                worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for _ in range(args.workers)
        )
        for port, serve in zip(ports, serves, strict=True):
            _wait_ready(port, serve)
        # Warm up: load the triage model in the worker(s) before measuring anything.
        warm = [body_for([n], "warm") for n in range(max(4, args.workers + 1))]
        send(ports, warm, connections=1)
        if not args.accept_only:
            _processed(db_url, [hashlib.sha256(b).hexdigest() for b in warm], timeout=300)
        poll = env.get("ORDSTYRER_WORKER_INTERVAL") or "0.2"
        in_process = (
            "no worker" if args.no_web_worker else f"in-process worker polling every {poll} s"
        )
        topology = (
            f"{args.web} × ordstyrer serve (waitress, {args.threads} threads; the first with "
            f"{in_process}) + "
            f"{args.workers} `ordstyrer worker --interval 0.05`; PostgreSQL; loopback"
        )
        print(topology)

        if not args.accept_only:
            # 1. paced: receipt → triaged latency, on an idle queue
            count = int(args.rate * args.seconds)
            paced = [body_for([n], "p") for n in range(count)]
            _, _, results_p = send(
                ports, paced, connections=4, rate=args.rate, limit=args.seconds + 30
            )
            sent = {h: started for h, started, s in results_p if s == 200}
            done_p = _processed(db_url, list(sent), timeout=600)
            latency = [done_p[h][1] - sent[h] for h in sent if h in done_p]
            server = [done_p[h][1] - done_p[h][0] for h in sent if h in done_p]
            print(
                f"paced {args.rate:g} events/s for {args.seconds:g} s: {len(done_p)}/{count} "
                f"triaged; POST start → triaged inbox item p50 {pct(latency, 0.5) * 1000:.0f} ms, "
                f"p99 {pct(latency, 0.99) * 1000:.0f} ms, max {max(latency) * 1000:.0f} ms "
                f"(stored → triaged p50 {pct(server, 0.5) * 1000:.0f} ms, "
                f"p99 {pct(server, 0.99) * 1000:.0f} ms)"
            )

        # 2a. burst, one event per POST
        bodies = [body_for([n], "b1") for n in range(args.events)]
        print(_load())
        cpu = _cpu_seconds(children)
        begin, end, results = send(ports, bodies, connections=args.connections, limit=120)
        cpu = _cpu_seconds(children) - cpu
        ok = sum(1 for _, _, s in results if s == 200)
        wall = end - begin
        print(
            f"burst, 1 event/POST, {args.connections} connections: {ok}/{len(bodies)} accepted "
            f"in {wall:.2f} s = {ok / wall:,.0f} events/s; application CPU during the burst "
            f"{cpu:.2f} s = {cpu / max(ok, 1) * 1e6:,.0f} µs/event (triage running beside it "
            f"included); {_load()}"
        )
        # 2b. burst, batched like Meta does under load
        n_batches = max(1, args.events // args.batch)
        bodies_b = [
            body_for(list(range(i * args.batch, (i + 1) * args.batch)), "bb")
            for i in range(n_batches)
        ]
        cpu = _cpu_seconds(children)
        begin, end, results_b = send(ports, bodies_b, connections=args.connections, limit=120)
        cpu = _cpu_seconds(children) - cpu
        ok_b = sum(1 for _, _, s in results_b if s == 200)
        wall_b = end - begin
        print(
            f"burst, {args.batch} events/POST: {ok_b * args.batch}/{n_batches * args.batch} "
            f"accepted in {wall_b:.2f} s = {ok_b * args.batch / wall_b:,.0f} events/s "
            f"({ok_b / wall_b:,.0f} requests/s); application CPU "
            f"{cpu / max(ok_b * args.batch, 1) * 1e6:,.0f} µs/event; {_load()}"
        )
        if args.accept_only:
            return

        # 3. the bursts' processing: how fast the backlog is triaged into the inbox
        hashes = [h for h, _, s in results + results_b if s == 200]
        done = _processed(db_url, hashes, timeout=args.catch_up)
        events_done = sum(1 if h in {x for x, _, _ in results} else args.batch for h in done)
        if done:
            first = min(r for r, _ in done.values())
            last = max(p for _, p in done.values())
            print(
                f"burst backlog: {len(done)}/{len(hashes)} deliveries ({events_done} events) "
                f"triaged in {last - first:.1f} s = {events_done / (last - first):,.1f} events/s"
            )
        items = _count(db_url, "SELECT count(*) FROM inbox_inboxitem WHERE triaged_at IS NOT NULL")
        dupes = _count(db_url, "SELECT count(*) - count(DISTINCT platform_id) FROM inbox_inboxitem")
        print(f"inbox: {items} triaged items, {dupes} duplicate platform ids")
    finally:
        _stop(children)
        if not args.keep:
            _drop(admin_url)


if __name__ == "__main__":
    main()
