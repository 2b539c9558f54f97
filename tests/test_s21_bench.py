"""The benchmarks never write into the installation's database: `bin/dev bench` on the
default set-up used to leave «Benkemark kommune» (50 active simulated channels, a
million items, an account with a known password) in the demo's own SQLite file, which
`bin/dev start` serves and its worker polls. They run in a scratch database of their
own; one that needs PostgreSQL and has none says so and exits 77 (skipped)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SLUG = "bench-inbox"


def _bench(name: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`bench/NAME.py` on the default set-up (no DATABASE_URL), its data directory and
    temporary directory under `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        ORDSTYRER_DATA_DIR=str(tmp_path / "data"),
        TMPDIR=str(tmp_path / "tmp"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    (tmp_path / "tmp").mkdir()
    return subprocess.run(  # noqa: S603 - our own benchmark
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _municipalities(database: Path) -> list[str]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "tenants_municipality" not in tables:
            return []
        return [row[0] for row in db.execute("SELECT slug FROM tenants_municipality")]


def test_the_inbox_benchmark_leaves_the_installations_database_alone(tmp_path):
    result = _bench("inbox", "120", "--requests", "1", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "worst p95" in result.stdout  # it ran, on data of its own
    assert BENCH_SLUG not in _municipalities(tmp_path / "data" / "ordstyrer.sqlite3")
    # Its scratch file (kept for the next run: same N reused) holds the bench data.
    assert BENCH_SLUG in _municipalities(tmp_path / "tmp" / "ordstyrer-bench-inbox.sqlite3")


def test_the_web_tier_benchmark_without_postgresql_is_skipped_not_failed(tmp_path):
    result = _bench("web", tmp_path=tmp_path)
    assert result.returncode == 77, result.stderr[-3000:]
    assert result.stdout.startswith("skipped: ")
    assert "DATABASE_URL" in result.stdout and len(result.stdout.splitlines()) == 1
    assert not (tmp_path / "data" / "ordstyrer.sqlite3").exists()
