"""An evaluation that can be trusted (issue #16): the labelled comments are split by post,
test inputs are not training rows, and the OFF/NOT head only ever suggests hiding (MO-1,
HS-02)."""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import numpy as np
import pytest

from ordstyrer.language.classify import CATEGORIES, OFFENSIVE_CAP, load_model, with_offensive
from ordstyrer.language.train import comments as train_comments
from ordstyrer.language.triage import CONFIDENT, triage
from ordstyrer.policy import load_policy

TESTS = Path(__file__).resolve().parent
HARASSMENT = CATEGORIES.index("harassment")
HATE = CATEGORIES.index("hate_speech")


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return train_comments.load_jsonl(train_comments.LABELLED)


@pytest.fixture(scope="module")
def authored() -> list[dict]:
    """Every batch of authored rows: the fast path's and the reading model's."""
    return train_comments.load_authored(train_comments.ENCODER_AUTHORED_FILES)


def _near(a: str, b: str, ratio: float) -> bool:
    if abs(len(a) - len(b)) > (1 - ratio) * 2 * max(len(a), len(b)):
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() > ratio and matcher.ratio() > ratio


def test_split_keeps_each_post_on_one_side(labelled: list[dict]) -> None:
    sides: dict[str, set[bool]] = {}
    for row in labelled:
        sides.setdefault(row.get("post_text") or "", set()).add(train_comments.held_out(row))
    sides.pop("", None)  # comments without a post: grouped in runs of ids instead
    assert all(len(s) == 1 for s in sides.values())
    held = sum(map(train_comments.held_out, labelled))
    assert 0.1 * len(labelled) < held < 0.3 * len(labelled)

    # Near-identical comments are written under the same post: none crosses the split
    # (one- and two-word replies such as "Ok" or an emoji aside).
    def texts(side: bool) -> set[str]:
        norms = (_norm(r["text"]) for r in labelled if train_comments.held_out(r) is side)
        return {t for t in norms if len(t.split()) >= 3}

    assert not texts(True) & texts(False)


def test_comments_without_post_are_grouped_in_runs() -> None:
    a = {"id": "c0531", "text": "x"}
    b = {"id": "c0539", "text": "y"}
    c = {"id": "c0541", "text": "z"}
    assert train_comments.post_group(a) == train_comments.post_group(b)
    assert train_comments.post_group(a) != train_comments.post_group(c)
    post = {"id": "c0531", "text": "x", "post_text": "Biblioteket stenger."}
    assert train_comments.post_group(post) == "post:Biblioteket stenger."


def _test_strings() -> list[tuple[str, str]]:
    out = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if len(node.value.split()) >= 3 and "\n" not in node.value:
                    out.append((path.name, node.value))
    return out


def test_test_inputs_are_not_training_rows(labelled: list[dict], authored: list[dict]) -> None:
    """No text a language test feeds the model is (nearly) a training row: neither a
    labelled comment nor an authored hard case (issue #16)."""
    rows = [_norm(r["text"]) for r in labelled + authored]
    close = [
        (name, text, row)
        for name, text in _test_strings()
        for row in rows
        if _near(_norm(text), row, 0.9)
    ]
    assert not close


def test_near_copy_check_catches_a_copied_row(labelled: list[dict]) -> None:
    """The check above is not vacuous: a training row with its case, punctuation and one
    letter changed is caught."""
    row = next(r["text"] for r in labelled if len(r["text"].split()) >= 6)
    edited = row.upper().replace(" ", "  ") + "!"
    edited = edited[:-3] + ("x" if edited[-3] != "X" else "y") + edited[-2:]
    assert any(_near(_norm(edited), _norm(r["text"]), 0.9) for r in labelled)


def test_authored_rows_are_training_only_and_not_copies_of_held_out_rows(
    labelled: list[dict], authored: list[dict]
) -> None:
    """Authored hard cases are marked, never held out, and none is a near-copy of a
    held-out comment (they were written without reading the held-out posts)."""
    assert authored
    assert all(r.get("source") == "authored" for r in authored)
    assert not any(map(train_comments.held_out, authored))
    held = [_norm(r["text"]) for r in labelled if train_comments.held_out(r)]
    held = [h for h in held if len(h.split()) >= 3]
    close = [a["id"] for a in authored for h in held if _near(_norm(a["text"]), h, 0.8)]
    assert not close
    ids = [r["id"] for r in labelled + authored]
    assert len(ids) == len(set(ids))


