"""Fixtures for the policy tests."""

from __future__ import annotations

import re

import pytest

from ordstyrer.language.pii import PersonalData
from ordstyrer.policy.rules import text_analysis

# Names used in the PU-1 cases. The NorNE name recogniser is optional at run time
# (`ordstyrer.language.names`); where it is not installed, these names are added to
# what `find_personal_data` finds, so the policy's combination logic is still tested.
TEST_NAMES = ("Ola Nordmann", "Kari Hansen")


@pytest.fixture(autouse=True)
def known_person_names(monkeypatch):
    real = text_analysis.find_personal_data

    def with_names(text: str) -> list[PersonalData]:
        hits = real(text)
        for name in TEST_NAMES:
            for match in re.finditer(re.escape(name), text):
                covered = any(h.type == "person" and h.start <= match.start() < h.end for h in hits)
                if not covered:
                    hits.append(PersonalData("person", match.start(), match.end(), name, "navn"))
        return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))

    monkeypatch.setattr(text_analysis, "find_personal_data", with_names)
