"""Train the person-name recogniser shipped in `models/names/` (PU-1, MO-1 "naming third persons").

One command, fixed seeds: `python -m ordstyrer.language.train.names [--data DIR]
[--out DIR] [--budget-minutes M] [--vectors none|build|FILE] [--no-dev]
[--rules-only]`. It

1. splits NorNE train (Bokmål + Nynorsk) into a training part and a **held-out part**
   (every tenth block of 250 consecutive sentences, so that an article's repeated
   surnames mostly stay on one side: with blocks of 50, 76 % of the held-out nb name
   words were in the training part, against 68 % on dev); every choice below is made on
   the held-out part;
2. trains, in a second process, the **lower-case network** (`ner_lower`: the training
   part and comment-style sentences, lower-cased), and here the **cased network**
   (`ner`: the same as written); both learn NorNE's other entity types too, folded into
   ORG / LOC / OTH (`ALL_TYPES`), though only PER leaves the model; each Nynorsk
   sentence is in the training part `NN_REPEAT` times (1; 2 was tried for issue #16 and
   was no better on the held-out part) —
   `EPOCHS` / `LOWER_EPOCHS` epochs, the last at a lower
   rate; the cased network also gets static word vectors from the NoReC training text
   (`train/vectors.py`, built first; `--vectors FILE` takes ready ones, `--vectors none`
   leaves them out; they need the `floret` package);
3. for each network picks, on the held-out part, the best of its epochs and the
   averages of its last epochs; then whether the span rules
   (`names.refine_person_spans`), the repeated-names rule (`names.repeat_person_names`),
   the gate's name words, the gate's everyday words (words written in lower case in the
   NoReC training text and the training part: a sentence opening with a capitalised word
   that is not one goes through the network), the double-first-names rule
   (`names.add_double_first_names`) and the lone-names rule (`names.add_lone_names`,
   words from the training part) are on;
4. writes one pipeline (`ner`, `ner_lower`, `name_words.txt`, `lone_names.txt`,
   `everyday_words.txt`) to `--out` and measures it **once** on NorNE dev through the
   product's own function (`names.find_person_spans`: the cheap gate, the network for the
   text's case, the rules; exact character spans), with and without the gate, and
   prints those figures, the protocol and the time.

`--no-dev` leaves out the dev reading (to compare variants on held-out train alone);
`--rules-only` is step 3's rule selection alone on the networks already in `--out`
(unchanged), the pipeline written back there.

A text written in lower case goes to `ner_lower`, every other text to `ner`: the
lower-case path costs cased text nothing (before, lower-cased copies in one network cost
cased recall; issue #16). NorNE's test split is never read (it is not in the data).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ordstyrer.language import names
from ordstyrer.shared import SHARED_DATA

DEFAULT_DATA = SHARED_DATA
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "names"
SEED = 20240611
HELD_OUT_BLOCK = 250  # consecutive sentences
HELD_OUT_EVERY = 10  # every tenth block is held out

Sentence = tuple[list[str], list[str]]  # words, IOB2 tags (PER, or all NorNE types)


# NorNE's types folded into four for the networks' other labels (`ALL_TYPES`): a network
# that must also say which capitalised words are organisations, places or works learns
# what a person's name is not; only PER spans leave the model.
_COARSE = {"PER": "PER", "ORG": "ORG", "GPE_ORG": "ORG", "LOC": "LOC", "GPE_LOC": "LOC",
           "PROD": "OTH", "EVT": "OTH", "DRV": "OTH", "MISC": "OTH"}  # fmt: skip


def _keep(tag: str, all_types: bool) -> str:
    if tag == "O":
        return "O"
    if all_types:
        return tag[:2] + _COARSE[tag[2:]]
    return tag if tag.endswith("-PER") else "O"


def read_iob(path: Path, *, all_types: bool = False) -> list[Sentence]:
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        word, _, tag = line.partition("\t")
        words.append(word)
        tags.append(_keep(tag.strip() or "O", all_types))
    if words:
        sentences.append((words, tags))
    return sentences


def read_conllu(path: Path) -> list[Sentence]:
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        cols = line.split("\t")
        if not cols[0].isdigit():
            continue  # multiword token ranges and empty nodes
        tag = "O"
        for item in cols[9].split("|"):
            if item.startswith("name="):
                tag = item[5:]
        words.append(cols[1])
        tags.append(tag if tag.endswith("-PER") else "O")
    if words:
        sentences.append((words, tags))
    return sentences


def per_spans(tags: list[str]) -> set[tuple[int, int]]:
    spans = set()
    start = None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.add((start, i))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start = i
    return spans


# Comment-style sentences: short, informal; names from Faker no_NO, written as names are
# written (the lower-case network sees them lower-cased).
_TEMPLATES = [
    "{n} på teknisk svarer aldri på telefonen",
    "spør {n} på servicetorget hun vet det",
    "takk til {n} for god hjelp i dag",
    "{n} må få sparken",
    "har {n} begynt i ny jobb",
    "hørte at {n} er syk igjen",
    "kan noen be {n} ringe meg",
    "snakket med {n} i går og fikk ikke svar",
    "{n} er den beste læreren ungene har hatt",
    "er det {n} som har ansvaret for brøytinga",
    "eg snakka med {n} på kommunehuset",
    "{n} burde skamme seg",
    "hils til {n} fra oss",
    "veit {n} om dette",
    "både {n} og {m} var der",
    "@{n} se her",
    "{n} skreiv det same i fjor",
    "var på møte med {n} og {m} om reguleringsplanen",
    "ordføreren {n} lovte noe annet",
    "rektor {n} har ikke svart på mailen min",
]
_NO_NAME = [
    "kommunen må brøyte Storgata før klokka sju",
    "når åpner Rådhuset igjen etter ferien",
    "Teknisk etat har ikke svart",
    "Servicetorget var stengt i dag",
    "takk for flott 17. mai i Berkåk sentrum",
    "Rennebu kommune er best",
    "hvem har ansvaret for Kulturhuset",
    "veien til Skolen er full av hull",
    "kommunedirektøren burde svare på dette",
    "ordføreren lovte noe annet i valgkampen",
    "Helsestasjonen har endret åpningstidene",
    "flott arrangement på Biblioteket i går",
    "NAV svarer ikke på telefon",
    "når kommer Bussen til skolen",
]


def comment_sentences(n: int, rng: random.Random) -> list[Sentence]:
    from faker import Faker

    fake = Faker("no_NO")
    fake.seed_instance(SEED)
    out: list[Sentence] = []
    for _ in range(n):
        template = rng.choice(_TEMPLATES)
        words: list[str] = []
        tags: list[str] = []
        for token in template.split():
            slot = token.lstrip("@")
            if slot in {"{n}", "{m}"}:
                first = fake.first_name()
                name = [first] if rng.random() < 0.35 else [first, fake.last_name()]
                if token.startswith("@"):
                    name[0] = "@" + name[0]
                words += name
                tags += ["B-PER"] + ["I-PER"] * (len(name) - 1)
            else:
                words.append(token)
                tags.append("O")
        if rng.random() < 0.3:
            words[0] = words[0][:1].upper() + words[0][1:]
        out.append((words, tags))
    for _ in range(n // 4):
        words = rng.choice(_NO_NAME).split()
        out.append((words, ["O"] * len(words)))
    return out


def _lower(sentences: list[Sentence]) -> list[Sentence]:
    return [([w.lower() for w in ws], ts) for ws, ts in sentences]


def norne_train(data: Path, *, all_types: bool = False) -> dict[str, list[Sentence]]:
    norne = data / "norne"
    return {
        "nb": read_iob(norne / "no_bokmaal-train-from-ndt.iob", all_types=all_types),
        "nn": read_iob(norne / "no_nynorsk-train-from-ndt.iob", all_types=all_types),
    }


def split_train(
    data: Path, *, all_types: bool = False, nn_repeat: int = 1
) -> tuple[list[Sentence], dict[str, list[Sentence]]]:
    """NorNE train: the training part (both languages) and the held-out part per language.

    Blocks of `HELD_OUT_BLOCK` consecutive sentences (the train files keep the articles'
    order), every `HELD_OUT_EVERY`-th block held out. `nn_repeat` > 1 puts each Nynorsk
    sentence of the training part in that many times (Nynorsk weighted up).
    """
    part: list[Sentence] = []
    held: dict[str, list[Sentence]] = {}
    for lang, sentences in norne_train(data, all_types=all_types).items():
        held[lang] = []
        repeat = nn_repeat if lang == "nn" else 1
        for i, sentence in enumerate(sentences):
            block = i // HELD_OUT_BLOCK
            if block % HELD_OUT_EVERY == HELD_OUT_EVERY - 1:
                held[lang].append(sentence)
            else:
                part.extend([sentence] * repeat)
    return part, held


def name_words_of(sentences: list[Sentence]) -> frozenset[str]:
    """The gate's name words: capitalised words of two letters or more tagged PER at least
    as often as not in `sentences` (the training part of NorNE train)."""
    from collections import Counter

    per: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for words, tags in sentences:
        for word, tag in zip(words, tags, strict=True):
            (per if tag.endswith("-PER") else other)[word] += 1
    return frozenset(w for w, n in per.items() if len(w) > 1 and w[:1].isupper() and n >= other[w])


LONE_NAME_SHARE = 0.95  # chosen on held-out train among 0.5 / 0.8 / 0.95 x seen 1 / 2 / 3 times


def lone_names_of(sentences: list[Sentence]) -> frozenset[str]:
    """The lone-name words (`names.add_lone_names`): capitalised words of two letters or
    more tagged PER in at least `LONE_NAME_SHARE` of their occurrences in `sentences` (the
    training part of NorNE train)."""
    from collections import Counter

    per: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for words, tags in sentences:
        for word, tag in zip(words, tags, strict=True):
            (per if tag.endswith("-PER") else other)[word] += 1
    return frozenset(
        w
        for w, n in per.items()
        if len(w) > 1 and w[:1].isupper() and n >= LONE_NAME_SHARE * (n + other[w])
    )


EVERYDAY_MIN_COUNT = 2  # chosen on held-out train among 1 / 2 / 5 (2 and 5 equal, 1 larger)


def everyday_words_of(data: Path, sentences: list[Sentence]) -> frozenset[str]:
    """The gate's everyday words (`names.may_contain_name`): words written in lower case
    at least `EVERYDAY_MIN_COUNT` times in the NoReC training text and `sentences` (the
    training part of NorNE train), split by the product's tokenizer."""
    import lzma
    from collections import Counter

    counts: Counter[str] = Counter(w for words, _ in sentences for w in words if w.islower())
    with lzma.open(data / "norec_text" / "norec-train.txt.xz", "rt", encoding="utf-8") as src:
        for line in src:
            counts.update(w for w in names._TOKEN.findall(line) if w.islower())  # noqa: SLF001
    return frozenset(w for w, n in counts.items() if n >= EVERYDAY_MIN_COUNT)


