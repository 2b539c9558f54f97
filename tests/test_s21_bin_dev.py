"""`bin/dev`, the README's two commands' entry point, on a machine that is not as it
expects: a half-made virtual environment is not used for ever after, and `bin/dev
bench` with a wrong name says so instead of running every benchmark with defaults."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dev(*args: str, venv: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if venv is not None:
        env["ORDSTYRER_VENV"] = str(venv)
    return subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "bin" / "dev"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_python_without_pip_that_is_no_venv_is_named_not_used(tmp_path):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    result = _dev("lint", venv=tmp_path)
    assert result.returncode == 2
    assert "has a python without pip and is not a virtual environment" in result.stderr
    assert python.exists()  # not a venv of ours: left alone


def test_an_unknown_benchmark_is_refused_with_the_names():
    result = _dev("bench", "archve")
    assert result.returncode == 2
    assert "No benchmark named «archve»" in result.stderr
    assert "archive" in result.stderr and "==> bench/" not in result.stdout
