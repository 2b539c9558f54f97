"""The shared folder is found from any clone: beside it, or the workplace's copy."""

from __future__ import annotations

import importlib
from pathlib import Path

import ordstyrer.shared


def test_the_shared_folder_is_found_and_holds_the_guidelines() -> None:
    assert ordstyrer.shared.CHECKOUT == Path(__file__).resolve().parents[1]
    assert ordstyrer.shared.SHARED in ordstyrer.shared.CANDIDATES
    assert (ordstyrer.shared.SHARED / "spec" / "rules.md").is_file()
    assert ordstyrer.shared.SHARED_DATA == ordstyrer.shared.SHARED / "data"


def test_ordstyrer_shared_points_elsewhere(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ORDSTYRER_SHARED", str(tmp_path))
    try:
        assert importlib.reload(ordstyrer.shared).SHARED_DATA == tmp_path / "data"
    finally:
        monkeypatch.delenv("ORDSTYRER_SHARED")
        importlib.reload(ordstyrer.shared)
