"""The guideline page's and the house rules' Nynorsk after the December language review
(shared/reviews/language-review-2026-12.md, rows 8, 13 and 30–41): one term per concept,
as the console's catalogue has it (*førespurnad*, *vise vidare*, *bevispakke*,
*omdøme*), strong participles that agree, and the adverb where it means what the
guideline says."""

from __future__ import annotations

import re

import pytest

from ordstyrer.policy.catalogue import RULES
from ordstyrer.policy.house_rules import H

# Forms the review found in Nynorsk texts, and the row that replaced each.
REJECTED_IN_NYNORSK = {
    r"\bhenvending": "rows 8, 32–37: førespurnad",
    r"\bomdømm": "row 30: omdøme",
    r"\bprovpakke": "row 31: bevispakke",
    r"\bvis til rett instans|\bviste til politisk": "rows 33, 36: vise vidare til",
    r"\bforbode på": "row 38: forbodne (plural subject)",
    r"\bføreslegne": "row 39: føreslåtte",
    r"\bsaksystem": "row 40: sakssystem",
    r"\bbilete av born\b": "row 41: barn, as in the console",
}


def _nynorsk_texts() -> list[tuple[str, str]]:
    texts = []
    for rule_id, rule in RULES.items():
        texts += [(f"{rule_id} title", rule.title.nn), (f"{rule_id} text", rule.text.nn)]
    for key, value in H.items():
        nynorsk = value.get("nn", "")
        texts += [
            (f"house rules {key}", t)
            for t in (nynorsk if isinstance(nynorsk, tuple) else (nynorsk,))
        ]
    return texts


@pytest.mark.parametrize(("pattern", "why"), sorted(REJECTED_IN_NYNORSK.items()))
def test_no_rejected_form_is_left_in_the_nynorsk_guideline(pattern, why):
    found = [where for where, text in _nynorsk_texts() if re.search(pattern, text, re.I)]
    assert not found, f"{why}: {found}"


def test_deletion_lead_says_comments_and_only_on_these_grounds():
    # Row 13: «kommentarer», and «bare» before the grounds (not "deletes only comments").
    assert (
        "Vi sletter kommentarer bare på ett av disse grunnlagene"
        in H["grounds_lead_very_high_threshold"]["nb"]
    )
    assert (
        "Vi slettar kommentarar berre på eitt av desse grunnlaga"
        in H["grounds_lead_very_high_threshold"]["nn"]
    )
    assert "ein formell førespurnad" in H["formal_text"]["nn"]  # row 8, with the article
