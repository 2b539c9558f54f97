"""Train the Bokmål/Nynorsk detector shipped as `models/standard.npz`.

Data: Talk of Norway sentences labelled nob/nno (parliament_nob_nno, Apache-2.0) and
the NorNE/NDT train sentences of both written standards, with lower-cased copies
(comments are often lower case). Dev: a fixed 20 % of the parliament sentences and
the NorNE dev sentences; py3langid is reported beside it as a baseline.

Run: `python -m ordstyrer.language.train.standard [--data DIR] [--out FILE]`. The
pipeline is exported as arrays (`models/standard.npz`) and checked against
scikit-learn's own predictions on the dev sets.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np

from ordstyrer.language import linear
from ordstyrer.language.standard import StandardModel
from ordstyrer.language.train.names import read_conllu, read_iob
from ordstyrer.shared import SHARED_DATA

DEFAULT_DATA = SHARED_DATA
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "standard.npz"
SEED = 20240611


def _detok(words: list[str]) -> str:
    text = " ".join(words)
    for p in (" ,", " .", " !", " ?", " :", " ;", " )"):
        text = text.replace(p, p[1:])
    return text.replace("( ", "(")


def load(data: Path) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible split
    rows = list(csv.DictReader((data / "parliament_nob_nno" / "train.csv").open(encoding="utf-8")))
    rng.shuffle(rows)
    label = {"nob": "nb", "nno": "nn"}
    parl = [(r["text"], label[r["language"]]) for r in rows if r["language"] in label]
    cut = len(parl) // 5
    train = parl[cut:]
    dev_parl = parl[:cut]
    norne = data / "norne"
    for name, lang in (("no_bokmaal", "nb"), ("no_nynorsk", "nn")):
        train += [(_detok(ws), lang) for ws, _ in read_iob(norne / f"{name}-train-from-ndt.iob")]
    train += [(t.lower(), lang) for t, lang in train if rng.random() < 0.3]
    dev_norne = [
        (_detok(ws), lang)
        for name, lang in (("no_bokmaal", "nb"), ("no_nynorsk", "nn"))
        for ws, _ in read_conllu(norne / f"{name}-ud-dev.conllu")
    ]
    return train, {"parliament dev": dev_parl, "NorNE dev": dev_norne}


def build_pipeline():  # noqa: ANN201 - sklearn Pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 4),
                    lowercase=True,
                    sublinear_tf=True,
                    min_df=3,
                    max_features=60000,
                    dtype=np.float32,
                ),
            ),
            ("clf", LogisticRegression(C=8.0, max_iter=2000)),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tren bokmål/nynorsk-gjenkjenneren.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    started = time.monotonic()
    train, devs = load(args.data)
    pipe = build_pipeline()
    pipe.fit([t for t, _ in train], [y for _, y in train])
    arrays = StandardModel.arrays_from_sklearn(pipe)
    exported = StandardModel(arrays)
    check = [t for rows in devs.values() for t, _ in rows]
    if exported.predict(check) != [str(p) for p in pipe.predict(check)]:
        raise AssertionError("the exported nb/nn model disagrees with scikit-learn")
    linear.save_npz(args.out, arrays)
    print(  # noqa: T201
        "Selection protocol: features and C are fixed in the code; nothing is selected here."
        " Dev figures (a fixed 20 % of the parliament sentences, NorNE dev), measured once:"
    )
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages(["no", "nn"])  # baseline restricted to the two standards
    for name, rows in devs.items():
        texts = [t for t, _ in rows]
        gold = [y for _, y in rows]
        for cased in (True, False):
            xs = texts if cased else [t.lower() for t in texts]
            ours = pipe.predict(xs)
            base = ["nn" if identifier.classify(t)[0] == "nn" else "nb" for t in xs]
            acc = sum(p == g for p, g in zip(ours, gold, strict=True)) / len(gold)
            acc_b = sum(p == g for p, g in zip(base, gold, strict=True)) / len(gold)
            label = f"{name} {'cased' if cased else 'lower'}"
            print(f"{label:24s} n={len(gold):5d}  ours {acc:.3f}  py3langid {acc_b:.3f}")  # noqa: T201
    print(f"trained in {time.monotonic() - started:.0f} s -> {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