def test_probe_set_is_never_trained_on(labelled: list[dict], authored: list[dict]) -> None:
    """The probe set of comments naming groups (`train.probe`) is a test set: no training
    command lists it, and no training row is a near-copy of one of its comments."""
    from ordstyrer.language.train import probe

    rows = train_comments.load_jsonl(probe.PROBE)
    assert len(rows) == 200
    assert all(r.get("source") == "probe" for r in rows)
    assert probe.PROBE not in train_comments.ENCODER_AUTHORED_FILES
    assert set(train_comments.AUTHORED_FILES) <= set(train_comments.ENCODER_AUTHORED_FILES)
    probes = [_norm(r["text"]) for r in rows]
    probes = [p for p in probes if len(p.split()) >= 3]
    close = [
        t["id"] for t in labelled + authored for p in probes if _near(_norm(t["text"]), p, 0.8)
    ]
    assert not close


def test_probe_figures_count_false_alarms_and_recall() -> None:
    """The probe's figures: hate speech said of a friendly comment is a false alarm; the
    product's OFF rule also counts a harassment label or a score ≥ 0.5."""
    from ordstyrer.language.train import probe

    rows = [
        {"labels": ["praise"]},
        {"labels": ["question"]},
        {"labels": ["hate_speech"]},
        {"labels": ["hate_speech", "complaint"]},
    ]
    low = dict.fromkeys(CATEGORIES, 0.0)
    found = [
        (("hate_speech",), low),
        (("question",), {**low, "harassment": 0.6}),
        (("hate_speech",), low),
        (("complaint",), low),
    ]
    out = probe.figures(rows, found)
    assert (out["benign"], out["hateful"]) == (2, 2)
    assert out["false_hate"] == 0.5
    assert out["false_off"] == 1.0
    assert out["hate_recall"] == 0.5
    assert out["per_category"]["hate_speech"] == (2 * 1 / (2 + 2), 2)


def test_offensive_head_lifts_harassment_to_its_threshold_and_no_further() -> None:
    thresholds = [0.5] * len(CATEGORIES)
    thresholds[HARASSMENT] = 0.4
    probs = np.full((3, len(CATEGORIES)), 0.05)
    probs[2, HATE] = 0.9  # already hate speech: not also called harassment
    offensive = np.array([0.999, 0.2, 0.999])
    out = with_offensive(probs, offensive, 0.3, thresholds)
    assert 0.4 <= out[0, HARASSMENT] <= OFFENSIVE_CAP < CONFIDENT
    assert out[1, HARASSMENT] == pytest.approx(0.05)  # below the head's threshold
    assert out[2, HARASSMENT] == pytest.approx(0.05)
    # only the harassment column changes
    assert np.array_equal(np.delete(out, HARASSMENT, axis=1), np.delete(probs, HARASSMENT, axis=1))


def test_shipped_model_has_the_offensive_head() -> None:
    model = load_model()
    assert model.offensive_proba(["hold kjeft din patetiske taper"]) is not None
    assert "split by post" in model.meta["protocol"]


def test_offensive_insult_is_hidden_for_review() -> None:
    """An insult with no § 185 ground: harassment, hidden — deleting stays an editor's call."""
    result = triage(
        "hold kjeft din patetiske taper, ingen gidder å høre på deg", policy=load_policy("rennebu")
    )
    assert "harassment" in result.labels
    assert result.action in {"hide", "delete_allowed"}


@pytest.mark.parametrize(
    "text",
    [
        "Takk til Ingrid, Håkon og Sunniva på helsestasjonen for god hjelp i dag",
        "Kor lenge er ungdomsklubben open på laurdagane no i vinter?",
    ],
)
def test_friendly_comments_are_not_offensive(text: str) -> None:
    result = triage(text, policy=load_policy("rennebu"))
    assert not {"harassment", "hate_speech"} & set(result.labels)
    assert result.action not in {"hide", "delete_allowed"}


