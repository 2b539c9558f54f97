"""Triage on arrival gives each comment the same outcome in a batch as alone (DI-1 …
DI-12, MO-1, PU-1; issue #14): a drain triages a backlog's texts together
(`inbox.triage.triage_texts`), `inbox_ingest` one at a time (`triage_text`), and the
editor must see the same category, personal data, written standard, suggested action
and grounds whichever path a comment took. The set is varied: every fifth labelled
comment of the shipped corpus (Bokmål and Nynorsk, names, emoji, lower case) and texts
with a national ID number, a phone number, an e-mail address, a mention, a name written
in lower case, duplicates, a long text and one with no letters at all."""

from __future__ import annotations

import json

import pytest

from ordstyrer.inbox.triage import triage_text, triage_texts
from ordstyrer.language import names
from ordstyrer.policy import load_policy

CORPUS = names.MODEL_DIR.parent.parent / "data" / "comments.jsonl"
EXTRA = [
    "Eleven med fødselsnummer 15038512363 har fått plass ved skolen fra høsten.",
    "Ring meg på 412 34 567 om byggesaken min, eller skriv til ola@example.no",
    "@Kari Nordmann kan du svare meg på dette?",
    "ola nordmann på teknisk sa at vegen skulle vere brøyta i går, kva skjer",
    "Hvorfor svarer ingen? Hvorfor svarer ingen?",
    "Hvorfor svarer ingen? Hvorfor svarer ingen?",
    "Kjøp billige klokker her www.klokker-billig.com 🔥🔥",
    "👍👍👍",
    "1234 5678 9012",
    " ".join(["Jeg har ventet på svar fra Per Hansen i byggesaksavdelingen i tre uker."] * 12),
]


def _texts() -> list[str]:
    with CORPUS.open(encoding="utf-8") as lines:
        corpus = [json.loads(line)["text"] for line in lines]
    return corpus[::5] + EXTRA


@pytest.mark.parametrize("preset", ["indre-fosen", "gausdal"])
def test_a_batch_triages_every_comment_as_one_at_a_time(preset) -> None:
    policy = load_policy(preset)
    texts = _texts()
    together = triage_texts(texts, policy)
    for text, outcome in zip(texts, together, strict=True):
        assert outcome == triage_text(text, policy), text
    # The set is varied enough to mean something: names, ID numbers, both standards.
    kinds = {mark["type"] for outcome in together for mark in outcome.personal_data}
    assert {"person", "national_id", "phone", "email"} <= kinds
    assert {o.written_standard for o in together} >= {"nb", "nn"}
    assert len({o.action for o in together}) >= 5


def test_the_name_network_finds_the_same_names_on_numpy_blas_as_on_blis() -> None:
    """The worker runs the name network's products on numpy's BLAS (one thread), not
    thinc's default blis, for about half its CPU (issue #14): the names it finds, and so
    PU-1's marks and MO-1's "navngir tredjepersoner", must be the same."""
    import spacy
    from spacy.tokens import Doc

    texts = _texts()
    triage_texts(texts[:40], load_policy("indre-fosen"))  # loads the shipped model, tuned
    tuned = names._nlp
    reference = spacy.load(names.MODEL_DIR)  # thinc's default ops: blis
    networks = [name for name, pipe in tuned.pipeline if getattr(pipe, "model", None)]
    assert networks
    for name in networks:
        assert not tuned.get_pipe(name).model.ops.use_blis
        assert reference.get_pipe(name).model.ops.use_blis
        found = {}
        for nlp in (tuned, reference):
            docs = [
                Doc(nlp.vocab, words=[t[s:e] for s, e in names._tokens(t)])
                for t in texts
                if t.strip()
            ]
            found[nlp is tuned] = [
                [(e.start, e.end, e.label_) for e in doc.ents]
                for doc in nlp.get_pipe(name).pipe(docs, batch_size=64)
            ]
        assert found[True] == found[False], name
        assert sum(map(bool, found[True])) >= 20  # names were found, not nothing twice
