"""Train the comment classifier shipped as `models/comments.npz` (DI-3…DI-12, MO-1).

Three linear models on TF-IDF word and character n-grams:
- offensive language, from DKHATE (Danish, CC BY 4.0);
- polarity (positive/negative/neutral), from NoReC_sentence 3-class (models may be used
  commercially, see its README);
- the multi-label comment categories, from the hand-written set in
  `ordstyrer/language/data/comments.jsonl`, editors' corrections (`--corrections FILE`,
  JSONL lines `{"text", "labels", "hate_ground"?, "municipality"?}`; repeatable), and
  the two models above as extra features. Scores are calibrated (Platt, 3-fold).

Run: `python -m ordstyrer.language.train.comments [--corrections FILE ...] [--select-c C ...]
[--cv-folds N]`; `--select-c` chooses the categories'
C by cross-validation grouped by post on the training posts (else C = 6, chosen so). Seeds
are fixed. It also fits the OFF/NOT head (DKHATE train + the in-house comments that
`model.OFFENSIVE_INHOUSE` names, hate_speech/harassment = OFF) that `classify` folds into
the harassment score. `--select-offensive` compares the head's in-house rows and C by
cross-validation on DKHATE train + the training posts (it prints, it does not choose).
It prints the selection protocol (issue #16), the choices made out of fold on the
training part, and then, once, the dev figures: OFF/NOT macro-F1 on a fixed 20 % DKHATE
dev split carved from its train file (through the product's rule), NoReC polarity
macro-F1 on its dev file, per-category F1 on the held-out fifth of the *posts*; then
it refits on all labelled comments and writes the artefact as arrays
(`models/comments.npz`, scored with numpy at run time; the export is checked against
scikit-learn's own scores). The cascade's reading model is trained by `train.cascade`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ordstyrer.language import linear
from ordstyrer.language.classify import CATEGORIES, HATE_GROUNDS, decide_labels
from ordstyrer.language.train.model import (
    OFFENSIVE_C,
    OFFENSIVE_INHOUSE,
    CommentModel,
    row_group,
)
from ordstyrer.shared import SHARED_DATA

DEFAULT_DATA = SHARED_DATA
PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PACKAGE / "models" / "comments.npz"
LABELLED = PACKAGE / "data" / "comments.jsonl"
# Hard cases written for issue #16 (dialect, sarcasm, quoted hate in a complaint, lists of
# names in praise, lower case without punctuation): training side only, never held out;
# checked by tests/language/test_evaluation.py (no near-copy of a held-out comment). The
# first batch trained the models shipped until 6 Dec 2026; the second and third (the
# third by four writers from the labelling guide alone) trained the retrained models that
# were read and not shipped, and the fine-tuned cascade (`train.cascade`); the fourth
# (6 Dec 2026, evening) was written against what a QA pass on fresh comments found: neutral
# mentions of faiths, peoples and minorities, complaints quoting hate, praise naming staff,
# links to the municipality's own site and contact details, look-alike words; the fifth
# (6 Dec 2026, late) against the false alarms the probe set measures (`train.probe`):
# friendly comments naming faiths, peoples and minorities, hate without slurs, staff
# praised by name, contact details that are not spam. The probe set is never listed here.
# The fast path is trained on the first four (the model shipped since 6 Dec 2026, 18:32, so
# this command reproduces it); the fifth did not move the fast path's false alarms enough
# (its rule failed, docs/language.md "The fifth try") and trains only the reading model
# (`train.cascade`), which reads the sentence those rows were written for.
AUTHORED_FILES = tuple(
    PACKAGE / "data" / name
    for name in (
        "comments_authored.jsonl",
        "comments_authored_2.jsonl",
        "comments_authored_3.jsonl",
        "comments_authored_4.jsonl",
    )
)
ENCODER_AUTHORED_FILES = (*AUTHORED_FILES, PACKAGE / "data" / "comments_authored_5.jsonl")


def load_authored(files: Sequence[Path] = AUTHORED_FILES) -> list[dict]:
    """The authored rows of `files`: by default the fast path's batches."""
    return [row for path in files for row in load_jsonl(path)]


