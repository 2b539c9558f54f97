"""Helpers the rule modules share: building findings, matching phrases, splitting sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ordstyrer.policy.types import Finding, Severity

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy


def finding(
    policy: Policy,
    rule_id: str,
    message_nb: str,
    message_en: str,
    *,
    nn: str = "",
    severity: Severity | None = None,
    span: tuple[int, int] | None = None,
) -> Finding:
    """A finding of `rule_id` citing the municipality; severity defaults to rules.md "how"."""
    from ordstyrer.policy.catalogue import RULES

    sev = severity or RULES[rule_id].severity or "warn"
    citation = policy.citation(rule_id)
    if citation is None:  # pragma: no cover - checks only run for rules the policy switches on
        raise LookupError(rule_id)
    return Finding(
        rule=rule_id,
        severity=sev,
        message_nb=message_nb,
        message_en=message_en,
        citation=citation,
        span=span,
        message_nn=nn,
    )


def unknown(
    policy: Policy,
    rule_id: str,
    index: int,
    key: str,
    question_nb: str,
    question_en: str,
    question_nn: str = "",
) -> Finding:
    """A `warn`: the media key this rule needs was not given, so the rule cannot be checked."""
    return finding(
        policy,
        rule_id,
        f"Vedlegg {index + 1}: «{key}» er ikke oppgitt, så regelen kan ikke sjekkes. {question_nb}",
        f"Attachment {index + 1}: “{key}” is not given, so the rule cannot be checked. "
        f"{question_en}",
        nn=f"Vedlegg {index + 1}: «{key}» er ikkje oppgitt, så regelen kan ikkje sjekkast. "
        f"{question_nn or question_nb}",
        severity="warn",
    )


def phrases(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of `patterns` as whole words."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\wæøåÆØÅ])(?:{body})(?![\wæøåÆØÅ])", re.IGNORECASE)


def spans(pattern: re.Pattern[str], text: str, offset: int = 0) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text):
        yield (offset + match.start(), offset + match.end())


# A sentence ends at . ! ? before a capital letter (not "i 3. klasse", "12. mars"), or at
# a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"0-9])|\n+")


def sentences(text: str) -> Iterable[tuple[int, str]]:
    """(offset, sentence) pairs; good enough for the phrase rules, not a tokenizer."""
    start = 0
    for match in _BOUNDARY.finditer(text):
        if text[start : match.start()].strip():
            yield start, text[start : match.start()]
        start = match.end()
    if text[start:].strip():
        yield start, text[start:]


_WORD = re.compile(r"[\wæøåÆØÅ]+(?:[-'][\wæøåÆØÅ]+)*")


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def quote(text: str, span: tuple[int, int], limit: int = 60) -> str:
    snippet = " ".join(text[span[0] : span[1]].split())
    return snippet if len(snippet) <= limit else snippet[: limit - 1] + "…"
