"""The item's category is one of its labels, and deleting rests on the grounds' own labels.

`Triage.category` is what the inbox sorts, counts and matches automatic rules on, so it
must be a category the model assigned (its score at its threshold), never a raw top score
that fell short; a harmful label comes before an answering one (DI-1, DI-12, CH-5,
MO-1). And `delete_allowed` needs a label that backs a fitting deletion ground to score
≥ 0.8: a spam score says nothing where spam is no ground (MO-1, HS-02).

Scores are set through triage's public `cascade` seam (a second reading whose scores are
the final ones); the shipped thresholds are hate_speech 0.40, harassment 0.55, rumour
0.65, spam 0.35, complaint 0.35, with the fallback label on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from ordstyrer.language.classify import CATEGORIES
from ordstyrer.language.triage import decide, triage
from ordstyrer.policy import load_policy

NATIONAL_ID = "05099242649"  # valid check digits


class Scored:
    """A second reading that gives the scores the test sets (`classify.Cascade`)."""

    def __init__(self, **scores: float) -> None:
        self.row = [scores.get(c, 0.01) for c in CATEGORIES]

    def combine(
        self, texts: Sequence[str], fast: np.ndarray, fast_thresholds: Sequence[float]
    ) -> np.ndarray:
        return np.asarray([self.row for _ in texts], dtype=np.float64)


def test_a_rumour_score_under_its_threshold_is_not_the_category() -> None:
    """DI-12, DI-1: a question whose rumour score (0.60) fell short of 0.65 is labelled a
    question and answered; its category is the question, not the rumour."""
    result = triage(
        "Er det riktig at ungdomsskolen i sentrum blir flyttet til neste høst?",
        policy=load_policy("birkenes"),
        cascade=Scored(rumour=0.60, question=0.55),
    )
    assert result.labels == ("question",)
    assert result.action == "answer"
    assert result.category == "question"


def test_a_hate_score_under_its_threshold_leaves_a_complaint_a_complaint() -> None:
    """DI-1, CH-5: hate speech at 0.38 (threshold 0.40) is no label; the complaint is the
    category, so the item waits for an answer."""
    result = triage(
        "Helt uforståelig at gatelysene langs skoleveien har vært slukket i tre uker",
        policy=load_policy("indre-fosen"),
        cascade=Scored(hate_speech=0.38, complaint=0.36),
    )
    assert result.labels == ("complaint",)
    assert result.category == "complaint"
    assert result.action == "acknowledge"


def test_an_assigned_harmful_label_is_the_category_over_a_higher_answering_one() -> None:
    """MO-1: a comment labelled hate speech (0.45) is hate speech even when its complaint
    score (0.70) is higher, so it is sorted first and the hate-speech rules see it."""
    result = triage(
        "Klagen min på renovasjonen blir ignorert, typisk for folk som dere",
        policy=load_policy("indre-fosen"),
        cascade=Scored(hate_speech=0.45, complaint=0.70),
    )
    assert set(result.labels) == {"complaint", "hate_speech"}
    assert result.category == "hate_speech"
    assert result.action == "hide"


def test_the_category_is_sensitive_only_for_a_national_id_number() -> None:
    """PU-1: without an ID number, an unassigned top spam score is not rewritten into
    «sensitive»; the fallback's answering label is the category."""
    result = triage(
        "Kan noen forklare meg hvordan parkeringsautomaten ved torget virker",
        policy=load_policy("indre-fosen"),
        cascade=Scored(spam=0.30, neutral=0.25, question=0.20),
    )
    assert result.labels == ("neutral",)
    assert result.category == "neutral"


def test_a_national_id_number_makes_the_category_sensitive_not_spam() -> None:
    """PU-1, issue #18: a number the citizen writes is sensitive, never spam."""
    result = triage(
        f"Jeg har ventet lenge på vedtaket, personnummeret mitt er {NATIONAL_ID}",
        policy=load_policy("indre-fosen"),
        cascade=Scored(spam=0.90, complaint=0.50),
    )
    assert "spam" not in result.labels and "sensitive" in result.labels
    assert result.category == "sensitive"
    assert result.action == "hide"


@pytest.mark.parametrize(
    ("preset", "ground"), [("rennebu", "harassment"), ("midt-telemark", "personal_attack")]
)
def test_spam_confidence_does_not_allow_deleting_for_harassment(preset: str, ground: str) -> None:
    """MO-1, HS-02: where spam is no ground, a scam with a swear word (spam 0.97,
    harassment capped at 0.79) is hidden for harassment, never a deletion candidate."""
    scores = dict.fromkeys(CATEGORIES, 0.01) | {"spam": 0.97, "harassment": 0.79}
    assert decide(scores, {"spam", "harassment"}, [], load_policy(preset)) == ("hide", (ground,))
    result = triage(
        "Dritt kommune, men klikk lenken i bioen min og få gratis gavekort nå",
        policy=load_policy(preset),
        cascade=Scored(spam=0.97, harassment=0.79),
    )
    assert result.action == "hide"
    assert result.grounds == (ground,)


def test_a_confident_spam_score_still_allows_deleting_where_spam_is_a_ground() -> None:
    """MO-1, HS-02: Indre Fosen lists spam; spam at 0.97 backs it."""
    scores = dict.fromkeys(CATEGORIES, 0.01) | {"spam": 0.97, "harassment": 0.79}
    action, grounds = decide(scores, {"spam", "harassment"}, [], load_policy("indre-fosen"))
    assert action == "delete_allowed"
    assert grounds == ("spam",)