def test_selection_folds_never_split_a_post(labelled: list[dict]) -> None:
    """Calibration and thresholds are chosen on out-of-fold scores of unseen posts: the
    inner folds keep every post (and every run of post-less comments) in one fold."""
    from ordstyrer.language.train.model import grouped_folds, row_group

    rows = [r for r in labelled if not train_comments.held_out(r)]
    y = np.asarray(["question" in r["labels"] for r in rows], dtype=int)
    groups = [row_group(r) for r in rows]
    folds = grouped_folds(y, groups, n_splits=3, seed=1)
    seen: dict[str, set[int]] = {}
    for k, (_, test_idx) in enumerate(folds):
        for i in test_idx:
            seen.setdefault(groups[i], set()).add(k)
    assert all(len(v) == 1 for v in seen.values())
    assert sorted(i for _, t in folds for i in t) == list(range(len(rows)))
    # the ungrouped folds of before did split posts
    plain = grouped_folds(y, None, n_splits=3, seed=1)
    split: dict[str, set[int]] = {}
    for k, (_, test_idx) in enumerate(plain):
        for i in test_idx:
            split.setdefault(groups[i], set()).add(k)
    assert any(len(v) > 1 for v in split.values())


def test_fallback_gives_the_best_answering_category_and_never_a_harmful_one() -> None:
    """A comment under every threshold gets the answering category with the highest score
    (issue #16); a harmful label comes only from its own threshold (MO-1)."""
    from ordstyrer.language.classify import ANSWERING, decide_labels

    thresholds = [0.5] * len(CATEGORIES)
    probs = np.full((3, len(CATEGORIES)), 0.1)
    probs[0, HATE] = 0.45  # highest score, but harmful and under its threshold
    probs[0, CATEGORIES.index("complaint")] = 0.3
    probs[1, CATEGORIES.index("question")] = 0.7  # passes: nothing added
    probs[2, CATEGORIES.index("praise")] = 0.2
    plain = decide_labels(probs, thresholds)
    assert plain.tolist() == (probs >= 0.5).tolist()
    labels = decide_labels(probs, thresholds, fallback=True)
    assert [CATEGORIES[j] for j in np.flatnonzero(labels[0])] == ["complaint"]
    assert [CATEGORIES[j] for j in np.flatnonzero(labels[1])] == ["question"]
    assert [CATEGORIES[j] for j in np.flatnonzero(labels[2])] == ["praise"]
    assert set(ANSWERING).isdisjoint({"hate_speech", "harassment", "spam", "sensitive"})
    assert decide_labels(np.zeros((0, len(CATEGORIES))), thresholds, fallback=True).shape == (
        0,
        len(CATEGORIES),
    )


def test_predicted_labels_follow_the_shipped_models_fallback_flag() -> None:
    from ordstyrer.language.classify import predicted_labels

    model = load_model()
    low = dict.fromkeys(CATEGORIES, 0.0)
    assert bool(predicted_labels(low)) is model.label_fallback


def test_offensive_head_rows_are_chosen_by_name() -> None:
    """The OFF/NOT head's in-house rows (chosen by cross-validation on DKHATE train)."""
    from ordstyrer.language.train.model import CommentModel

    rows = [
        {"text": "a", "labels": ["harassment"]},
        {"text": "b", "labels": ["praise"]},
        {"text": "c", "labels": ["hate_speech"], "source": "authored"},
    ]
    dk = [("x", 1), ("y", 0)]
    for inhouse, texts, off in (
        ("all", ["x", "y", "a", "b", "c"], [1, 0, 1, 0, 1]),
        ("labelled", ["x", "y", "a", "b"], [1, 0, 1, 0]),
        ("offensive", ["x", "y", "a", "c"], [1, 0, 1, 1]),
        ("none", ["x", "y"], [1, 0]),
    ):
        got, y, is_dk = CommentModel.offensive_training(rows, dk, inhouse)
        assert got == texts
        assert y.tolist() == off
        assert is_dk.tolist() == [True, True] + [False] * (len(texts) - 2)
    with pytest.raises(ValueError, match="unknown"):
        CommentModel.offensive_training(rows, dk, "some")


def test_predicted_labels_fallback_agrees_with_decide_labels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ordstyrer.language.classify import decide_labels, predicted_labels

    model = load_model()
    monkeypatch.setattr(model, "label_fallback", True)
    rng = np.random.default_rng(7)
    for row in rng.uniform(0.0, 0.6, size=(50, len(CATEGORIES))):
        scores = dict(zip(CATEGORIES, row.tolist(), strict=True))
        expected = decide_labels(row[None, :], model.thresholds, fallback=True)[0]
        assert predicted_labels(scores) == [
            c for c, on in zip(CATEGORIES, expected, strict=True) if on
        ]
