"""TF-IDF n-grams and linear models in plain numpy: what the shipped models run on.

scikit-learn trains the models (`ordstyrer.language.train`); at run time importing it
(and scipy) takes seconds, so the trained vectorisers and coefficients are exported
to `.npz` files and scored here. `NgramTfidf.transform` gives the same numbers as
scikit-learn's `TfidfVectorizer(lowercase=True, sublinear_tf=True, norm="l2")` for
the analysers used here (`word` with a token pattern and `char_wb`), which the tests
check against scikit-learn itself.

Speed: a comment's character n-grams are the n-grams of its words, so the feature
indices of each distinct word are computed once and cached; a batch is then counted,
weighted and normalised with a handful of numpy calls.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

_CACHE_LIMIT = 200_000  # distinct words kept per vectoriser before the cache is cleared


class SparseRows:
    """Row-compressed sparse matrix: the slices of `indices`/`values` between `indptr`."""

    __slots__ = ("indices", "indptr", "n_features", "values")

    def __init__(
        self, indptr: np.ndarray, indices: np.ndarray, values: np.ndarray, n_features: int
    ) -> None:
        self.indptr, self.indices, self.values = indptr, indices, values
        self.n_features = n_features

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """`self @ weights` for a dense (n_features, k) matrix."""
        k = weights.shape[1]
        out = np.zeros((self.n_rows, k), dtype=np.float64)
        if not len(self.indices):
            return out
        contributions = weights[self.indices] * self.values.astype(weights.dtype)[:, None]
        starts = self.indptr[:-1]
        filled = self.indptr[1:] > starts
        out[filled] = np.add.reduceat(contributions, starts[filled], axis=0)
        return out

    def toarray(self) -> np.ndarray:
        dense = np.zeros((self.n_rows, self.n_features), dtype=np.float64)
        rows = np.repeat(np.arange(self.n_rows), np.diff(self.indptr))
        dense[rows, self.indices] = self.values
        return dense


class NgramTfidf:
    """A fitted TF-IDF vectoriser (word n-grams or char_wb n-grams), numpy only."""

    def __init__(
        self,
        analyzer: str,
        ngram_range: tuple[int, int],
        vocabulary: Sequence[str],
        idf: np.ndarray,
        token_pattern: str | None = None,
    ) -> None:
        if analyzer not in {"word", "char_wb"}:
            raise ValueError(f"unsupported analyzer {analyzer!r}")
        self.analyzer = analyzer
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.terms = list(vocabulary)
        self.vocabulary = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.token_pattern = token_pattern
        self._token_re = re.compile(token_pattern) if token_pattern else None
        self._cache: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    @property
    def n_features(self) -> int:
        return len(self.terms)

    # --- analysers (the same n-grams as scikit-learn) --------------------------------

    def _char_wb_ids(self, word: str) -> tuple[int, ...]:
        vocabulary = self.vocabulary
        padded = f" {word} "
        length = len(padded)
        ids = []
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            offset = 0
            term = vocabulary.get(padded[0:n])
            if term is not None:
                ids.append(term)
            while offset + n < length:
                offset += 1
                term = vocabulary.get(padded[offset : offset + n])
                if term is not None:
                    ids.append(term)
            if offset == 0:  # a word shorter than n is counted once
                break
        return tuple(ids)

    def _word_ids(self, text: str) -> list[int]:
        tokens = self._token_re.findall(text)  # type: ignore[union-attr]
        lo, hi = self.ngram_range
        grams: list[str] = tokens if lo == 1 else []
        if lo <= 2 <= hi:
            grams = grams + list(map(" ".join, zip(tokens, tokens[1:], strict=False)))
        for n in range(max(lo, 3), min(hi, len(tokens)) + 1):
            grams = grams + [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return [i for i in map(self.vocabulary.get, grams) if i is not None]

    def _ids(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        """Feature indices of every text, concatenated, and how many each text has."""
        flat: list[int] = []
        lengths: list[int] = []
        if self.analyzer == "word":
            for text in texts:
                ids = self._word_ids(text.lower())
                flat += ids
                lengths.append(len(ids))
            return flat, lengths
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            with self._lock:
                cache.clear()
        for text in texts:
            before = len(flat)
            for word in text.lower().split():
                known = cache.get(word)
                if known is None:
                    known = cache[word] = self._char_wb_ids(word)
                flat += known
            lengths.append(len(flat) - before)
        return flat, lengths

    # --- TF-IDF --------------------------------------------------------------------

    def transform(self, texts: Sequence[str]) -> SparseRows:
        """Sublinear TF × IDF, each row L2-normalised (rows without known n-grams stay 0)."""
        flat, lengths = self._ids(texts)
        n_docs = len(lengths)
        n_features = self.n_features
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        keys, counts = np.unique(
            doc_of * n_features + np.asarray(flat, dtype=np.int64), return_counts=True
        )
        docs = keys // n_features
        indices = keys - docs * n_features
        values = (1.0 + np.log(counts)) * self.idf[indices]
        norms = np.sqrt(np.bincount(docs, weights=values * values, minlength=n_docs))
        values /= norms[docs]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs, minlength=n_docs), out=indptr[1:])
        return SparseRows(indptr, indices, values, n_features)

    # --- storage -------------------------------------------------------------------

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        joined = "\n".join(self.terms)
        if joined.count("\n") != len(self.terms) - 1:
            raise ValueError("a vocabulary term contains a newline")
        return {
            f"{prefix}.analyzer": np.array(self.analyzer),
            f"{prefix}.ngram_range": np.asarray(self.ngram_range, dtype=np.int64),
            f"{prefix}.vocabulary": np.frombuffer(joined.encode("utf-8"), dtype=np.uint8),
            f"{prefix}.idf": self.idf.astype(np.float32),
            f"{prefix}.token_pattern": np.array(self.token_pattern or ""),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> NgramTfidf:
        terms = arrays[f"{prefix}.vocabulary"].tobytes().decode("utf-8").split("\n")
        return cls(
            str(arrays[f"{prefix}.analyzer"]),
            tuple(arrays[f"{prefix}.ngram_range"]),
            terms,
            arrays[f"{prefix}.idf"],
            str(arrays[f"{prefix}.token_pattern"]) or None,
        )

    @classmethod
    def from_sklearn(cls, vectorizer) -> NgramTfidf:  # noqa: ANN001 - TfidfVectorizer
        """Export a fitted scikit-learn `TfidfVectorizer` (only the settings used here)."""
        params = vectorizer.get_params()
        expected = {
            "lowercase": True,
            "sublinear_tf": True,
            "norm": "l2",
            "use_idf": True,
            "strip_accents": None,
            "stop_words": None,
            "preprocessor": None,
            "tokenizer": None,
            "binary": False,
        }
        for key, value in expected.items():
            if params[key] != value:
                raise ValueError(f"cannot export TfidfVectorizer with {key}={params[key]!r}")
        terms = [""] * len(vectorizer.vocabulary_)
        for term, i in vectorizer.vocabulary_.items():
            terms[i] = term
        pattern = params["token_pattern"] if params["analyzer"] == "word" else None
        return cls(params["analyzer"], params["ngram_range"], terms, vectorizer.idf_, pattern)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **cast(dict[str, Any], arrays))  # numpy's stub: kwargs as bool


def load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}
