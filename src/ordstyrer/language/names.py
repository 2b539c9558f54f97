"""Person names in comments and posts (PU-1; Midt-Telemark MO-1 "navngir tredjepersoner").

A spaCy pipeline (`spacy.blank("nb")` + NER, PER only) trained on NorNE with
lower-case and comment-style augmentation, shipped in `models/names/` and loaded
once, lazily. `ordstyrer.language.pii` calls `person_finder()`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "models" / "names"
_TOKEN = re.compile(r"@?[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)
_lock = threading.Lock()
_nlp = None


def _load():  # noqa: ANN202 - spaCy Language
    global _nlp  # noqa: PLW0603 - loaded once per process
    with _lock:
        if _nlp is None:
            import spacy

            _nlp = spacy.load(MODEL_DIR)
    return _nlp


def available() -> bool:
    return (MODEL_DIR / "meta.json").is_file()


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def find_person_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of person names, per text (batched for speed)."""
    from spacy.tokens import Doc

    nlp = _load()
    ner = nlp.get_pipe("ner")
    offsets = [_tokens(t) for t in texts]
    docs = [
        Doc(nlp.vocab, words=[t[s:e] for s, e in offs] or [" "])
        for t, offs in zip(texts, offsets, strict=True)
    ]
    out: list[list[tuple[int, int]]] = []
    for text, doc, offs in zip(texts, ner.pipe(docs, batch_size=256), offsets, strict=True):
        spans = []
        for ent in doc.ents:
            if ent.label_ != "PER" or not offs:
                continue
            start = offs[ent.start][0]
            end = offs[ent.end - 1][1]
            if text[start] == "@":  # a mention: the name is what follows the @
                start += 1
            spans.append((start, end))
        out.append(spans)
    return out


def person_finder() -> Callable[[str], list[tuple[int, int]]] | None:
    if not available():
        return None
    return lambda text: find_person_spans([text])[0]