SEED = 20240611
# The categories' regularisation: C = 2 and 6 gave 0.753 and 0.754 macro-F1 in 5-fold
# cross-validation grouped by post on the training posts (5 Dec 2026, with 419 and 374 of
# the authored rows); `--select-c`
# repeats such a comparison and uses the best.
DEFAULT_C = 6.0
# With it, a comment with no category at or over its threshold gets the best answering
# category (`classify.decide_labels`; the model's meta carries the flag). 5-fold CV grouped
# by post on the training posts, the first two authored batches, 6 Dec 2026: macro-F1
# 0.798 -> 0.802 (not re-run with the third and fourth batches).
LABEL_FALLBACK = True


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        labels = row.get("labels")
        if not isinstance(row.get("text"), str) or not isinstance(labels, list):
            raise ValueError(f"{path}:{n}: trenger «text» og «labels»")
        unknown = set(labels) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{path}:{n}: ukjente kategorier {sorted(unknown)}")
        ground = row.get("hate_ground")
        if ground is not None and ground not in HATE_GROUNDS:
            raise ValueError(f"{path}:{n}: ukjent hate_ground {ground!r}")
        rows.append(row)
    return rows


def post_group(row: dict) -> str:
    """The post a labelled comment belongs to (`model.row_group`): all comments under one
    post stay on the same side of the split."""
    return row_group(row)


def held_out(row: dict) -> bool:
    """A stable fifth of the posts (not of the comments), chosen by a hash of the post.
    Authored training rows (`comments_authored.jsonl`) are never held out."""
    if row.get("source") == "authored":
        return False
    digest = hashlib.sha256(post_group(row).encode()).digest()
    return digest[0] % 5 == 0