def training_set(
    data: Path, rng: random.Random, *, lower: bool, all_types: bool = False, nn_repeat: int = 1
) -> list[Sentence]:
    """The training part (Nynorsk sentences `nn_repeat` times) and comment-style sentences."""
    part, _ = split_train(data, all_types=all_types, nn_repeat=nn_repeat)
    out = part + comment_sentences(3000, rng)
    if lower:
        out = _lower(out)
    rng.shuffle(out)
    return out


def dev_sets(data: Path) -> dict[str, list[Sentence]]:
    norne = data / "norne"
    return {
        "nb": read_conllu(norne / "no_bokmaal-ud-dev.conllu"),
        "nn": read_conllu(norne / "no_nynorsk-ud-dev.conllu"),
    }


def gold_char_spans(words: list[str], tags: list[str]) -> set[tuple[int, int]]:
    """PER spans as character offsets in `" ".join(words)`."""
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    return {(starts[s], starts[e - 1] + len(words[e - 1])) for s, e in per_spans(tags)}


def evaluate(  # noqa: ANN001
    nlp,
    sentences: list[Sentence],
    *,
    lower: bool = False,
    refine: bool | None = None,
    gate: bool = True,
    known: frozenset[str] | None = None,
    lone: frozenset[str] | None = None,
    everyday: frozenset[str] | None = None,
) -> dict[str, float]:
    """PER precision/recall/F1 of the product's own path, exact character spans.

    The sentences are joined with spaces (lower-cased for `lower`) and go through
    `names.find_person_spans(texts, gate=gate, nlp=nlp)`: the cheap gate, the network
    for the text's case, the rules the model has on (`refine` overrides both the span rules
    and the repeated-names rule: False = the network alone).
    """
    texts = [" ".join(w.lower() for w in ws) if lower else " ".join(ws) for ws, _ in sentences]
    meta = nlp.meta.setdefault("ordstyrer", {})
    saved = dict(meta)
    if refine is not None:
        meta["span_rules"] = meta["repeat_names"] = refine
    try:
        found = names.find_person_spans(
            texts, gate=gate, nlp=nlp, known=known, lone=lone, everyday=everyday
        )
    finally:
        meta.clear()
        meta.update(saved)
    tp = fp = fn = 0
    for (ws, ts), spans in zip(sentences, found, strict=True):
        gold = gold_char_spans(ws, ts)
        pred = set(spans)
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def dev_report(  # noqa: ANN001
    nlp, data: Path, *, refine: bool | None = None, gate: bool = True
) -> dict[str, dict[str, float]]:
    report = {}
    for lang, sentences in dev_sets(data).items():
        report[f"{lang} cased"] = evaluate(nlp, sentences, refine=refine, gate=gate)
        report[f"{lang} lower"] = evaluate(nlp, sentences, lower=True, refine=refine, gate=gate)
    return report


