"""Every command works on a fresh data directory (issue #14, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ORDSTYRER = str(Path(sys.executable).with_name("ordstyrer"))


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update({"ORDSTYRER_DATA_DIR": str(data_dir), **env})
    return subprocess.run(  # noqa: S603
        [ORDSTYRER, *args], env=environ, capture_output=True, text=True, timeout=300, check=False
    )


def test_demo_setup_on_a_fresh_data_dir_migrates_first(tmp_path):
    result = _run(["demo-setup"], tmp_path / "data")

    assert result.returncode == 0, result.stderr
    assert "Oppdaterer databasen" in result.stderr
    assert "Demokommunen «demo» er klar" in result.stdout
    assert "Traceback" not in result.stderr

    again = _run(["demo-setup"], tmp_path / "data")
    assert again.returncode == 0, again.stderr
    assert "Oppdaterer databasen" not in again.stderr


def test_production_mode_says_what_to_run_instead_of_migrating(tmp_path):
    (tmp_path / "data").mkdir()
    result = _run(
        ["demo-setup"],
        tmp_path / "data",
        ORDSTYRER_PRODUCTION="true",
        ORDSTYRER_SECRET_KEY="a-real-secret-key-for-this-test-only-0123456789-abcdefghij",
        ORDSTYRER_SECURE_COOKIES="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/data/ordstyrer.sqlite3",  # production needs one
        ORDSTYRER_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",  # and mail
        ORDSTYRER_EMAIL_HOST="127.0.0.1",
        ORDSTYRER_FROM_EMAIL="ordstyrer@kommune.no",
        ORDSTYRER_BASE_URL="https://ordstyrer.kommune.no",
    )

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and "kjør «ordstyrer migrate» først" in lines[0]
