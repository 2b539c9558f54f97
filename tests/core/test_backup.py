"""Backup and restore of a whole installation (issue #14, item 7): back up, wipe,
restore, and the archive chains still verify and end where they did.

Runs the real commands in a process of their own against a database of their own: a
fresh SQLite data directory, or — in the PostgreSQL pass (DATABASE_URL set) — a scratch
database on the same server.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ORDSTYRER = str(Path(sys.executable).with_name("ordstyrer"))
SERVER_URL = os.environ.get("DATABASE_URL", "")


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on DATABASE_URL's server; dropped afterwards."""
    import psycopg

    name = f"ordstyrer_backup_{secrets.token_hex(4)}"
    base, _, _ = SERVER_URL.rpartition("/")
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wipe(url: str, data_dir: Path) -> None:
    import shutil

    shutil.rmtree(data_dir)
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")


@pytest.fixture
def installation(tmp_path) -> Iterator[tuple[dict[str, str], Path]]:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ORDSTYRER_DATA_DIR"] = str(data_dir)
    if SERVER_URL.startswith("postgres"):
        with scratch_database() as url:
            env["DATABASE_URL"] = url
            yield env, data_dir
    else:
        yield env, data_dir


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [ORDSTYRER, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_back_up_wipe_restore_and_the_archive_still_verifies(installation, tmp_path):
    env, data_dir = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "demo-setup").returncode == 0
    (data_dir / "media").mkdir(parents=True, exist_ok=True)
    (data_dir / "media" / "plakat.txt").write_text("17. mai i Rissa")
    before = run(env, "archive", "verify", "--municipality", "demo")
    assert before.returncode == 0, before.stderr

    made = run(env, "backup", "create", "--out", str(tmp_path / "kopi.tar"))
    assert made.returncode == 0, made.stderr
    assert "arkivposter" in made.stdout

    wipe(env.get("DATABASE_URL", ""), data_dir)
    restored = run(env, "backup", "restore", str(tmp_path / "kopi.tar"))
    assert restored.returncode == 0, restored.stderr
    assert "arkivkjedene er kontrollert" in restored.stdout

    after = run(env, "archive", "verify", "--municipality", "demo")
    assert after.returncode == 0, after.stderr
    assert after.stdout.split("siste hash")[1] == before.stdout.split("siste hash")[1]
    assert (data_dir / "media" / "plakat.txt").read_text() == "17. mai i Rissa"

    # A second restore over live data needs --replace: nothing is overwritten by mistake.
    again = run(env, "backup", "restore", str(tmp_path / "kopi.tar"))
    assert again.returncode != 0
    assert "--replace" in again.stderr and "Traceback" not in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_touched(installation, tmp_path):
    env, _ = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    bad = tmp_path / "skadet.tar"
    bad.write_bytes(b"not a tar file")

    result = run(env, "backup", "restore", str(bad), "--replace")

    assert result.returncode != 0
    assert "ikke en lesbar tar-fil" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_place_for_the_backup_is_one_line(installation, tmp_path):
    env, _ = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    for out in ("/proc/kopi.tar", str(tmp_path / "finnes-ikke" / "kopi.tar")):
        result = run(env, "backup", "create", "--out", out)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
