"""The project's shared folder: the public data the language models are built from, the
municipalities' guidelines and the specifications. It lies beside the checkout
(`../shared`); `ORDSTYRER_SHARED` points elsewhere. Only the training scripts, the
benchmarks and the tests read it; the product at run time never does."""

from __future__ import annotations

import os
from pathlib import Path

# src/ordstyrer/shared.py -> the checkout is two folders up from the package.
CHECKOUT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ORDSTYRER_SHARED") or CHECKOUT.parent / "shared")
SHARED_DATA = SHARED / "data"
