"""The item's history names the crisis leader's decisions on a reply in Norwegian
(PU-12), not by their internal action names."""

from __future__ import annotations

import pytest

from ordstyrer.inbox.models import ItemEvent


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("reply_crisis_approved", "Kriselederen godkjente svaret"),
        ("reply_crisis_rejected", "Kriselederen stoppet svaret"),
    ],
)
def test_the_crisis_decisions_have_a_label(action, label):
    assert ItemEvent(action=action).label == label
