"""The numpy scoring engine gives scikit-learn's numbers; the fast signals match their regexes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ordstyrer.language import features, linear, sensitive
from ordstyrer.language.classify import CATEGORIES, load_model

CORPUS = [
    "Når åpner biblioteket igjen etter ferien?",
    "Kor lenge er ungdomsklubben open på laurdagane no i vinter?",
    "Tusen takk til brøytemannskapet, dere gjør en kjempejobb!",
    "Gratis iPhone til de 100 første som klikker her www.vinn-na.shop",
    "ok",
    "",
    "   ",
    "a b c d e f g a b c",
    "HØRTE at skolen skal legges ned?? stemmer det",
    "Eg trur ikkje det er rett, kommunen må svare 🙂",
    "Ring Kari Nordmann på 912 34 567 eller kari@nordmann.no",
]


@pytest.mark.parametrize(
    "kw",
    [
        {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
        {"analyzer": "char_wb", "ngram_range": (3, 5)},
        {"analyzer": "char_wb", "ngram_range": (1, 4), "max_features": 200},
    ],
)
def test_tfidf_matches_scikit_learn(kw: dict) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    fitted = TfidfVectorizer(sublinear_tf=True, **kw).fit(CORPUS[:6])
    ours = linear.NgramTfidf.from_sklearn(fitted)
    got = ours.transform(CORPUS).toarray()
    assert np.allclose(got, fitted.transform(CORPUS).toarray(), atol=1e-6)
    # Cached words give the same rows the second time, one text at a time too.
    again = np.vstack([ours.transform([t]).toarray() for t in CORPUS])
    assert np.allclose(again, got, atol=1e-12)


def test_tfidf_round_trip_and_dot() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
    ours = linear.NgramTfidf.from_sklearn(fitted.fit(CORPUS))
    loaded = linear.NgramTfidf.from_arrays(ours.to_arrays("x"), "x")
    assert loaded.terms == ours.terms
    rows = loaded.transform(CORPUS)
    weights = np.random.default_rng(1).normal(size=(rows.n_features, 3)).astype(np.float32)
    assert np.allclose(rows.dot(weights), rows.toarray() @ weights, atol=1e-5)


def test_unsupported_vectorizer_is_refused() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    with pytest.raises(ValueError, match="sublinear_tf"):
        linear.NgramTfidf.from_sklearn(TfidfVectorizer().fit(CORPUS))


def test_exported_comment_model_matches_scikit_learn() -> None:
    from ordstyrer.language.train.model import CommentModel

    rows = [
        {"id": str(i), "text": f"{t} {i}", "labels": [CATEGORIES[i % len(CATEGORIES)]]}
        for i, t in enumerate(CORPUS * 6)
    ]
    offensive = [(t, i % 2) for i, t in enumerate(CORPUS * 2)]
    polarity = [(t, ["Positive", "Negative", "Neutral"][i % 3]) for i, t in enumerate(CORPUS * 2)]
    model = CommentModel.fit(rows, offensive_rows=offensive, polarity_rows=polarity, seed=1)
    scorer = model.export(check_texts=CORPUS)  # raises if the scores differ
    assert np.allclose(scorer.predict_proba(CORPUS), model.predict_proba(CORPUS), atol=1e-5)
    assert list(scorer.offensive_predict(CORPUS)) == list(model.offensive_predict(CORPUS))
    assert list(scorer.polarity_predict(CORPUS)) == list(model.polarity_predict(CORPUS))


def test_shipped_model_has_no_scikit_learn_at_run_time() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from ordstyrer.language import classify, standard, pii;"
        "classify.classify(['Når åpner biblioteket?']); standard.detect_standard('hei på deg');"
        "pii.find_personal_data('Når åpner biblioteket?');"
        "print(sorted(m for m in ('sklearn', 'scipy', 'spacy') if m in sys.modules))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_shipped_thresholds_cover_every_category() -> None:
    model = load_model()
    assert len(model.thresholds) == len(CATEGORIES)
    assert all(0.0 < t < 1.0 for t in model.thresholds)


TRICKY = [
    *CORPUS,
    "www.X.NO", "se HTTP://x", "a-.com", "--.com", "x.Com!", "bit.ly/abc", "t.me/kanal",
    "100 KR", "100kr", "10%", "10 %", "Gratis!", "tjene penger", "50,- pr stk",
    "RYKTER sier", "Folk sier at", "noen sier", "stemmer det?", "Er det sant", "alle veit",
    "visstnok", "@kari", "a@b.c", "ǅ", "ⒶⒷ abc", "hørte2 ting",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_prefiltered_signals_equal_their_regexes(text: str) -> None:
    values = dict(zip(features.FEATURE_NAMES, features.dense_features(text), strict=True))
    assert values["url"] == bool(features._URL.search(text))  # noqa: SLF001
    assert values["money"] == bool(features._MONEY.search(text))  # noqa: SLF001
    assert values["rumour_cue"] == bool(features._RUMOUR.search(text))  # noqa: SLF001
    assert values["email"] == bool(features._EMAIL.search(text))  # noqa: SLF001
    assert values["mention"] == bool(features._MENTION.search(text))  # noqa: SLF001


@pytest.mark.parametrize(
    "text",
    ["Han har MS og KOLS", "ms er ikke MS", "hun er dement", "Demensen", "LAR-pasient",
     "lar-programmet", "er medlem av Frp", "FrP-velger", "innlagt på psykiatrisk",
     "Ingenting her", "ALS-syk", "als"],
)  # fmt: skip
def test_letter_grouped_patterns_match_like_plain_alternations(text: str) -> None:
    for kind, groups in (
        ("health", [*sensitive._LAY_HEALTH.values()]),  # noqa: SLF001
        ("special", [*sensitive._SPECIAL.values()]),  # noqa: SLF001
    ):
        plain = "|".join(p for ps in groups for p in ps)
        reference = re.compile(sensitive._B + "(?:" + plain + ")" + sensitive._E, re.I)  # noqa: SLF001
        cased = kind == "health" and re.search(r"\b(MS|ALS|KOLS|HIV|CP|ME|ADD|LAR)\b", text)
        if not cased:
            found = sensitive.signal_pattern(kind).search(text)
            expected = reference.search(text)
            assert (found and found.span()) == (expected and expected.span())
