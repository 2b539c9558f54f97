"""Does the model take naming a group for hating it? A probe set, never trained on (#16).

The QA pass on fresh comments (6 Dec 2026) found friendly comments that name a faith,
a people or a minority («Eid Mubarak …», a church and a mosque sharing out food)
labelled hate speech, with the Penal Code § 185 warning (MO-3). The held-out posts hold
too few such comments to show it, so a separate writer, who had only
`docs/labelling-guide.md` (never the labelled comments, the authored batches or the
model), wrote `data/probe_groups.jsonl`: 200 comments under 25 invented posts — 120
that name a religion, nationality, ethnic group, refugees, LGBT+ or disabled people
without hating them, 50 hate speech against such groups (half without slurs), 30
complaints quoting hate. No training command reads it (`comments.AUTHORED_FILES` lists
the training files by name) and `tests/language/test_evaluation.py` keeps the training
rows from copying it.

Run: `python -m ordstyrer.language.train.probe [--probe FILE]` (the shipped model). Prints, through the
product's `triage_many` (no municipality's policy: the labels, not the findings):
the share of the non-hateful comments labelled hate speech (false alarms), the share of
the hate speech comments labelled hate speech (recall), the same under the product's
OFF rule (hate_speech or harassment among the labels, or either score ≥ 0.5), and
the categories' macro-F1 on the probe. It chooses nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ordstyrer.language.classify import CATEGORIES
from ordstyrer.language.train import comments

PROBE = comments.PACKAGE / "data" / "probe_groups.jsonl"
OFFENSIVE = ("hate_speech", "harassment")


def offensive(labels: Sequence[str], scores: dict[str, float]) -> bool:
    """The product's OFF rule, as the DKHATE figures use it."""
    return any(c in labels for c in OFFENSIVE) or any(scores[c] >= 0.5 for c in OFFENSIVE)


def figures(rows: Sequence[dict], found: Sequence[tuple[Sequence[str], dict[str, float]]]) -> dict:
    """False alarms and recall of hate speech on the probe, and the categories' macro-F1."""
    benign = [i for i, r in enumerate(rows) if not set(r["labels"]) & set(OFFENSIVE)]
    hateful = [i for i, r in enumerate(rows) if "hate_speech" in r["labels"]]
    per_category = {}
    for cat in CATEGORIES:
        gold = [cat in r["labels"] for r in rows]
        said = [cat in labels for labels, _ in found]
        both = sum(g and s for g, s in zip(gold, said, strict=True))
        if sum(gold) == 0:
            continue
        denominator = sum(gold) + sum(said)
        per_category[cat] = (2 * both / denominator, sum(gold))
    return {
        "benign": len(benign),
        "hateful": len(hateful),
        "false_hate": sum("hate_speech" in found[i][0] for i in benign) / len(benign),
        "false_off": sum(offensive(*found[i]) for i in benign) / len(benign),
        "hate_recall": sum("hate_speech" in found[i][0] for i in hateful) / len(hateful),
        "off_recall": sum(offensive(*found[i]) for i in hateful) / len(hateful),
        "per_category": per_category,
        "macro": sum(f for f, _ in per_category.values()) / len(per_category),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Mål falske treff på hatefulle ytringer i kommentarer som nevner grupper."
    )
    parser.add_argument("--probe", type=Path, default=PROBE)
    args = parser.parse_args(argv)
    try:
        rows = comments.load_jsonl(args.probe)
    except (OSError, ValueError, KeyError) as exc:
        print(f"Kan ikke lese prøvesettet: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    from ordstyrer.language.triage import triage_many

    found = [
        (t.labels, t.categories)
        for t in triage_many([(r["text"], r.get("post_text")) for r in rows], policy=None)
    ]
    out = figures(rows, found)
    print(  # noqa: T201
        f"Probe set {args.probe.name}: {len(rows)} comments, {out['benign']} neither hateful "
        f"nor harassing, {out['hateful']} hate speech (never trained on, chooses nothing)\n"
        f"  non-hateful comments labelled hate speech: {out['false_hate']:.3f} "
        f"(OFF rule: {out['false_off']:.3f})\n"
        f"  hate speech comments labelled hate speech: {out['hate_recall']:.3f} "
        f"(OFF rule: {out['off_recall']:.3f})\n"
        f"  categories' macro-F1 on the probe: {out['macro']:.3f} ("
        + ", ".join(f"{c} {f:.2f}/{n}" for c, (f, n) in out["per_category"].items())
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
