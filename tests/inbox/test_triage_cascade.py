"""Triage on arrival with the cascade (issue #16): an installation that turns on
`ORDSTYRER_LANGUAGE_CASCADE` gets every comment read by the fine-tuned encoder as well;
one whose cascade cannot load keeps triaging on the fast path and says so in the log."""

from __future__ import annotations

import logging

import pytest

from ordstyrer.inbox import triage as inbox_triage
from ordstyrer.language import cascade
from ordstyrer.language.triage import triage_many
from ordstyrer.policy import load_policy

TEXTS = [
    "Kor lenge skal vi vente på svar om søknaden til barnehagen?",
    "takk til alle som stilte opp på dugnaden i går, flott gjort",
    "Dette er bare tull fra ende til annen, skjerp dokk",
    "Vinn en iPhone 17! Klikk på lenken i profilen vår for å hente premien",
]


@pytest.fixture(autouse=True)
def fresh_cascade():  # noqa: ANN201
    inbox_triage._load_cascade.cache_clear()  # noqa: SLF001 - loaded once per process
    yield
    inbox_triage._load_cascade.cache_clear()  # noqa: SLF001


def test_the_setting_sends_every_comment_through_the_cascade(settings) -> None:  # noqa: ANN001
    policy = load_policy("indre-fosen")
    settings.ORDSTYRER_LANGUAGE_CASCADE = False
    fast = inbox_triage.triage_texts(TEXTS, policy)
    settings.ORDSTYRER_LANGUAGE_CASCADE = True
    with_cascade = inbox_triage.triage_texts(TEXTS, policy)
    expected = triage_many([(t, None) for t in TEXTS], policy=policy, cascade=cascade.load_reader())
    assert with_cascade == [inbox_triage.outcome_of(r, policy) for r in expected]
    assert [o.detail for o in with_cascade] != [o.detail for o in fast]  # the scores moved


def test_a_cascade_that_cannot_load_leaves_the_fast_path(settings, monkeypatch, caplog) -> None:  # noqa: ANN001
    def broken() -> None:
        raise cascade.ReaderMismatch("reader.npz was tuned on another e5-small-q4.bin")

    monkeypatch.setattr(cascade, "load_reader", broken)
    policy = load_policy("indre-fosen")
    settings.ORDSTYRER_LANGUAGE_CASCADE = False
    fast = inbox_triage.triage_texts(TEXTS, policy)
    settings.ORDSTYRER_LANGUAGE_CASCADE = True
    with caplog.at_level(logging.WARNING, logger="ordstyrer.inbox"):
        outcomes = inbox_triage.triage_texts(TEXTS, policy)
        inbox_triage.triage_texts(TEXTS, policy)
    assert outcomes == fast
    warnings = [r for r in caplog.records if r.getMessage() == "language cascade unavailable"]
    assert len(warnings) == 1  # said once, not for every comment
