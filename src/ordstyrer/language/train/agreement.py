"""How far a second, blind labelling of the comments agrees with the labelled set (#16).

The categories' "done when" asks for macro-F1 ≥ 0.90 on the held-out posts. A model
cannot honestly agree with the gold labels more than a careful second annotator does,
so this measures that ceiling: a second annotator labelled comments from the labelled
set with only the text, the post and `docs/labelling-guide.md` in front of them (never
the gold labels, never the model's output). Their labels are in
`data/second_annotator.jsonl` (`{"id", "labels"}` a line; no text, the ids point into
`comments.jsonl`). This prints, for the training posts and the held-out posts
separately, the per-category F1 and macro-F1 of the second labelling against the gold
labels (the same measure as `comments.category_figures`), with a 90 % interval from
resampling whole posts.

Run: `python -m ordstyrer.language.train.agreement [--with-model]`; `--with-model` also
scores the shipped recipe's out-of-fold labels (5-fold CV grouped by post on the
training posts, as `comments.grouped_cv`) on the same training-post rows, so model and
annotator are compared on the same comments. It chooses nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ordstyrer.language.classify import CATEGORIES
from ordstyrer.language.train import comments

SECOND = comments.PACKAGE / "data" / "second_annotator.jsonl"
BOOTSTRAP = 1000


def load_second(path: Path = SECOND) -> dict[str, list[str]]:
    """The second annotator's labels by comment id; unknown categories are an error."""
    out: dict[str, list[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        unknown = set(row["labels"]) - set(CATEGORIES)
        if unknown or not row["labels"]:
            raise ValueError(f"{path}:{n}: ugyldige kategorier {sorted(unknown) or '[]'}")
        out[row["id"]] = list(row["labels"])
    return out


def _matrix(labels: Sequence[Sequence[str]]) -> np.ndarray:
    return np.asarray([[cat in row for cat in CATEGORIES] for row in labels], dtype=bool)


def _f1(gold: np.ndarray, other: np.ndarray) -> np.ndarray:
    """F1 per category (column); NaN for a category neither side uses, which the macro
    mean leaves out (on both splits every category has support, so the macro mean is
    `comments.category_figures`'s; a resample of posts may lack a rare one)."""
    both = np.sum(gold & other, axis=0)
    denominator = np.sum(gold, axis=0) + np.sum(other, axis=0)
    return np.where(denominator > 0, 2 * both / np.maximum(denominator, 1), np.nan)


def per_category_f1(
    gold: Sequence[Sequence[str]], other: Sequence[Sequence[str]]
) -> dict[str, float]:
    """F1 per category of `other` against `gold` (one label list per comment) and their
    macro mean."""
    f1 = _f1(_matrix(gold), _matrix(other))
    return {
        **{c: float(v) for c, v in zip(CATEGORIES, f1, strict=True)},
        "macro": float(np.nanmean(f1)),
    }


def group_interval(
    gold: Sequence[Sequence[str]],
    other: Sequence[Sequence[str]],
    groups: Sequence[str],
    *,
    rounds: int = BOOTSTRAP,
    seed: int = comments.SEED,
) -> tuple[float, float]:
    """A 90 % interval of the macro-F1, resampling whole posts (comments under one post
    are not independent)."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    keys = sorted(by_group)
    g_matrix, o_matrix = _matrix(gold), _matrix(other)
    rng = random.Random(seed)  # noqa: S311 - reproducible resampling
    figures = []
    for _ in range(rounds):
        picked = [i for k in rng.choices(keys, k=len(keys)) for i in by_group[k]]
        figures.append(float(np.nanmean(_f1(g_matrix[picked], o_matrix[picked]))))
    low, high = np.percentile(figures, [5, 95])
    return float(low), float(high)


def compare(
    rows: Sequence[dict], other: Mapping[str, Sequence[str]]
) -> tuple[dict[str, float], tuple[float, float], int]:
    """Per-category F1 of `other` (labels by id) against the rows' gold labels, on the
    rows `other` covers; the interval; how many rows."""
    covered = [r for r in rows if r["id"] in other]
    gold = [r["labels"] for r in covered]
    mine = [other[r["id"]] for r in covered]
    groups = [comments.post_group(r) for r in covered]
    return per_category_f1(gold, mine), group_interval(gold, mine, groups), len(covered)


def model_out_of_fold(rows: list[dict], *, folds: int = 5) -> dict[str, list[str]]:
    """The shipped recipe's labels for `rows` (training posts), each from a model fit
    without its post (grouped CV; the authored rows in every fitting part)."""
    dk_train, _ = comments.load_dkhate(comments.DEFAULT_DATA)
    nr_train, _ = comments.load_norec(comments.DEFAULT_DATA)
    authored = comments.load_authored()
    labels = comments.grouped_oof_labels(
        rows,
        authored,
        c=comments.DEFAULT_C,
        folds=folds,
        aux_rows={"offensive_rows": dk_train, "polarity_rows": nr_train},
    )[comments.LABEL_FALLBACK]
    return {
        r["id"]: [c for c, on in zip(CATEGORIES, row, strict=True) if on]
        for r, row in zip(rows, labels, strict=True)
    }


def _print(name: str, figures: dict[str, float], interval: tuple[float, float], n: int) -> None:
    cells = ", ".join(f"{c} {figures[c]:.2f}" for c in CATEGORIES)
    print(  # noqa: T201
        f"  {name} (n={n}): macro-F1 {figures['macro']:.3f} "
        f"(90 % interval over posts {interval[0]:.3f}–{interval[1]:.3f}); {cells}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Samsvar mellom to merkinger av kommentarene.")
    parser.add_argument("--second", type=Path, default=SECOND)
    parser.add_argument(
        "--with-model",
        action="store_true",
        help="regn også ut modellens merking utenfor fold på de samme treningskommentarene",
    )
    args = parser.parse_args(argv)
    labelled = comments.load_jsonl(comments.LABELLED)
    try:
        second = load_second(args.second)
    except OSError as exc:
        raise SystemExit(f"kan ikke lese {args.second}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise SystemExit(f"{args.second}: ugyldig linje ({exc})") from None
    if not second:
        raise SystemExit(f"{args.second}: ingen merkede kommentarer")
    missing = set(second) - {r["id"] for r in labelled}
    if missing:
        raise SystemExit(f"{args.second}: ukjente id-er {sorted(missing)[:5]}")
    print("Second, blind labelling against the gold labels (docs/labelling-guide.md):")  # noqa: T201
    sides = {
        "training posts": [r for r in labelled if not comments.held_out(r)],
        "held-out posts": [r for r in labelled if comments.held_out(r)],
    }
    for side, rows in sides.items():
        figures, interval, n = compare(rows, second)
        if n:
            _print(f"second annotator, {side}", figures, interval, n)
    if args.with_model:
        oof = model_out_of_fold(sides["training posts"])
        figures, interval, n = compare(
            sides["training posts"], {i: oof[i] for i in second if i in oof}
        )
        _print("shipped recipe out of fold, same training-post rows", figures, interval, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
