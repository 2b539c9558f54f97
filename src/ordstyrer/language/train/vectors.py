"""Static word vectors for the name model (issue #16), built from raw Norwegian text.

fastText CBOW word vectors (the `floret` package from PyPI, in its plain fastText mode,
whole words without subword n-grams, one thread) trained on the NoReC 2.1 training documents
(`../shared/data/norec_text/`, CC BY-NC 4.0; embeddings made from it may be used
commercially, the text itself is never shipped) plus the words of the NorNE train
splits (Bokmål and Nynorsk; NorNE dev is not read). The text is split into words with
the same regular expression as the product's name finder (`names._TOKEN`), case kept:
a capitalised surname gets the vector of a capitalised word that stands where names
stand. The `top` most frequent words are written as a word2vec text file and loaded
into a spaCy pipeline the way `spacy init vectors` does (`convert_vectors`).

Run alone: `python -m ordstyrer.language.train.vectors OUT.vec`; the name model's
training command (`ordstyrer.language.train.names`) builds them first as part of its
one command.
"""

from __future__ import annotations

import argparse
import lzma
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ordstyrer.shared import SHARED_DATA

DIM = 100
TOP = 60_000  # 60,000 x 100 float32 = 24 MB in the model
EPOCHS = 5
MIN_COUNT = 5


def _norne_train(data: Path) -> Iterator[list[str]]:
    for name in ("no_bokmaal-train-from-ndt.iob", "no_nynorsk-train-from-ndt.iob"):
        words: list[str] = []
        for line in (data / "norne" / name).read_text("utf-8").splitlines():
            if not line.strip():
                if words:
                    yield words
                words = []
                continue
            words.append(line.partition("\t")[0])
        if words:
            yield words


def corpus(data: Path, out: Path) -> int:
    """Write the training text (one sentence a line, words separated by spaces)."""
    from ordstyrer.language.names import _TOKEN

    n = 0
    with out.open("w", encoding="utf-8") as f:
        with lzma.open(data / "norec_text" / "norec-train.txt.xz", "rt", encoding="utf-8") as src:
            for line in src:
                words = _TOKEN.findall(line)
                if words:
                    f.write(" ".join(words) + "\n")
                    n += len(words)
        for words in _norne_train(data):
            f.write(" ".join(words) + "\n")
            n += len(words)
    return n


def build(data: Path, out: Path, *, dim: int = DIM, top: int = TOP, epochs: int = EPOCHS) -> dict:
    """Train the vectors and write the `top` most frequent words to `out` (word2vec text)."""
    import floret

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ordstyrer-vectors-") as tmp:
        text = Path(tmp) / "corpus.txt"
        words = corpus(data, text)
        model = floret.train_unsupervised(
            str(text),
            model="cbow",
            mode="fasttext",
            dim=dim,
            epoch=epochs,
            minCount=MIN_COUNT,
            maxn=0,  # whole words only: subword n-grams cost ~10x the time
            bucket=200_000,
            thread=1,
            verbose=0,
        )
    vocab = model.get_words(include_freq=False)[:top]  # most frequent first
    with out.open("w", encoding="utf-8") as f:
        f.write(f"{len(vocab)} {dim}\n")
        for word in vocab:
            vec = model.get_word_vector(word)
            f.write(word + " " + " ".join(f"{x:.4f}" for x in vec) + "\n")
    return {"words": words, "rows": len(vocab), "minutes": (time.monotonic() - started) / 60}


def load_into(nlp, vec: Path) -> None:  # noqa: ANN001 - spaCy Language
    """Load `vec` into `nlp`'s vocab as `spacy init vectors` does."""
    from spacy.training.initialize import convert_vectors

    convert_vectors(nlp, vec, truncate=0, prune=-1, mode="default")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bygg ordvektorer for navnemodellen.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--dim", type=int, default=DIM)
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    result = build(args.data, args.out, dim=args.dim, top=args.top, epochs=args.epochs)
    print(  # noqa: T201
        f"{result['rows']} vectors of {args.dim} from {result['words']:,} words"
        f" in {result['minutes']:.1f} min -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
