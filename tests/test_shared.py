"""The shared folder is found beside the checkout, wherever the checkout is."""

from __future__ import annotations

import importlib
from pathlib import Path

import ordstyrer.shared


def test_the_shared_folder_is_beside_the_checkout_and_holds_the_guidelines() -> None:
    checkout = Path(__file__).resolve().parents[1]
    assert ordstyrer.shared.CHECKOUT == checkout
    assert ordstyrer.shared.SHARED == checkout.parent / "shared"
    assert (ordstyrer.shared.SHARED / "spec" / "rules.md").is_file()
    assert ordstyrer.shared.SHARED_DATA == ordstyrer.shared.SHARED / "data"


def test_ordstyrer_shared_points_elsewhere(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ORDSTYRER_SHARED", str(tmp_path))
    try:
        assert importlib.reload(ordstyrer.shared).SHARED_DATA == tmp_path / "data"
    finally:
        monkeypatch.delenv("ORDSTYRER_SHARED")
        importlib.reload(ordstyrer.shared)