@dataclass(frozen=True)
class Shape:
    """Network sizes (spaCy HashEmbedCNN + transition-based NER)."""

    width: int = 128
    depth: int = 4
    embed_size: int = 6000
    hidden_width: int = 64


def build_nlp(shape: Shape = Shape(), vectors: Path | None = None):  # noqa: ANN201, B008
    import spacy

    from ordstyrer.language.train.vectors import load_into

    nlp = spacy.blank("nb")
    if vectors is not None:
        load_into(nlp, vectors)
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": shape.hidden_width,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "pretrained_vectors": vectors is not None,
                    "width": shape.width,
                    "depth": shape.depth,
                    "embed_size": shape.embed_size,
                    "window_size": 1,
                    "maxout_pieces": 3,
                    "subword_features": True,
                },
            }
        },
    )
    return nlp


def _docs(nlp, sentences: list[Sentence]) -> Iterator:  # noqa: ANN001 - spaCy types
    from spacy.tokens import Doc
    from spacy.training import Example

    for words, tags in sentences:
        predicted = Doc(nlp.vocab, words=words)
        reference = Doc(nlp.vocab, words=words, ents=tags)
        yield Example(predicted, reference)


def average(paths: list[Path], out: Path) -> None:
    """Average the weights of checkpoints from one training run (checkpoint averaging)."""
    import numpy as np
    import spacy

    nlps = [spacy.load(p) for p in paths]
    walks = [list(cast(Any, n.get_pipe("ner")).model.walk()) for n in nlps]  # a spaCy NER pipe
    for nodes in zip(*walks, strict=True):
        for name in nodes[0].param_names:
            if nodes[0].has_param(name):
                arrays = [node.get_param(name) for node in nodes]
                nodes[0].set_param(name, np.mean(arrays, axis=0).astype(arrays[0].dtype))
    nlps[0].to_disk(out)


