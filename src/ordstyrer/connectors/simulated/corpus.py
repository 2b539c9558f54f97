"""The simulated platform's corpus: posts, comments, replies and invented people.

Written for Ordstyrer in Bokmål and Nynorsk, one file each under `corpus/`. Every comment
carries its category (the product's triage categories) and written standard, so the
simulated stream can be used to demonstrate and test the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from ordstyrer.language.categories import CATEGORIES

LANGUAGES = ("nb", "nn")


@dataclass(frozen=True, slots=True)
class CorpusPost:
    key: int
    topic: str
    lang: str
    text: str
    link: str | None
    image_alt: str | None


@dataclass(frozen=True, slots=True)
class CorpusComment:
    key: int
    category: str
    lang: str
    topics: tuple[str, ...]  # ("*",) = fits any post
    text: str
    edited: str | None = None


@dataclass(frozen=True, slots=True)
class Corpus:
    posts: tuple[CorpusPost, ...]
    comments: tuple[CorpusComment, ...]
    replies: tuple[CorpusComment, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _lines(name: str) -> list[str]:
    text = (
        resources.files(__package__).joinpath("corpus").joinpath(name).read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _check(category: str, lang: str, where: str) -> None:
    if category not in CATEGORIES or lang not in LANGUAGES:
        raise ValueError(f"corpus {where}: unknown category/language {category!r}/{lang!r}")


@cache
def load_corpus() -> Corpus:
    posts = []
    for key, line in enumerate(_lines("posts.tsv")):
        topic, lang, text, link, alt = line.split("\t")
        posts.append(CorpusPost(key, topic, lang, text, link or None, alt or None))
    comments = []
    for key, line in enumerate(_lines("comments.txt")):
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) not in (4, 5):
            raise ValueError(f"corpus comments.txt line {key + 1}: {line!r}")
        _check(parts[0], parts[1], f"comments.txt:{key + 1}")
        comments.append(
            CorpusComment(
                key=key,
                category=parts[0],
                lang=parts[1],
                topics=tuple(t.strip() for t in parts[2].split(",")),
                text=parts[3],
                edited=parts[4] if len(parts) == 5 else None,
            )
        )
    replies = []
    for key, line in enumerate(_lines("replies.txt")):
        category, lang, text = (p.strip() for p in line.split(" | "))
        _check(category, lang, f"replies.txt:{key + 1}")
        replies.append(
            CorpusComment(key=key, category=category, lang=lang, topics=("*",), text=text)
        )
    names = {}
    for line in _lines("people.txt"):
        label, _, values = line.partition(":")
        names[label.strip()] = tuple(values.split())
    return Corpus(tuple(posts), tuple(comments), tuple(replies), names["first"], names["last"])
