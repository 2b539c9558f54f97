"""Train the person-name recogniser shipped in `models/names/` (PU-1, MO-1 "naming third persons").

A `spacy.blank("nb")` pipeline with one NER component trained on NorNE (Bokmål and
Nynorsk train splits, PER only), with lower-cased copies of the sentences and short
comment-style sentences, because comments are often written in lower case
("ola nordmann på teknisk svarer aldri").

Run: `python -m ordstyrer.language.train.names [--data DIR] [--out DIR] [--epochs N]`.
Fixed seeds make the run reproducible; it prints PER precision/recall/F1 on NorNE dev
(nb and nn, cased and lower-cased). NorNE's test split is never read.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DATA = Path("/work/shared/data")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "names"
SEED = 20240611

Sentence = tuple[list[str], list[str]]  # words, IOB2 tags (PER only, others "O")


def read_iob(path: Path) -> list[Sentence]:
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
        tags.append(tag.strip() if tag.strip().endswith("-PER") else "O")
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


# Comment-style sentences: short, informal, often lower case; names from Faker no_NO.
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


def _styled(words: list[str], rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.5:
        return [w.lower() for w in words]
    if roll < 0.6:
        return [w.upper() for w in words]
    return words


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
                name = _styled(name, rng)
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
        out.append((_styled(words, rng) if rng.random() < 0.5 else words, ["O"] * len(words)))
    return out


def training_set(data: Path, rng: random.Random, *, lower_share: float) -> list[Sentence]:
    norne = data / "norne"
    base = read_iob(norne / "no_bokmaal-train-from-ndt.iob")
    base += read_iob(norne / "no_nynorsk-train-from-ndt.iob")
    augmented = [([w.lower() for w in ws], ts) for ws, ts in base if rng.random() < lower_share]
    out = base + augmented + comment_sentences(3000, rng)
    rng.shuffle(out)
    return out


def _docs(nlp, sentences: list[Sentence]) -> Iterator:  # noqa: ANN001 - spaCy types
    from spacy.tokens import Doc
    from spacy.training import Example

    for words, tags in sentences:
        predicted = Doc(nlp.vocab, words=words)
        reference = Doc(nlp.vocab, words=words, ents=tags)
        yield Example(predicted, reference)


def evaluate(nlp, sentences: list[Sentence], *, lower: bool = False) -> dict[str, float]:  # noqa: ANN001
    from spacy.tokens import Doc

    ner = nlp.get_pipe("ner")
    tp = fp = fn = 0
    docs = [Doc(nlp.vocab, words=[w.lower() for w in ws] if lower else ws) for ws, _ in sentences]
    for doc, (_, tags) in zip(ner.pipe(docs, batch_size=256), sentences, strict=True):
        gold = per_spans(tags)
        pred = {(e.start, e.end) for e in doc.ents if e.label_ == "PER"}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def dev_sets(data: Path) -> dict[str, list[Sentence]]:
    norne = data / "norne"
    return {
        "nb": read_conllu(norne / "no_bokmaal-ud-dev.conllu"),
        "nn": read_conllu(norne / "no_nynorsk-ud-dev.conllu"),
    }


def dev_report(nlp, data: Path) -> dict[str, dict[str, float]]:  # noqa: ANN001
    report = {}
    for lang, sentences in dev_sets(data).items():
        report[f"{lang} cased"] = evaluate(nlp, sentences)
        report[f"{lang} lower"] = evaluate(nlp, sentences, lower=True)
    return report


def build_nlp():  # noqa: ANN201 - spaCy Language
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "pretrained_vectors": None,
                    "width": 128,
                    "depth": 4,
                    "embed_size": 6000,
                    "window_size": 1,
                    "maxout_pieces": 3,
                    "subword_features": True,
                },
            }
        },
    )
    return nlp


def train(data: Path, out: Path, *, epochs: int, lower_share: float) -> dict[str, dict]:
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(SEED)
    rng = random.Random(SEED)  # noqa: S311 - reproducible augmentation
    sentences = training_set(data, rng, lower_share=lower_share)
    nlp = build_nlp()
    examples = list(_docs(nlp, sentences))
    optimizer = nlp.initialize(lambda: examples[:2000])
    dev = dev_sets(data)
    best_f1 = -1.0
    for epoch in range(epochs):
        started = time.monotonic()
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=compounding(8.0, 64.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.25, losses=losses)
        scores = {lang: evaluate(nlp, s)["f1"] for lang, s in dev.items()}
        mean = sum(scores.values()) / len(scores)
        print(  # noqa: T201
            f"epoch {epoch + 1}: loss {losses.get('ner', 0):.0f}  dev PER F1 "
            f"nb {scores['nb']:.3f} nn {scores['nn']:.3f}  ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        if mean > best_f1:
            best_f1 = mean
            with nlp.use_params(optimizer.averages):
                nlp.to_disk(out)
    best = spacy.load(out)
    return dev_report(best, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tren navnegjenkjenneren på NorNE.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lower-share", type=float, default=0.5)
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = train(args.data, args.out, epochs=args.epochs, lower_share=args.lower_share)
    for name, s in report.items():
        print(  # noqa: T201
            f"PER {name:9s} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
        )
    print(f"trained in {time.monotonic() - started:.0f} s -> {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
