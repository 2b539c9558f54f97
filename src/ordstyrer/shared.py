"""The project's shared folder: the public data the language models are built from, the
municipalities' guidelines and the specifications. It lies beside the checkout
(`../shared`); a clone made elsewhere (CI clones into a temporary directory) finds the
workplace's copy at `/work/shared`; `ORDSTYRER_SHARED` points anywhere else. Only the
training scripts, the benchmarks and the tests read it; the product never does."""

from __future__ import annotations

import os
from pathlib import Path

# src/ordstyrer/shared.py -> the checkout is two folders up from the package.
CHECKOUT = Path(__file__).resolve().parents[2]
CANDIDATES = (CHECKOUT.parent / "shared", Path("/work/shared"))


def _find() -> Path:
    configured = os.environ.get("ORDSTYRER_SHARED")
    if configured:
        return Path(configured)
    return next((path for path in CANDIDATES if path.is_dir()), CANDIDATES[0])


SHARED = _find()
SHARED_DATA = SHARED / "data"
