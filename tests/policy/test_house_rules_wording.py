"""The public house rules (CH-10) promise only what the municipality's guideline says:
a preset's `[house_rules]` picks its guideline's wording for the response time (DI-1)
and for deletion (MO-1), and may not word a rule the preset leaves off."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ordstyrer.cli import main
from ordstyrer.policy import load_policy
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.preset import parse_preset

PRESETS_DIR = Path(__file__).resolve().parents[2] / "src/ordstyrer/policy/presets"


def raw(preset_id: str) -> dict:
    return tomllib.loads((PRESETS_DIR / f"{preset_id}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("preset_id", "response", "deletion"),
    [
        ("indre-fosen", "as_soon_as_possible", "very_high_threshold"),
        ("rennebu", None, "as_soon_as_discovered"),
        ("midt-telemark", None, "extraordinary_cases"),
        ("birkenes", None, "shall_be_deleted"),
        ("gausdal", "within_one_day", None),
    ],
)
def test_each_preset_words_its_house_rules_from_its_guideline(preset_id, response, deletion):
    wording = load_policy(preset_id).preset.house_rules
    assert (wording.response, wording.deletion) == (response, deletion)


def test_a_response_promise_without_di1_is_refused():
    data = raw("rennebu")
    data["house_rules"] = {**data["house_rules"], "response": "within_one_day"}
    with pytest.raises(PolicyError, match="uten DI-1"):
        parse_preset(data)


def test_mo1_needs_its_deletion_wording():
    data = raw("birkenes")
    del data["house_rules"]
    with pytest.raises(PolicyError, match="house_rules.deletion"):
        parse_preset(data)


def test_an_unknown_wording_is_refused():
    data = raw("gausdal")
    data["house_rules"] = {"response": "within_two_hours"}
    with pytest.raises(PolicyError, match="within_one_day"):
        parse_preset(data)


@pytest.mark.parametrize("preset_id", ["rennebu", "midt-telemark", "birkenes", "indre-fosen"])
def test_policy_show_house_rules_promises_no_time_the_guideline_lacks(preset_id, capsys):
    """`ordstyrer policy show --house-rules` said «innen én arbeidsdag» for R, M and B and
    «innen 2 timer» for F; none of their guidelines gives a time (DI-1)."""
    assert main(["policy", "show", "--preset", preset_id, "--house-rules"]) == 0
    out = capsys.readouterr().out
    assert "arbeidsdag" not in out and "2 timer" not in out
