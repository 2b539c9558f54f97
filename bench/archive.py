"""Benchmark the archive: appends/s with the chain, verify time, export throughput and memory.

Runs in a scratch database made like the test database (PostgreSQL:
`bench_archive_<pid>` on the server DATABASE_URL points at; SQLite: a temporary file),
migrated, then dropped — the archive is append-only, so the benchmark never writes into a real one.

    appends   N single appends, each in its own transaction and committed before the
              next starts, with an idempotency key as the moderation services give;
              then N each inside a caller's transaction (as a moderation action calls
              it); then the same in batches of 100 per transaction. Beside them, from
              the same run: the commit ceiling (N empty one-row transactions) and the
              insert ceiling (N records computed beforehand, each inserted and
              committed on its own: an append without reading the head or building
              the record). The single appends and the commit ceiling also give their
              CPU per operation, this process's and (PostgreSQL on this host) its
              backend's: on a machine shared with other work the rates say little.
              Then appends from 4 threads (connections) on 4 municipalities, and from
              2 and 4 threads on one municipality's chain (each append committed on
              its own; the threads take turns on the chain head)
    verify    a chain of V records (made in bulk with the same canonical form and
              hashes as archive_append), `verify_chain` timed, projected to 1,000,000
    render    R PDF/A-2b renderings (WeasyPrint), per second
    export    `ordstyrer archive export --format noark5-uttrekk` of E records in a process
              of its own: throughput and peak RSS; the records' PDF/A documents are made
              beforehand (one rendering copied into each row), so the figure is the
              export's own cost

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/archive.py [--appends N] [--verify V] [--export E] [--render R]
      (0 skips a part: `--verify 0 --export 0 --render 0` measures the appends alone)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ORDSTYRER_ACCESS_LOG_LEVEL", "WARNING")  # readable output

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

GOALS = {"appends": 1500.0, "verify_1m": 60.0, "export_mb": 256.0}
T0 = datetime(2025, 5, 16, 8, 0, tzinfo=UTC)


def entry(municipality, index: int, **kw):
    from ordstyrer.archive.entry import ArchiveEntry, ContextItem, Kind, Person

    text = f"Kommentar nr. {index}: Dette er spam, kjøp billige klokker på nettet nå!"
    values = {
        "municipality": municipality,
        "kind": Kind.DELETED_COMMENT,
        "text": text,
        "author": Person(f"Bruker {index}", str(100000 + index), f"https://fb.example/{index}"),
        "channel_name": "Benchby kommune",
        "platform": "facebook",
        "post_id": "1_2",
        "item_id": f"1_2_{index}",
        "permalink": f"https://www.facebook.com/1/posts/2?comment_id={index}",
        "post_text": "Velkommen til 17. mai-feiring på torget kl. 11.",
        "context": (ContextItem("Kari Li", "Gleder meg!", T0),),
        "created_at": T0,
        "raw": {"id": f"1_2_{index}", "message": text, "from": {"id": str(100000 + index)}},
        "action": "delete",
        "ground": "spam",
        "justification": "Reklame.",
    }
    values.update(kw)
    return ArchiveEntry(**values)


def bench_appends(municipality, n: int) -> dict:
    from ordstyrer.archive.services import archive_append

    def keyed(index: int):
        return entry(municipality, index, idempotency_key=f"moderation:delete:{index}")

    archive_append(actor=None, entry=keyed(0))  # warm up (head row, caches)
    start, cpu = time.perf_counter(), _cpu()
    for index in range(1, n + 1):
        archive_append(actor=None, entry=keyed(index))
    single = n / (time.perf_counter() - start)
    single_cpu = _cpu_per(cpu, n)
    start = time.perf_counter()
    for index in range(n + 1, 2 * n + 1):
        with transaction.atomic():
            archive_append(actor=None, entry=keyed(index))
    in_transaction = n / (time.perf_counter() - start)
    start = time.perf_counter()
    done = 0
    while done < n:
        with transaction.atomic():
            for _ in range(min(100, n - done)):
                done += 1
                archive_append(actor=None, entry=keyed(2 * n + done))
    batched = n / (time.perf_counter() - start)
    return {
        "appends_per_s": round(single),
        **{f"append_{name}": value for name, value in single_cpu.items()},
        "appends_per_s_in_callers_transaction": round(in_transaction),
        "appends_per_s_batched_100": round(batched),
    }


def bench_commit_ceiling(n: int) -> dict:
    """How many one-row transactions the database commits per second on this machine:
    the ceiling for appends that each commit on their own (fsync per commit)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit (id integer)")
    start, cpu = time.perf_counter(), _cpu()
    for index in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit (id) VALUES (%s)", [index])
    return {
        "commits_per_s_ceiling": round(n / (time.perf_counter() - start)),
        **{f"commit_{name}": value for name, value in _cpu_per(cpu, n).items()},
    }