# The cased network: two epochs at 0.001, one at 0.0003; the lower-case one one and one.
EPOCHS = 3
LOWER_EPOCHS = 2
LOW_RATE_EPOCHS = 1
AVERAGE_LAST = (2, 3)  # candidate averages of the last epochs (when there are that many)
ALL_TYPES = True  # the networks also learn NorNE's other types (`_COARSE`)
NN_REPEAT = 1  # each Nynorsk training sentence this many times (2 tried: not better on held-out)


def _held_out_f1(nlp, held: dict[str, list[Sentence]], *, lower: bool) -> dict[str, float]:  # noqa: ANN001
    return {lang: evaluate(nlp, s, lower=lower, gate=False)["f1"] for lang, s in held.items()}


def _mean(scores: dict[str, float]) -> float:
    return sum(scores.values()) / len(scores)


def train_network(  # noqa: PLR0913
    data: Path,
    out: Path,
    *,
    lower: bool,
    vectors: Path | None,
    epochs: int = EPOCHS,
    shape: Shape = Shape(),  # noqa: B008 - frozen dataclass
    wall_deadline: float | None = None,
    seed: int = SEED,
    all_types: bool | None = None,
    fraction: float = 1.0,
    nn_repeat: int | None = None,
) -> dict[str, object]:
    """Train one network; choose its epoch or average on the held-out part of train.

    Every epoch is saved (the optimiser's averaged weights) and scored on the held-out
    part (nb and nn, through `names.find_person_spans`: gate, rules as shipped); so are
    the averages of the last `AVERAGE_LAST` epochs. The best mean F1 is written to `out`.
    `wall_deadline` (a `time.monotonic()` value) cuts training short; the result says so.
    `fraction` < 1 trains on that share of the sentences only (quick comparisons).
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    fix_random_seed(seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible order and comments
    all_types = ALL_TYPES if all_types is None else all_types
    nn_repeat = NN_REPEAT if nn_repeat is None else nn_repeat
    sentences = training_set(data, rng, lower=lower, all_types=all_types, nn_repeat=nn_repeat)
    sentences = sentences[: int(len(sentences) * fraction)]
    _, held = split_train(data)
    nlp = build_nlp(shape, vectors)
    examples = list(_docs(nlp, sentences))
    optimizer = nlp.initialize(lambda: examples[:2000])
    kind = "lower-case" if lower else "cased"
    print(  # noqa: T201
        f"[{kind}] {len(examples)} sentences, {shape}, vectors={vectors is not None},"
        f" all types={all_types}, nn x{nn_repeat}",
        flush=True,
    )
    checkpoints: list[Path] = []
    scores: dict[str, dict[str, float]] = {}
    cut_short = False
    for epoch in range(epochs):
        optimizer.learn_rate = 0.001 if epoch < epochs - LOW_RATE_EPOCHS else 0.0003
        epoch_started = time.monotonic()
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=compounding(8.0, 64.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        path = out.with_name(f"{out.name}-epoch{epoch + 1}")
        with nlp.use_params(optimizer.averages):
            nlp.to_disk(path)
            scores[path.name] = _held_out_f1(nlp, held, lower=lower)
        checkpoints.append(path)
        print(  # noqa: T201
            f"[{kind}] epoch {epoch + 1}: loss {losses.get('ner', 0):.0f},"
            f" held-out train PER F1 nb {scores[path.name]['nb']:.3f} nn {scores[path.name]['nn']:.3f}"
            f" ({time.monotonic() - epoch_started:.0f} s, {time.process_time() / 60:.1f} CPU min)",
            flush=True,
        )
        if wall_deadline is not None and time.monotonic() > wall_deadline and epoch < epochs - 1:
            cut_short = True
            break
    members: dict[str, list[Path]] = {p.name: [p] for p in checkpoints}
    for k in AVERAGE_LAST:
        if len(checkpoints) >= k:
            label = f"average of epochs {len(checkpoints) - k + 1}-{len(checkpoints)}"
            path = out.with_name(f"{out.name}-avg{k}")
            average(checkpoints[-k:], path)
            scores[label] = _held_out_f1(spacy.load(path), held, lower=lower)
            members[label] = [path]
            print(  # noqa: T201
                f"[{kind}] {label}: held-out train PER F1 nb {scores[label]['nb']:.3f}"
                f" nn {scores[label]['nn']:.3f}",
                flush=True,
            )
    chosen = max(scores, key=lambda label: _mean(scores[label]))  # first on a tie
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(members[chosen][0], out)
    for paths in members.values():
        for p in paths:
            shutil.rmtree(p, ignore_errors=True)
    return {
        "kind": kind,
        "scores": scores,
        "chosen": chosen,
        "cut_short": cut_short,
        "minutes": (time.monotonic() - started) / 60,
        "cpu_minutes": time.process_time() / 60,
    }


def assemble(  # noqa: PLR0913
    cased: Path,
    lower: Path,
    out: Path,
    *,
    span_rules: bool,
    repeat_names: bool,
    known: frozenset[str],
    protocol: dict,
    lone: frozenset[str] = frozenset(),
    everyday: frozenset[str] = frozenset(),
    double_names: bool = False,
) -> None:
    """One pipeline: the cased network as `ner` (with the vectors), the lower-case one as
    `ner_lower`; the rule choices and the protocol in its meta; the gate's name words and
    everyday words and the lone-name words beside it (read without spaCy; a list that is
    not written is off)."""
    import spacy

    nlp = spacy.load(cased)
    nlp.add_pipe("ner", name="ner_lower", source=spacy.load(lower))
    nlp.meta["name"] = "ordstyrer_names"
    nlp.meta["ordstyrer"] = {
        "span_rules": span_rules,
        "repeat_names": repeat_names,
        "lone_names": bool(lone),
        "double_first_names": double_names,
        **protocol,
    }
    shutil.rmtree(out, ignore_errors=True)
    nlp.to_disk(out)
    (out / "name_words.txt").write_text("".join(w + "\n" for w in sorted(known)), "utf-8")
    if lone:
        (out / "lone_names.txt").write_text("".join(w + "\n" for w in sorted(lone)), "utf-8")
    if everyday:
        (out / "everyday_words.txt").write_text(
            "".join(w + "\n" for w in sorted(everyday)), "utf-8"
        )


def known_of(model: Path, name: str = "name_words.txt") -> frozenset[str]:
    """The gate's name words shipped with the model in `model` (or, with `name` =
    "lone_names.txt" / "everyday_words.txt", the lone-name words / the gate's everyday
    words)."""
    path = model / name
    return frozenset(path.read_text("utf-8").split()) if path.is_file() else frozenset()


def _lang_dev(path: str, data: str, lang: str) -> dict[str, dict[str, float]]:
    """NorNE dev figures for one language (run in a second process)."""
    import spacy

    nlp = spacy.load(path)
    known = known_of(Path(path))
    lone = known_of(Path(path), "lone_names.txt")
    everyday = known_of(Path(path), "everyday_words.txt")
    sentences = dev_sets(Path(data))[lang]
    out = {}
    for lower in (False, True):
        name = f"{lang} {'lower' if lower else 'cased'}"
        out[name] = evaluate(nlp, sentences, lower=lower, known=known, lone=lone, everyday=everyday)
        out[f"{name} (no gate)"] = evaluate(nlp, sentences, lower=lower, gate=False, lone=lone)
    return out


# The choices made on the held-out part, each on or off.
CHOICES = ("span_rules", "repeat_names", "name_words", "lone_names", "everyday_words",
           "double_first_names")  # fmt: skip
Choice = tuple[bool, ...]  # one per CHOICES


def _held_out_choices(  # noqa: ANN001
    nlp, held, known: frozenset[str], lone_words: frozenset[str], everyday: frozenset[str]
) -> tuple[dict[Choice, list[float]], dict[tuple[bool, bool], float]]:
    """PER F1 on the held-out part (nb cased, nb lower-cased, nn cased, nn lower-cased) for
    each on/off setting of `CHOICES`, from one network pass per set: the product's
    network step (`names.network_spans`), then its gate (`names.may_contain_name`) and
    rules (`names.apply_rules`). Also the share of the cased held-out sentences that go
    through the network for each (name words, everyday words) setting of the gate."""
    import itertools

    on_off = (True, False)
    totals: dict[Choice, list[float]] = {
        k: [] for k in itertools.product(on_off, repeat=len(CHOICES))
    }
    through: dict[tuple[bool, bool], list[float]] = {}
    for sentences in held.values():
        for lower in (False, True):
            texts = [" ".join(w.lower() if lower else w for w in ws) for ws, _ in sentences]
            offsets = [names._tokens(t) for t in texts]  # noqa: SLF001 - the product's tokens
            indices = [i for i, offs in enumerate(offsets) if offs]
            raw = dict(zip(indices, names.network_spans(nlp, texts, offsets, indices), strict=True))
            golds = [gold_char_spans(ws, ts) for ws, ts in sentences]
            gates = {
                (g, e): [
                    bool(offs)
                    and names.may_contain_name(
                        text,
                        offs,
                        known=known if g else frozenset(),
                        everyday=everyday if e else frozenset(),
                    )
                    for text, offs in zip(texts, offsets, strict=True)
                ]
                for g in on_off
                for e in on_off
            }
            if not lower:
                for key, passed in gates.items():
                    through.setdefault(key, []).append(sum(passed) / len(passed))
            spans = {
                (r, p, n, d): [
                    set(
                        names.apply_rules(
                            text,
                            offs,
                            raw[i],
                            rules=r,
                            repeat=p,
                            lone=lone_words if n else frozenset(),
                            double=d,
                        )
                    )
                    if offs
                    else set()
                    for i, (text, offs) in enumerate(zip(texts, offsets, strict=True))
                ]
                for r, p, n, d in itertools.product(on_off, repeat=4)
            }
            for switches in totals:
                rules, repeat, gated, lone, opener, double = switches
                passed = gates[(gated, opener)]
                found = spans[(rules, repeat, lone, double)]
                tp = fp = fn = 0
                for ok, pred, gold in zip(passed, found, golds, strict=True):
                    pred = pred if ok else set()  # noqa: PLW2901
                    tp += len(gold & pred)
                    fp += len(pred - gold)
                    fn += len(gold - pred)
                p = tp / (tp + fp) if tp + fp else 0.0
                r = tp / (tp + fn) if tp + fn else 0.0
                totals[switches].append(2 * p * r / (p + r) if p + r else 0.0)
    return totals, {k: sum(v) / len(v) for k, v in through.items()}


def finish(  # noqa: PLR0913
    data: Path,
    cased: Path,
    lower: Path,
    out: Path,
    *,
    protocol: dict,
    pool: ProcessPoolExecutor | None = None,
    dev: bool = True,
) -> dict[str, object]:
    """Choose the rules and the gate's word lists on the held-out part of train (mean
    PER F1 of nb and nn, cased and lower-cased, through the product's gate and rules),
    write the pipeline to `out`, then (unless `dev` is False) measure it once on NorNE
    dev."""
    import spacy

    part, held = split_train(data)
    words = name_words_of(part)
    lone_words = lone_names_of(part)
    everyday = everyday_words_of(data, part)
    assemble(cased, lower, out, span_rules=True, repeat_names=False, known=words, protocol={})
    nlp = spacy.load(out)
    sets, through = _held_out_choices(nlp, held, words, lone_words, everyday)
    means = {k: sum(v) / len(v) for k, v in sets.items()}
    best = max(means, key=lambda k: (means[k], k))  # ties: on
    chosen = dict(zip(CHOICES, best, strict=True))
    scores = {}
    for i, name in enumerate(CHOICES):
        on, off = (
            tuple(v if j != i else flag for j, v in enumerate(best)) for flag in (True, False)
        )
        scores[name] = {"on": means[on], "off": means[off]}
    held_out = dict(zip(("nb cased", "nb lower", "nn cased", "nn lower"), sets[best], strict=True))
    assemble(
        cased,
        lower,
        out,
        span_rules=chosen["span_rules"],
        repeat_names=chosen["repeat_names"],
        known=words if chosen["name_words"] else frozenset(),
        lone=lone_words if chosen["lone_names"] else frozenset(),
        everyday=everyday if chosen["everyday_words"] else frozenset(),
        double_names=chosen["double_first_names"],
        protocol={
            "selected_on": "held-out NorNE train (every 10th block of 250 sentences, nb + nn)",
            "reported_on": "NorNE dev, once",
            **protocol,
            **{f"{name}_held_out_f1": scores[name] for name in CHOICES},
            "held_out_f1": {**held_out, "mean": means[best]},
            "held_out_cased_through_network": through[
                (chosen["name_words"], chosen["everyday_words"])
            ],
            "nn_repeat": NN_REPEAT,
        },
    )
    report: dict[str, dict[str, float]] = {}
    if dev and pool is not None:
        nynorsk = pool.submit(_lang_dev, str(out), str(data), "nn")
        report = _lang_dev(str(out), str(data), "nb")
        report.update(nynorsk.result())
    elif dev:
        report = {**_lang_dev(str(out), str(data), "nb"), **_lang_dev(str(out), str(data), "nn")}
    return {
        "report": report,
        "chosen": chosen,
        "scores": scores,
        "held_out": held_out,
        "held_out_mean": means[best],
        "through": through,
        "name_words": len(words) if chosen["name_words"] else 0,
        "lone_words": len(lone_words),
        "everyday_words": len(everyday),
    }


def run(
    data: Path,
    out: Path,
    *,
    budget_minutes: float = 30.0,
    shape: Shape = Shape(),  # noqa: B008 - frozen dataclass
    vectors: str = "build",
    dev: bool = True,
) -> dict[str, object]:
    """The one command: vectors, both networks, the choices on held-out train, dev once
    (not at all when `dev` is False: for comparing variants on held-out train alone)."""
    from ordstyrer.language.train import vectors as vectors_mod

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # one core per process
    started = time.monotonic()
    wall_deadline = started + (budget_minutes - 4.0) * 60  # dev figures and assembly after
    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="ordstyrer-names-") as tmp,
        ProcessPoolExecutor(1, mp_context=spawn) as pool,
    ):
        lower_job = pool.submit(
            train_network,
            data,
            Path(tmp) / "lower",
            lower=True,
            vectors=None,
            epochs=LOWER_EPOCHS,
            shape=shape,
            wall_deadline=wall_deadline,
        )
        vec: Path | None = None
        built: dict = {"rows": 0, "words": 0, "minutes": 0.0}
        if vectors == "build":
            vec = Path(tmp) / "vectors.vec"
            built = vectors_mod.build(data, vec)
        elif vectors != "none":  # built before by `python -m ordstyrer.language.train.vectors FILE`
            vec = Path(vectors)
            built = {"rows": int(vec.open().readline().split()[0]), "words": 0, "minutes": 0.0}
        if vec is not None:
            print(  # noqa: T201
                f"vectors: {built['rows']} words x {vectors_mod.DIM} from {built['words']:,} words"
                f" of text in {built['minutes']:.1f} min",
                flush=True,
            )
        cased = train_network(
            data,
            Path(tmp) / "cased",
            lower=False,
            vectors=vec,
            shape=shape,
            wall_deadline=wall_deadline,
        )
        lowered = lower_job.result()
        chosen = finish(
            data,
            Path(tmp) / "cased",
            Path(tmp) / "lower",
            out,
            protocol={"cased": cased["chosen"], "lower": lowered["chosen"]},
            pool=pool,
            dev=dev,
        )
    return {
        **chosen,
        "cased": cased,
        "lower": lowered,
        "vectors": built,
        "minutes": (time.monotonic() - started) / 60,
    }


def rechoose(data: Path, model: Path, *, dev: bool = True) -> dict[str, object]:
    """The rule-selection step alone: the networks of the pipeline in `model` unchanged,
    the rules and the gate's word lists chosen again on held-out train (`finish`), the
    pipeline written back to `model` and (unless `dev` is False) read once on NorNE dev."""
    import spacy

    started = time.monotonic()
    old = spacy.load(model)
    kept = {k: old.meta.get("ordstyrer", {}).get(k) for k in ("cased", "lower")}
    with tempfile.TemporaryDirectory(prefix="ordstyrer-names-") as tmp:
        cased = spacy.load(model)
        cased.remove_pipe("ner_lower")
        cased.to_disk(Path(tmp) / "cased")
        lower = spacy.load(model)
        lower.remove_pipe("ner")
        lower.rename_pipe("ner_lower", "ner")
        lower.to_disk(Path(tmp) / "lower")
        chosen = finish(
            data,
            Path(tmp) / "cased",
            Path(tmp) / "lower",
            model,
            protocol={**kept, "rules_rechosen": "rule-selection step (--rules-only)"},
            dev=dev,
        )
    empty = {"kind": "", "chosen": "", "cut_short": False, "minutes": 0.0}
    return {**chosen, "cased": {**empty, "kind": "cased", "chosen": kept["cased"]},
            "lower": {**empty, "kind": "lower-case", "chosen": kept["lower"]},
            "minutes": (time.monotonic() - started) / 60}  # fmt: skip


PROTOCOL = (
    "Selection protocol (issue #16): the epochs and checkpoint averages of each network and"
    " whether the span rules, the repeated-names rule, the gate's name words, the gate's"
    " everyday words (a sentence opening with a capitalised word that is not one goes"
    " through the network), the double-first-names rule and the lone-names rule are on"
    " were chosen on the held-out part of NorNE *train* (every"
    " 10th block of 250 consecutive sentences, Bokmål and Nynorsk); NorNE dev was read once,"
    " after the model was written, for the figures below (exact character spans, through"
    " names.find_person_spans with the cheap gate; 'no gate' = every sentence through the"
    " network, so the difference in recall is what the gate costs). The gate's rules were"
    " chosen on NorNE train."
)


def _print_choices(result: dict) -> None:
    print("Held-out train, mean PER F1 of the four sets with each choice on / off:")  # noqa: T201
    for name in CHOICES:
        s = result["scores"][name]
        on = "on" if result["chosen"][name] else "off"
        print(f"  {name:20s} {on:3s} ({s['on']:.4f} on, {s['off']:.4f} off)")  # noqa: T201
    print(  # noqa: T201
        f"  lists: {result['name_words']} gate name words, {result['everyday_words']} everyday"
        f" words, {result['lone_words']} lone names; the chosen pipeline on held-out train: "
        + ", ".join(f"{k} {v:.4f}" for k, v in result["held_out"].items())
        + f", mean {result['held_out_mean']:.4f}; cased held-out sentences through the network"
        " (name words, everyday words on/off): "
        + ", ".join(f"{k} {v:.0%}" for k, v in result["through"].items())
    )
    if not result["report"]:
        print("NorNE dev not read (--no-dev).")  # noqa: T201
        return
    print(PROTOCOL)  # noqa: T201
    print("NorNE dev (the test split is never read):")  # noqa: T201
    for name, s in result["report"].items():
        print(f"PER {name:20s} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")  # noqa: T201


def _cpu_minutes() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) / 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Tren navnegjenkjenneren (NorNE) med ordvektorer fra NoReC; valg på en"
        " holdt-ut del av treningsdataene, dev-tall til slutt."
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--budget-minutes", type=float, default=30.0, help="grense for veggklokketid (minutter)"
    )
    parser.add_argument("--width", type=int, default=Shape.width)
    parser.add_argument("--depth", type=int, default=Shape.depth)
    parser.add_argument("--embed-size", type=int, default=Shape.embed_size)
    parser.add_argument("--hidden-width", type=int, default=Shape.hidden_width)
    parser.add_argument(
        "--vectors",
        default="build",
        help="statiske ordvektorer til det store-bokstav-nettet: build (standard: bygg"
        " dem først fra NoReC), none, eller en fil fra python -m ordstyrer.language.train.vectors",
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="bare regelvalget: behold nettene i --out, velg regler og ordlister på nytt",
    )
    parser.add_argument(
        "--no-dev", action="store_true", help="ikke les NorNE dev (for å sammenligne varianter)"
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    shape = Shape(args.width, args.depth, args.embed_size, args.hidden_width)
    if args.rules_only:
        result = rechoose(args.data, args.out, dev=not args.no_dev)
    else:
        result = run(
            args.data,
            args.out,
            budget_minutes=args.budget_minutes,
            shape=shape,
            vectors=args.vectors,
            dev=not args.no_dev,
        )
    for net in ("cased", "lower"):
        r = result[net]
        print(  # noqa: T201
            f"{r['kind']} network: chosen {r['chosen']} on held-out train"  # type: ignore[index]
            f"{' (CUT SHORT by the time budget)' if r['cut_short'] else ''};"  # type: ignore[index]
            f" {r['minutes']:.1f} min"  # type: ignore[index]
        )
    _print_choices(result)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file()) / 1e6
    print(  # noqa: T201
        f"done in {result['minutes']:.1f} min wall clock, {_cpu_minutes():.1f} CPU min"
        f" (load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end);"
        f" model {size:.1f} MB -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
