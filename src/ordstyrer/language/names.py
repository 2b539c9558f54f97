"""Person names in comments and posts (PU-1; Midt-Telemark MO-1 "navngir tredjepersoner").

A spaCy pipeline (`spacy.blank("nb")` + NER; only PER spans are used) trained on NorNE with
lower-case and comment-style augmentation, shipped in `models/names/` and loaded
once, lazily, followed by `apply_rules` (`refine_person_spans`, two rules on the
network's spans, `repeat_person_names`, `add_double_first_names` and `add_lone_names`,
each on when the training command chose it). A cheap gate (`may_contain_name`) decides
which texts go through the network at all.
`ordstyrer.language.pii` calls `person_finder()`. The training command's dev figures
(`ordstyrer.language.train.names.evaluate`) run the same network and the same rules.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "models" / "names"
# Words, numbers and single punctuation marks, split as NorNE's words are (the networks
# are trained on them): an initial keeps its full stop ("Odd W. Surén", "M. King
# Hubbert") and a possessive after s, x or z its apostrophe ("Paulus' brev"); split off,
# they broke names in two (issue #16: on held-out NorNE train, Nynorsk cased PER F1
# 0.855 -> 0.871 with the same network; Bokmål unchanged).
_TOKEN = re.compile(
    r"(?<![^\W\d_])[A-ZÆØÅ]\.(?=\s*[^\W\d_])"  # an initial before a word
    r"|@?[^\W\d_]+(?:[-'’][^\W\d_]+)*(?:(?<=[sxzSXZ])['’](?!\w))?"
    r"|\d+|[^\w\s]",
    re.UNICODE,
)
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


# First names in the list that are far more often everyday words ("den", "i helga",
# "mitt", "finn ut"): on their own, at the start of a sentence or in lower case, they
# do not send a comment through the network (a capital inside a sentence still does).
_EVERYDAY = frozenset({"den", "mitt", "august", "bror", "helga", "finn", "line", "tang"})


# A text with no capital letter at all and at least this many tokens is "written in
# lower case" and goes through the network whatever its words (issue #16: the gate lost
# 43 % of the names in lower-cased NorNE train sentences; with this rule 2 %, while 26 %
# instead of 19 % of the labelled comments pass the gate). Chosen on NorNE *train*.
LOWER_CASE_MIN_TOKENS = 6
# ... of which at least this many are words: "tlf +47 45 21 17 85" is a phone number, not
# a sentence (the lower-case network read "tlf" as a name). On held-out NorNE train,
# lower-cased, the gate loses 3 of 699 names with this rule as without it.
LOWER_CASE_MIN_WORDS = 3


NAME_WORDS = MODEL_DIR / "name_words.txt"


@functools.cache
def _word_list(path: Path) -> frozenset[str]:
    """A word list the training command writes next to the model, read once a process
    (empty when the model has none)."""
    return frozenset(path.read_text("utf-8").split() if path.is_file() else [])


def name_words() -> frozenset[str]:
    """Capitalised words that NorNE train tags as (part of) a person's name at least as
    often as not ("Treider", "Stoltenberg"), written by the training command next to the
    model; a sentence that opens with one goes through the network (issue #16: a lone
    surname opening a sentence was the gate's largest loss)."""
    return _word_list(NAME_WORDS)


EVERYDAY_WORDS = MODEL_DIR / "everyday_words.txt"


def everyday_words() -> frozenset[str]:
    """Words seen written in lower case at least twice in the NoReC training text and
    NorNE train's training part, written by the training command next to the model when
    it chose the gate's opener rule (empty otherwise: the rule is off)."""
    return _word_list(EVERYDAY_WORDS)


def _unknown_opener(word: str, everyday: frozenset[str]) -> bool:
    """A sentence opens with a capitalised word that is not an everyday word written with
    a capital ("Hanevik fortel ...", "Traavik får ..."), not "Når", "Takk"."""
    return (
        bool(everyday)
        and len(word) > 1
        and word[:1].isupper()
        and word[1:].islower()
        and word.lower() not in everyday
    )


def may_contain_name(
    text: str,
    offsets: list[tuple[int, int]],
    *,
    known: frozenset[str] | None = None,
    everyday: frozenset[str] | None = None,
) -> bool:
    """Cheap gate before the network: a capital inside a sentence, a known first name or
    name word (`name_words`; `known` overrides the shipped list), a sentence that opens
    with a capitalised word that is not an everyday word (`everyday_words`; `everyday`
    overrides the shipped list, empty = off), an @, or a longer text written all in lower
    case (six tokens or more, three of them words).

    Comments with none of these ("Når åpner biblioteket?") cannot hold a name the model
    would find, so they skip it; this is what makes the full pipeline fast.
    """
    from ordstyrer.language.features import first_names, lower_first_names

    if (
        len(offsets) >= LOWER_CASE_MIN_TOKENS
        and text.lower() == text
        and sum(text[s].isalpha() or text[s] == "@" for s, _ in offsets) >= LOWER_CASE_MIN_WORDS
    ):
        return True
    names = first_names()
    known = name_words() if known is None else known
    everyday = everyday_words() if everyday is None else everyday
    lower = lower_first_names()
    sentence_start = True
    for s, e in offsets:
        word = text[s:e]
        if word.startswith("@"):
            return True
        if word[:1].isupper() and (
            not sentence_start
            or (word in names and word.lower() not in _EVERYDAY)
            or word in known
            or _unknown_opener(word, everyday)
        ):
            return True
        if word.islower() and word in lower and len(word) > 2 and word not in _EVERYDAY:
            return True
        sentence_start = word in {".", "!", "?", ":"}
    return False


_SENTENCE_END = frozenset({".", "!", "?", ":"})


def _capitalised(word: str) -> bool:
    word = word.lstrip("@")
    return word[:1].isupper() and not word.isupper()


def refine_person_spans(words: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The name model's PER spans (token start, end), with two rules applied.

    - A lone letter is not a name ("plan B", "Plan B eksisterer", "plan B. Det").
    - In a text that capitalises words inside its sentences, a span with no capitalised
      word is not a name ("fjerne benvev", "klokka tenish"); in a text written in lower
      case ("ola nordmann på teknisk") every span is kept.

    Whether they apply is chosen by the training command on held-out NorNE *train*
    (`span_rules_on`); the shipped pipeline and the training command's figures both go
    through `apply_rules`.
    """
    cased = any(
        _capitalised(word) and i > 0 and words[i - 1] not in _SENTENCE_END
        for i, word in enumerate(words)
    )
    return [
        (s, e)
        for s, e in spans
        if not (e - s == 1 and len(words[s].lstrip("@").rstrip(".")) == 1)
        and (not cased or any(_capitalised(w) for w in words[s:e]))
    ]


def repeat_person_names(words: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans, plus each other place in the text where a word of a found full name
    stands alone ("Jens Treider ... sa Treider"): news and comments name a person in full
    once, then by surname. Only words of two letters or more, capitalised unless the text
    is written in lower case (issue #16: lone surnames were the largest group of misses)."""
    lower = all(w == w.lower() for w in words)
    covered = {i for s, e in spans for i in range(s, e)}
    parts = {
        w.lstrip("@")
        for s, e in spans
        if e - s > 1
        for w in words[s:e]
        if len(w.lstrip("@")) > 1 and (lower or _capitalised(w))
    }
    if not parts:
        return spans
    extra = [(i, i + 1) for i, w in enumerate(words) if i not in covered and w.lstrip("@") in parts]
    return sorted([*spans, *extra])


def add_double_first_names(words: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans, plus each double first name outside them whose parts are all known first
    names, with the capitalised word after it ("Anne-Britt Gran", "Jan-Morten Bjørnbakk":
    the network misses hyphenated first names it has not seen). Whether it applies is
    chosen on held-out NorNE *train* (`double_rule_on`)."""
    from ordstyrer.language.features import first_names

    known = first_names()
    covered = {i for s, e in spans for i in range(s, e)}
    extra = [
        (i, i + 2)
        for i, w in enumerate(words[:-1])
        if "-" in w
        and i not in covered
        and i + 1 not in covered
        and _capitalised(w)
        and _capitalised(words[i + 1])
        and all(p in known and p.lower() not in _EVERYDAY for p in w.lstrip("@").split("-"))
    ]
    return sorted([*spans, *extra]) if extra else spans


LONE_NAMES = MODEL_DIR / "lone_names.txt"


def lone_names() -> frozenset[str]:
    """Capitalised words that NorNE train tags as a person's name (nearly) every time they
    occur (`LONE_NAME_SHARE` in the training command: "Stoltenberg", "Treider"), written
    by the training command next to the model."""
    return _word_list(LONE_NAMES)


def add_lone_names(
    words: list[str], spans: list[tuple[int, int]], lone: frozenset[str]
) -> list[tuple[int, int]]:
    """The spans, plus each word outside them that is in `lone` (capitalised, exact case):
    a surname standing alone that the network missed, often at the start of a sentence
    ("Solli skåra dei to siste måla"; issue #16: lone surnames were the largest group of
    misses). Whether it applies is chosen on held-out NorNE *train* (`lone_rule_on`)."""
    covered = {i for s, e in spans for i in range(s, e)}
    extra = [(i, i + 1) for i, w in enumerate(words) if i not in covered and w in lone]
    return sorted([*spans, *extra]) if extra else spans


def written_in_lower_case(text: str) -> bool:
    """A text with no capital letter: it goes to the lower-case network, when there is one."""
    return text.lower() == text


def span_rules_on(nlp) -> bool:  # noqa: ANN001 - spaCy Language
    """Whether `refine_person_spans` applies: chosen on held-out NorNE *train* at training
    time and stored in the model's meta (older models: on)."""
    return bool(nlp.meta.get("ordstyrer", {}).get("span_rules", True))


def repeat_rule_on(nlp) -> bool:  # noqa: ANN001 - spaCy Language
    """Whether `repeat_person_names` applies (chosen like the span rules; older models: off)."""
    return bool(nlp.meta.get("ordstyrer", {}).get("repeat_names", False))


def lone_rule_on(nlp) -> bool:  # noqa: ANN001 - spaCy Language
    """Whether `add_lone_names` applies (chosen like the span rules; older models: off)."""
    return bool(nlp.meta.get("ordstyrer", {}).get("lone_names", False))


def double_rule_on(nlp) -> bool:  # noqa: ANN001 - spaCy Language
    """Whether `add_double_first_names` applies (chosen like the span rules; older models: off)."""
    return bool(nlp.meta.get("ordstyrer", {}).get("double_first_names", False))


def apply_rules(  # noqa: PLR0913
    text: str,
    offsets: list[tuple[int, int]],
    found: list[tuple[int, int]],
    *,
    rules: bool,
    repeat: bool,
    lone: frozenset[str] = frozenset(),
    double: bool = False,
) -> list[tuple[int, int]]:
    """The network's token spans in `text` (tokens `offsets`) after the chosen rules, as
    character spans (a mention's @ left out)."""
    if rules or repeat or lone or double:
        words = [text[s:e] for s, e in offsets]
        if rules:
            found = refine_person_spans(words, found)
        if repeat:
            found = repeat_person_names(words, found)
        if double:
            found = add_double_first_names(words, found)
        if lone:
            found = add_lone_names(words, found, lone)
    spans = []
    for first, last in found:
        start = offsets[first][0]
        if text[start] == "@":  # a mention: the name is what follows the @
            start += 1
        spans.append((start, offsets[last - 1][1]))
    return spans


def find_person_spans(
    texts: list[str],
    *,
    gate: bool = True,
    nlp=None,  # noqa: ANN001 - spaCy Language; None = the shipped model
    known: frozenset[str] | None = None,
    lone: frozenset[str] | None = None,
    everyday: frozenset[str] | None = None,
) -> list[list[tuple[int, int]]]:
    """Character spans of person names, per text (batched for speed).

    A text written in lower case goes through the lower-case network (`ner_lower`)
    when the model has one, every other text through the cased network (`ner`), so
    the lower-case path costs cased text nothing (issue #16). spaCy and the model are
    loaded only when a text passes the gate. `nlp`, `known` and `everyday` (the gate's
    name words and everyday words) and `lone` (the lone-name words, used when the
    model's meta has the rule on) are for the training command, which measures its
    candidates through this function.
    """
    offsets = [_tokens(t) for t in texts]
    run = [
        i
        for i, (t, offs) in enumerate(zip(texts, offsets, strict=True))
        if offs and (not gate or may_contain_name(t, offs, known=known, everyday=everyday))
    ]
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    if not run:
        return out
    if nlp is None:
        nlp = _load()
    rules = span_rules_on(nlp)
    repeat = repeat_rule_on(nlp)
    double = double_rule_on(nlp)
    if not lone_rule_on(nlp):
        lone = frozenset()
    elif lone is None:
        lone = lone_names()
    for i, found in zip(run, network_spans(nlp, texts, offsets, run), strict=True):
        out[i] = apply_rules(
            texts[i], offsets[i], found, rules=rules, repeat=repeat, lone=lone, double=double
        )
    return out


def network_spans(  # noqa: ANN001 - spaCy Language
    nlp, texts: list[str], offsets: list[list[tuple[int, int]]], indices: list[int]
) -> list[list[tuple[int, int]]]:
    """The network's PER token spans for `texts[i]`, `i` in `indices` (in that order): a
    text written in lower case through `ner_lower` when the model has one, any other
    through `ner`."""
    from spacy.tokens import Doc

    groups: dict[str, list[int]] = {}
    lower_pipe = "ner_lower" if "ner_lower" in nlp.pipe_names else "ner"
    for i in indices:
        groups.setdefault(lower_pipe if written_in_lower_case(texts[i]) else "ner", []).append(i)
    found: dict[int, list[tuple[int, int]]] = {}
    for pipe, group in groups.items():
        ner = nlp.get_pipe(pipe)
        docs = [Doc(nlp.vocab, words=[texts[i][s:e] for s, e in offsets[i]]) for i in group]
        for i, doc in zip(group, ner.pipe(docs, batch_size=256), strict=True):
            found[i] = [(ent.start, ent.end) for ent in doc.ents if ent.label_ == "PER"]
    return [found[i] for i in indices]


def person_finder() -> Callable[[str], list[tuple[int, int]]] | None:
    if not available():
        return None
    return lambda text: find_person_spans([text])[0]