def _cpu() -> tuple[float, float | None]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (None
    where the backend's /proc entry cannot be read: SQLite, another host)."""
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return time.process_time(), backend


def _cpu_per(before: tuple[float, float | None], n: int) -> dict:
    """CPU milliseconds per operation since `before`, client and database backend: on a
    machine shared with other work they say more than the rates do."""
    client, backend = _cpu()
    figures = {"client_cpu_ms": round((client - before[0]) * 1000 / n, 3)}
    if backend is not None and before[1] is not None:
        figures["backend_cpu_ms"] = round((backend - before[1]) * 1000 / n, 3)
    return figures


def bench_parallel(n: int, threads: int, *, one_chain: bool = False) -> dict:
    """Appends from several threads, each on a connection of its own: one municipality
    each (chains of different municipalities never wait for each other; their commits
    can share an fsync), or all on one municipality's chain (they take turns on its
    head, the moderation workers' case: each append still commits on its own)."""
    from django.db import connections

    from ordstyrer.archive.services import archive_append
    from ordstyrer.tenants.models import Municipality

    label = f"one-chain-{threads}" if one_chain else "par"
    towns = [
        Municipality.objects.create(slug=f"bench-{label}-{i}", name="Benchby", preset="indre-fosen")
        for i in range(1 if one_chain else threads)
    ]

    def work(number: int) -> None:
        town = towns[0 if one_chain else number]
        try:
            for index in range(n):
                key = f"moderation:delete:{number}:{index}"
                archive_append(actor=None, entry=entry(town, index, idempotency_key=key))
        finally:
            connections.close_all()

    archive_append(actor=None, entry=entry(towns[0], -1))  # the head exists
    workers = [threading.Thread(target=work, args=(number,)) for number in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - start
    if one_chain:
        return {f"appends_per_s_one_chain_{threads}_connections": round(n * threads / took)}
    return {f"appends_per_s_{threads}_municipalities_in_parallel": round(n * threads / took)}


def chained_records(municipality, count: int):
    """`count` records that continue the municipality's chain: the same body, canonical
    form and hash as archive_append gives them."""
    from ordstyrer.archive.canonical import chain_hash, seal
    from ordstyrer.archive.models import ArchiveRecord, ChainHead
    from ordstyrer.archive.services import build_body

    head = ChainHead.objects.get_or_create(municipality=municipality)[0]
    prev, sequence = head.head_hash, head.sequence
    for index in range(count):
        sequence += 1
        at = T0 + timedelta(seconds=index)
        body = build_body(
            entry=entry(municipality, sequence),
            actor=None,
            sequence=sequence,
            archived_at=at,
            files=[],
            title=f"Slettet kommentar fra Bruker {sequence} på Benchby kommune – Spam",
            public_title="Slettet kommentar på Benchby kommune",
            direction="I",
        )
        columns, canonical = seal(body)
        digest = chain_hash(prev, canonical)
        yield ArchiveRecord(
            municipality=municipality, **columns, canonical=canonical, prev_hash=prev, hash=digest
        )
        prev = digest


def bench_insert_ceiling(municipality, n: int) -> dict:
    """The records alone, computed beforehand, each inserted and committed on its own:
    what an append costs without reading the head and building the record."""
    rows = list(chained_records(municipality, n))
    start = time.perf_counter()
    for row in rows:
        row.save(force_insert=True)
    return {"inserts_per_s_ceiling": round(n / (time.perf_counter() - start))}


def make_chain(municipality, count: int, *, batch: int = 5000) -> None:
    """A valid chain made in bulk (`chained_records`), the head set at the end."""
    from ordstyrer.archive.models import ArchiveRecord, ChainHead

    rows: list = []
    for row in chained_records(municipality, count):
        rows.append(row)
        if len(rows) == batch:
            ArchiveRecord.objects.bulk_create(rows)
            rows.clear()
    if rows:
        ArchiveRecord.objects.bulk_create(rows)
    last = ArchiveRecord.objects.filter(municipality=municipality).order_by("-sequence").first()
    ChainHead.objects.filter(pk=municipality.pk).update(sequence=last.sequence, head_hash=last.hash)


def bench_verify(municipality, count: int) -> dict:
    from ordstyrer.archive.chain import verify_chain

    start = time.perf_counter()
    make_chain(municipality, count)
    made = time.perf_counter() - start
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    report = verify_chain(municipality.pk)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    if not report.ok or report.records != count:
        raise SystemExit(f"verify failed on a chain made for the benchmark: {report.problems}")
    return {
        "verify_records": count,
        "verify_s": round(took, 2),
        "verify_cpu_s": round(cpu, 2),
        "verify_records_per_s": round(count / took),
        "verify_1m_projected_s": round(took * 1_000_000 / count, 1),
        "chain_made_in_s": round(made, 1),
    }


def bench_render(municipality, count: int) -> dict:
    from ordstyrer.archive.pdf import render_record_pdf
    from ordstyrer.archive.services import archive_append

    record = archive_append(actor=None, entry=entry(municipality, 999_999))
    render_record_pdf(record)  # fonts and WeasyPrint warmed up
    start = time.perf_counter()
    for _ in range(count):
        pdf = render_record_pdf(record)
    took = time.perf_counter() - start
    return {"render_per_s": round(count / took, 2), "render_pdf_bytes": len(pdf)}


def bench_export(municipality, count: int) -> dict:
    from ordstyrer.archive.canonical import sha256_hex
    from ordstyrer.archive.models import ArchiveRecord, ArchiveRendering
    from ordstyrer.archive.pdf import render_record_pdf, renderer_name

    make_chain(municipality, count)
    records = ArchiveRecord.objects.filter(municipality=municipality, rendering__isnull=True)
    sample = render_record_pdf(records.first())
    digest = sha256_hex(sample)
    ids = list(records.values_list("id", flat=True))
    for offset in range(0, len(ids), 2000):
        ArchiveRendering.objects.bulk_create(
            ArchiveRendering(
                record_id=pk,
                pdf=sample,
                size=len(sample),
                sha256=digest,
                renderer=renderer_name(),
                rendered_at=T0,
            )
            for pk in ids[offset : offset + 2000]
        )
    del ids
    gc.collect()
    total = ArchiveRecord.objects.filter(municipality=municipality).count()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "uttrekk"
        # The real command in a process of its own: its peak RSS is what a municipality's
        # export needs (this process holds the benchmark's own data).
        command = [
            sys.executable,
            "-m",
            "ordstyrer",
            "archive",
            "export",
            "--municipality",
            municipality.slug,
            "--format",
            "noark5-uttrekk",
            "--since",
            "2000-01-01",
            "--until",
            "2100-01-01",
            "--out",
            str(out),
        ]
        env = {**os.environ, "DATABASE_URL": _scratch_url(), "PYTHONPATH": str(ROOT / "src")}
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)  # noqa: S603
        # The child's own high-water mark (VmHWM of its address space after exec);
        # ru_maxrss would still count this process's memory, copied at fork.
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, _hwm_kb(child.pid))
            time.sleep(0.2)
        took = time.perf_counter() - start
        status = child.returncode
        output = child.stdout.read().decode() if child.stdout else ""
        if status != 0:
            raise SystemExit(f"the export command failed ({status}): {output}")
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if f"Eksporterte {total} arkivposter" not in output:
        raise SystemExit(f"exported something else than {total} records: {output}")
    return {
        "export_records": total,
        "export_s": round(took, 1),
        "export_records_per_s": round(total / took),
        "export_mb_written": round(size / 1e6, 1),
        "export_peak_rss_mb": round(peak_kb / 1024),
    }


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _scratch_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--verify", type=int, default=100_000)
    parser.add_argument("--render", type=int, default=10)
    parser.add_argument("--export", type=int, default=20_000)
    args = parser.parse_args()

    if connection.vendor == "sqlite":
        # A file, as the embedded default uses (Django would use memory for a test database).
        scratch = Path(tempfile.mkdtemp()) / "bench-archive.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(scratch)
    else:
        # A name of its own: never the `test_<name>` database a running test suite uses.
        connection.settings_dict["TEST"]["NAME"] = f"bench_archive_{os.getpid()}"
    old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        from ordstyrer.tenants.models import Municipality

        figures: dict = {"database": connection.vendor, "load_average": os.getloadavg()[0]}

        def town(slug: str) -> Municipality:
            return Municipality.objects.create(slug=slug, name="Benchby", preset="indre-fosen")

        # The export first, while the process holds no more than an export run needs.
        if args.export:
            figures.update(bench_export(town("bench-export"), args.export))
        appends = town("bench-append")
        if args.appends:  # --appends 0: the other figures alone
            figures.update(bench_appends(appends, args.appends))
            figures.update(bench_commit_ceiling(args.appends))
            figures.update(bench_insert_ceiling(town("bench-insert"), args.appends))
            if connection.vendor == "postgresql":
                figures.update(bench_parallel(args.appends // 4, 4))
                for threads in (2, 4):
                    figures.update(bench_parallel(args.appends // threads, threads, one_chain=True))
        if args.verify:
            figures.update(bench_verify(town("bench-verify"), args.verify))
        if args.render:
            figures.update(bench_render(appends, args.render))
        figures["load_average_after"] = os.getloadavg()[0]
    finally:
        teardown_databases(old, verbosity=0)
    goals = {}
    if "appends_per_s" in figures:
        goals["appends_per_s >= 1500"] = figures["appends_per_s"] >= GOALS["appends"]
    # Judged on the sizes the goals name; a smaller run says it only projects.
    if args.verify >= 1_000_000:
        goals["verify_1m_s < 60"] = figures["verify_s"] < GOALS["verify_1m"]
    elif args.verify:
        goals["verify_1m_s < 60 (projected)"] = (
            figures["verify_1m_projected_s"] < GOALS["verify_1m"]
        )
    if args.export:
        name = "export_100k_peak_rss_mb < 256" + (
            " (smaller export)" if args.export < 100_000 else ""
        )
        goals[name] = figures["export_peak_rss_mb"] < GOALS["export_mb"]
    figures["goals"] = goals
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