def load_dkhate(data: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    with (data / "dkhate" / "offenseval-da-training-v1.tsv").open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        rows = [
            (row[1], int(row[-1] == "OFF"))
            for row in reader
            if len(row) >= 3 and row[-1] in {"OFF", "NOT"} and row[1] != "[deleted]"
        ]
    rng = random.Random(SEED)  # noqa: S311 - a reproducible split, not security
    rng.shuffle(rows)
    cut = len(rows) // 5
    return rows[cut:], rows[:cut]


def load_norec(data: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    base = data / "norec_sentence" / "3class"
    train = [(r["text"], r["label"]) for r in json.loads((base / "train.json").read_text("utf-8"))]
    dev = [(r["text"], r["label"]) for r in json.loads((base / "dev.json").read_text("utf-8"))]
    return train, dev


def macro_f1(gold: list, pred: list) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro"))


def offensive_labels(scores: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """OFF as the product shows it: hate_speech or harassment among the labels, or either
    score ≥ 0.5 (the rule the independent test measurement of issue #16 used)."""
    idx = [CATEGORIES.index("hate_speech"), CATEGORIES.index("harassment")]
    sub = scores[:, idx]
    return np.any((sub >= np.asarray(thresholds)[idx]) | (sub >= 0.5), axis=1).astype(int)


def category_figures(
    scores: np.ndarray, rows: list[dict], thresholds: list[float], *, fallback: bool = False
) -> dict:
    """Per-category F1 (labels as the product gives them, `classify.decide_labels`), their
    macro mean and top-category accuracy (the top category is one of the gold labels)."""
    from sklearn.metrics import f1_score

    out = {}
    labels = decide_labels(scores, thresholds, fallback=fallback)
    for j, cat in enumerate(CATEGORIES):
        gold = [cat in r["labels"] for r in rows]
        out[cat] = float(f1_score(gold, labels[:, j], zero_division=0.0))
    out["macro"] = float(np.mean([out[c] for c in CATEGORIES]))
    top = scores.argmax(axis=1)
    out["top_accuracy"] = float(
        np.mean([CATEGORIES[k] in r["labels"] for k, r in zip(top, rows, strict=True)])
    )
    return out


def print_categories(figures: dict[str, dict], rows: list[dict]) -> None:
    cols = list(figures)
    print("  " + f"{'category':16s} support " + " ".join(f"{c:>10s}" for c in cols))  # noqa: T201
    for cat in (*CATEGORIES, "macro", "top_accuracy"):
        support = sum(cat in r["labels"] for r in rows) if cat in CATEGORIES else ""
        cells = " ".join(f"{figures[c][cat]:10.3f}" for c in cols)
        print(f"  {cat:16s} {support!s:>7s} {cells}")  # noqa: T201


def post_folds(rows: list[dict], folds: int) -> np.ndarray:
    """Each row's fold: whole posts (`post_group`) dealt round the folds in a seeded order."""
    groups = sorted({post_group(r) for r in rows})
    random.Random(SEED).shuffle(groups)  # noqa: S311 - reproducible folds
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    return np.asarray([fold_of[post_group(r)] for r in rows])


def grouped_oof_labels(
    rows: list[dict],
    extra: list[dict],
    *,
    c: float,
    folds: int,
    aux_rows: dict,
) -> dict[bool, np.ndarray]:
    """Each row's labels from a model fit without its post (`folds`-fold CV grouped by
    post), without (False) and with (True) the fallback label; `extra` rows (authored,
    corrections) are in every fitting part and never scored."""
    fold = post_folds(rows, folds)
    pred = {on: np.zeros((len(rows), len(CATEGORIES)), dtype=bool) for on in (False, True)}
    for k in range(folds):
        fit_rows = [r for r, f in zip(rows, fold, strict=True) if f != k] + extra
        model = CommentModel.fit(fit_rows, **aux_rows, seed=SEED, c=c)
        scored = np.flatnonzero(fold == k)
        scores = model.predict_proba([rows[i]["text"] for i in scored])
        for on, labels in pred.items():
            labels[scored] = decide_labels(scores, model.thresholds, fallback=on)
    return pred


def grouped_cv(
    rows: list[dict],
    extra: list[dict],
    *,
    c: float,
    folds: int,
    aux_rows: dict,
) -> dict[str, float]:
    """Per-category F1 and their macro mean in `folds`-fold cross-validation on `rows`,
    folds grouped by post (`grouped_oof_labels`). Training data only: the held-out posts
    are not passed in. "macro" is with the fallback label as `LABEL_FALLBACK` says,
    "macro_plain" without and "macro_fallback" with it."""
    from sklearn.metrics import f1_score

    pred = grouped_oof_labels(rows, extra, c=c, folds=folds, aux_rows=aux_rows)
    out = {}
    for j, cat in enumerate(CATEGORIES):
        gold = [cat in r["labels"] for r in rows]
        out[cat] = float(f1_score(gold, pred[LABEL_FALLBACK][:, j], zero_division=0.0))
    out["macro"] = float(np.mean([out[cat] for cat in CATEGORIES]))
    for on, name in ((False, "macro_plain"), (True, "macro_fallback")):
        out[name] = float(
            np.mean(
                [
                    f1_score([cat in r["labels"] for r in rows], pred[on][:, j], zero_division=0.0)
                    for j, cat in enumerate(CATEGORIES)
                ]
            )
        )
    return out


def offensive_cv(
    rows: list[dict],
    extra: list[dict],
    dk_train: list[tuple[str, int]],
    polarity_rows: list[tuple[str, str]],
    *,
    variants: list[tuple[str, float]],
    folds: int,
) -> dict[tuple[str, float], float]:
    """The OFF/NOT head's in-house rows and C by cross-validation on training data only:
    fold k leaves out the k-th fifth of DKHATE train (stratified) and of the training
    posts (grouped); the vectorisers and the head (with its own out-of-fold threshold)
    are fit on the rest plus `extra`; the figure is DKHATE macro-F1 on the left-out
    DKHATE rows at the head's own threshold."""
    from sklearn.model_selection import StratifiedKFold

    fold = post_folds(rows, folds)
    dk_y = np.asarray([y for _, y in dk_train])
    dk_fold = np.zeros(len(dk_train), dtype=int)
    splits = StratifiedKFold(folds, shuffle=True, random_state=SEED).split(dk_y, dk_y)
    for k, (_, part) in enumerate(splits):
        dk_fold[part] = k
    pred = {v: np.zeros(len(dk_train), dtype=int) for v in variants}
    for k in range(folds):
        fit_rows = [r for r, f in zip(rows, fold, strict=True) if f != k] + extra
        dk_fit = [d for d, f in zip(dk_train, dk_fold, strict=True) if f != k]
        model = CommentModel()
        corpus = [r["text"] for r in fit_rows] + [t for t, _ in dk_fit + polarity_rows]
        model.word.fit(corpus)
        model.char.fit(corpus)
        left = np.flatnonzero(dk_fold == k)
        x_left = model._text_matrix([dk_train[i][0] for i in left])  # noqa: SLF001
        for inhouse, c in variants:
            model.offensive_inhouse = inhouse
            model._fit_offensive_head(fit_rows, dk_fit, seed=SEED, c=c)  # noqa: SLF001
            scores = model.offensive_head.predict_proba(x_left)[:, 1]  # type: ignore[union-attr]
            pred[(inhouse, c)][left] = scores >= model.offensive_threshold
    return {v: macro_f1(list(dk_y), list(p)) for v, p in pred.items()}


PROTOCOL = """Selection protocol (issue #16): every choice is made on training data only.
  - in-house comments: split BY POST (all comments under one post on one side; comments
    without a post in runs of ten ids); a stable fifth of the posts is held out.
  - DKHATE (Danish, a proxy for Norwegian): a fixed 20 % dev split of its train file
    (seeded shuffle); never used to fit or select anything.
  - authored hard cases (data/comments_authored.jsonl: dialect, sarcasm, quoted hate
    in a complaint, names in praise, lower case) and editors' corrections are training
    rows only; none is a near-copy of a held-out comment (tests/language check it).
  - category thresholds and Platt calibration and the OFF/NOT head's threshold: chosen
    on out-of-fold (3-fold) scores of the
    training part, folds GROUPED BY POST (a post never in both the fitting and the
    scoring folds), DKHATE rows one group each.
  - regularisation (C = 6 for the categories) was compared by 5-fold cross-validation
    grouped by post on the training part only (scratch runs, see docs/language.md);
    so were the fallback label (the best answering category when no category reaches
    its threshold; LABEL_FALLBACK) and the OFF/NOT head's in-house rows and C (5-fold CV
    on DKHATE train + the training posts; model.OFFENSIVE_INHOUSE, OFFENSIVE_C); other
    feature settings are fixed in the code.
  - the figures below are measured once, on the held-out posts and the DKHATE dev
    split, after all choices were made; the shipped model is then refit on all
    labelled comments (the DKHATE dev split stays out of it)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tren kategoriseringen av kommentarer.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--corrections",
        type=Path,
        action="append",
        default=[],
        help="JSONL med redaktørenes rettelser (kan gjentas, én fil per kommune)",
    )
    parser.add_argument(
        "--select-c",
        type=float,
        nargs="+",
        default=None,
        help="velg C for kategoriene ved kryssvalidering gruppert på innlegg (kun treningsdata)",
    )
    parser.add_argument(
        "--select-offensive",
        action="store_true",
        help="sammenlign OFF/NOT-hodets treningsrader og C ved kryssvalidering (kun treningsdata)",
    )
    parser.add_argument("--cv-folds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.cv_folds < 2:
        parser.error("--cv-folds må være minst 2")
    started = time.monotonic()
    try:
        labelled = load_jsonl(LABELLED)
        authored = load_authored()
        corrections = [row for path in args.corrections for row in load_jsonl(path)]
        dk_train, dk_dev = load_dkhate(args.data)
        nr_train, nr_dev = load_norec(args.data)
    except (OSError, ValueError, KeyError) as exc:
        print(f"Kan ikke lese treningsdata: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(PROTOCOL)  # noqa: T201

    aux_rows: dict[str, Any] = {"offensive_rows": dk_train, "polarity_rows": nr_train}
    train_rows = [r for r in labelled if not held_out(r)] + authored + corrections
    test_rows = [r for r in labelled if held_out(r)]
    n_posts = len({post_group(r) for r in test_rows})
    print(  # noqa: T201
        f"  in-house: {len(train_rows)} training comments ({len(authored)} authored hard "
        f"cases, {len(corrections)} editors' corrections), {len(test_rows)} held out "
        f"({n_posts} posts/runs); DKHATE: {len(dk_train)} train, {len(dk_dev)} dev"
    )

    c = DEFAULT_C
    if args.select_c:
        own_train = [r for r in labelled if not held_out(r)]
        cv = {
            value: grouped_cv(
                own_train, authored + corrections, c=value, folds=args.cv_folds, aux_rows=aux_rows
            )
            for value in args.select_c
        }
        for value, cv_figures in cv.items():
            print(  # noqa: T201
                f"  C = {value:g}: macro-F1 {cv_figures['macro_plain']:.3f} without the fallback "
                f"label, {cv_figures['macro_fallback']:.3f} with it, in {args.cv_folds}-fold CV "
                "grouped by post on the training posts (selection data, not dev)"
            )
        c = max(cv, key=lambda value: cv[value]["macro"])
    if args.select_offensive:
        own_train = [r for r in labelled if not held_out(r)]
        variants = [(m, v) for m in ("all", "labelled", "offensive", "none") for v in (2, 4, 8)]
        found = offensive_cv(
            own_train,
            authored + corrections,
            dk_train,
            nr_train,
            variants=[(m, float(v)) for m, v in variants],
            folds=args.cv_folds,
        )
        for (inhouse, value), f1 in found.items():
            print(  # noqa: T201
                f"  OFF/NOT head, DKHATE train + in-house rows '{inhouse}', C = {value:g}: "
                f"DKHATE macro-F1 {f1:.3f} in {args.cv_folds}-fold CV (selection data, not dev)"
            )
    print(  # noqa: T201
        f"  categories: C = {c:g}, fallback label {'on' if LABEL_FALLBACK else 'off'}; OFF/NOT "
        f"head: DKHATE train + in-house rows '{OFFENSIVE_INHOUSE}', C = {OFFENSIVE_C:g}"
    )

    def fit(rows: list[dict]) -> CommentModel:
        return CommentModel.fit(rows, **aux_rows, seed=SEED, c=c)

    split_model = fit(train_rows)
    split_scorer = split_model.export(check_texts=[r["text"] for r in test_rows])
    print(  # noqa: T201
        f"Chosen out of fold on train: OFF threshold {split_model.offensive_threshold:.2f}; "
        "category thresholds "
        + ", ".join(f"{c} {t:.2f}" for c, t in zip(CATEGORIES, split_model.thresholds, strict=True))
    )
    print(  # noqa: T201
        "  OFF/NOT head on DKHATE train, out of fold (selection data, not dev): "
        + ", ".join(f"{k} {v:.3f}" for k, v in split_model.offensive_selection.items())
    )
    test_texts = [r["text"] for r in test_rows]
    figures = {
        "fast": category_figures(
            split_scorer.predict_proba(test_texts),
            test_rows,
            split_scorer.thresholds,
            fallback=LABEL_FALLBACK,
        )
    }

    all_rows = labelled + authored + corrections
    final = fit(all_rows)
    # The export is checked against scikit-learn on the labelled texts and the dev sets.
    checks = [r["text"] for r in all_rows] + [t for t, _ in dk_dev] + [t for t, _ in nr_dev]
    scorer = final.export(check_texts=checks)
    dk_texts, dk_gold = [t for t, _ in dk_dev], [y for _, y in dk_dev]
    off = {
        "fast": macro_f1(
            dk_gold, list(offensive_labels(scorer.predict_proba(dk_texts), scorer.thresholds))
        )
    }
    aux_f1 = macro_f1(dk_gold, list(scorer.offensive_predict(dk_texts)))
    pol_f1 = macro_f1([y for _, y in nr_dev], list(scorer.polarity_predict([t for t, _ in nr_dev])))

    print("\nDEV FIGURES (measured once, after selection):")  # noqa: T201
    print(  # noqa: T201
        f"DKHATE dev split (n={len(dk_dev)}), OFF/NOT macro-F1 of the shipped model, OFF = "
        f"hate_speech or harassment labelled or scored >= 0.5: fast path {off['fast']:.3f}"
    )
    print(f"DKHATE dev split, the auxiliary DKHATE-only feature model: {aux_f1:.3f}")  # noqa: T201
    print(f"NoReC polarity macro-F1 (dev): {pol_f1:.3f}")  # noqa: T201
    print(f"Categories on the held-out posts (n={len(test_rows)}), model fit on the rest:")  # noqa: T201
    print_categories(figures, test_rows)

    final.meta = {
        "labelled": len(labelled),
        "authored": len(authored),
        "categories_c": c,
        "label_fallback": LABEL_FALLBACK,
        "offensive_head": {"inhouse": OFFENSIVE_INHOUSE, "c": OFFENSIVE_C},
        "corrections": len(corrections),
        "protocol": "issue #16: split by post; thresholds out of fold on train; dev once",
        "dkhate_dev_offensive_macro_f1": {k: round(v, 4) for k, v in off.items()},
        "dkhate_aux_macro_f1": round(aux_f1, 4),
        "norec_polarity_macro_f1": round(pol_f1, 4),
        "heldout_category_f1": {
            m: {k: round(v, 4) for k, v in f.items()} for m, f in figures.items()
        },
        "heldout_n": len(test_rows),
    }
    linear.save_npz(args.out, final.to_arrays())
    print(f"trained in {time.monotonic() - started:.0f} s -> {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
