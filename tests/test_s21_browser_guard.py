"""Browser tests without a browser: skipped loudly on a developer's machine, failed in CI
(non-negotiable: never a skip in CI). The CI guard used to be a marker added at
collection, which pytest ignores (an item's fixtures are fixed when it is made), so
CI ran the tests into Playwright's «download a browser» error instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
A_BROWSER_TEST = "tests/browser/test_s20_crisis_log_page.py"


def _run_without_chromium(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "ORDSTYRER_CHROMIUM"}}
    env["PATH"] = str(tmp_path)  # nothing on it: no chromium to find
    if ci:
        env["CI"] = "true"
    return subprocess.run(  # noqa: S603 - this interpreter running our own test suite
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", A_BROWSER_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_in_ci_a_missing_browser_fails_every_browser_test(tmp_path):
    result = _run_without_chromium(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "CI needs Debian's chromium" in result.stdout
    assert "playwright install" not in result.stdout
    assert " passed" not in result.stdout and "skipped" not in result.stdout


def test_elsewhere_a_missing_browser_skips_loudly(tmp_path):
    result = _run_without_chromium(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "NO BROWSER" in result.stdout
    assert "skipped" in result.stdout
