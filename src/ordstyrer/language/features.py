"""Cheap hand-made signals for comment classification (the fast path).

Each signal is a regular expression or a set look-up, so that thousands of comments a
second can be scored without spaCy or embeddings. They add what TF-IDF cannot learn
from 1,500 examples: that "Ingrid" is a first name, that an 11-digit number may be a
fødselsnummer, that "demens" is health information.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ordstyrer.language import sensitive

MODELS = Path(__file__).resolve().parent / "models"

_URL = re.compile(
    r"(https?://|www\.|\b[\w-]+\.(?:com|net|info|shop|no|io|me)\b|bit\.ly|t\.me)", re.I
)
_LONG_DIGITS = re.compile(r"\d[\d .]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w")
_MONEY = re.compile(r"(\bkr\b|kroner|,-|\d\s?%|gratis|tjen|tilbud|rabatt|avslag|gavekort)", re.I)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_MENTION = re.compile(r"@\w")
_WORD = re.compile(r"[^\W\d_]+")
_RUMOUR = re.compile(
    r"\b(hørt|hørte|høyrt|høyrde|sies|seies|visstnok|visst|rykte\w*|folk sier|folk seier|"
    r"noen sier|nokon seier|stemmer det|er det sant|alle vet|alle veit)\b",
    re.I,
)

FEATURE_NAMES = (
    "first_name_cased",
    "first_name_lower",
    "health",
    "special_category",
    "long_digits",
    "url",
    "email",
    "money",
    "emoji",
    "mention",
    "question_mark",
    "exclamation",
    "upper_ratio",
    "short",
    "long",
    "rumour_cue",
)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = (MODELS / "first_names.txt").read_text("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def lower_first_names() -> frozenset[str]:
    # Lower-case names that are also everyday words ("per", "dag", "liv", "tor") are
    # left out of the lower-case signal.
    common = {"per", "dag", "liv", "tor", "al", "ask", "bo", "eli", "gro", "mai", "sol", "stian"}
    return frozenset(n.lower() for n in first_names() if n.lower() not in common)


# Substrings (of the lower-cased text) that every match of a pattern contains: texts
# without any of them skip the regular expression, which is most texts.
_URL_CUES = ("://", "www.", "bit.ly", "t.me", ".com", ".net", ".info", ".shop", ".no", ".io", ".me")
_MONEY_CUES = (
    "kr",
    "kroner",
    ",-",
    "%",
    "gratis",
    "tjen",
    "tilbud",
    "rabatt",
    "avslag",
    "gavekort",
)
_RUMOUR_CUES = (
    "hørt",
    "høyr",
    "sies",
    "seies",
    "visst",
    "rykte",
    "sier",
    "seier",
    "stemmer det",
    "er det sant",
    "alle ve",
)


def _search(pattern: re.Pattern[str], cues: tuple[str, ...], text: str, lower: str) -> bool:
    return any(map(lower.__contains__, cues)) and pattern.search(text) is not None


def dense_features(text: str) -> np.ndarray:
    return np.asarray(_dense_values(text), dtype=np.float32)


def _dense_values(text: str) -> tuple:
    words = _WORD.findall(text)
    lower = text.lower()
    n_letters = sum(map(str.isalpha, text))
    n_upper = sum(map(str.isupper, filter(str.isalpha, text))) if n_letters else 0
    at_sign = "@" in text
    return (
        not first_names().isdisjoint(words),
        not lower_first_names().isdisjoint(words),
        sensitive.signal_pattern("health").search(text) is not None,
        sensitive.signal_pattern("special").search(text) is not None,
        _LONG_DIGITS.search(text) is not None,
        _search(_URL, _URL_CUES, text, lower),
        at_sign and _EMAIL.search(text) is not None,
        _search(_MONEY, _MONEY_CUES, text, lower),
        min(len(_EMOJI.findall(text)), 5) / 5,
        at_sign and _MENTION.search(text) is not None,
        min(text.count("?"), 3) / 3,
        min(text.count("!"), 3) / 3,
        n_upper / n_letters if n_letters else 0.0,
        len(words) <= 3,
        len(words) >= 40,
        _search(_RUMOUR, _RUMOUR_CUES, text, lower),
    )


def dense_matrix(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    return np.asarray([_dense_values(t) for t in texts], dtype=np.float32)
