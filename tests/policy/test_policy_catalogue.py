"""The rule registry holds exactly the rules of rules.md, and every preset switches on
exactly the rules whose "who" column has its municipality's letter."""

from __future__ import annotations

import pytest

from ordstyrer.policy import FAMILIES, RULES, get_rule, load_preset, preset_ids, rule_ids
from ordstyrer.policy.catalogue import CHECKS
from ordstyrer.policy.errors import PolicyError

from .helpers import HOW, PRESETS, RULES_MD, WHO, expected_rules, parse_rules_md

DRAFT_CHECKED = {
    "PU-1",
    "PU-2",
    "PU-3",
    "PU-4",
    "PU-5",
    "PU-6",
    "PU-7",
    "PU-8",
    "PU-9",
    "PU-10",
    "PU-12",
    "DI-5",
    "DI-6",
    "DI-9",
}


def test_registry_matches_rules_md_file():
    if not RULES_MD.exists():
        pytest.skip(f"{RULES_MD} is not present; the copied table in helpers.py is used instead")
    parsed = parse_rules_md(RULES_MD.read_text(encoding="utf-8"))
    assert set(parsed) == set(RULES)
    assert parsed == {rule_id: (HOW[rule_id], WHO[rule_id]) for rule_id in WHO}


def test_registry_holds_every_rule_id_in_order():
    assert rule_ids() == tuple(WHO)  # CH-1 … EM-9, the order of rules.md
    assert len(rule_ids()) == 53


@pytest.mark.parametrize("rule_id", list(WHO))
def test_rule_entry(rule_id):
    rule = get_rule(rule_id)
    assert rule.id == rule_id
    assert rule.family == rule_id.split("-")[0] and rule.family in FAMILIES
    assert " + ".join(rule.how) == HOW[rule_id]
    for text in (rule.title, rule.text):
        assert text.nb.strip() and text.nn.strip() and text.en.strip()
        assert text.get("nn") == text.nn and text.get("xx") == text.nb
    assert rule.draft_check == (rule_id in DRAFT_CHECKED)
    assert (rule_id in CHECKS) == rule.draft_check
    expected = "block" if "block" in HOW[rule_id] else "warn" if "warn" in HOW[rule_id] else None
    assert rule.severity == expected


def test_nynorsk_texts_differ_from_bokmal_where_the_languages_differ():
    # A cheap guard against copy-paste: most rule texts must have Nynorsk forms.
    differing = sum(1 for r in RULES.values() if r.text.nn != r.text.nb)
    assert differing >= 50


def test_unknown_rule_id():
    with pytest.raises(PolicyError, match="Ukjent regel «XX-1»"):
        get_rule("XX-1")


def test_preset_ids():
    assert set(preset_ids()) == set(PRESETS)
    assert list(preset_ids()) == sorted(PRESETS)


@pytest.mark.parametrize("preset_id", PRESETS)
def test_preset_switches_on_exactly_its_rules(preset_id):
    preset = load_preset(preset_id)
    assert set(preset.rules) == expected_rules(preset_id)
    assert list(preset.rules) == [r for r in rule_ids() if r in preset.rules]  # catalogue order


@pytest.mark.parametrize("preset_id", PRESETS)
def test_preset_sets_every_parameter_its_rules_declare(preset_id):
    for rule_id, setting in load_preset(preset_id).rules.items():
        assert set(setting.params) == set(RULES[rule_id].params), rule_id


def test_every_rule_is_on_in_some_preset():
    on = set().union(*(load_preset(p).rules for p in PRESETS))
    assert on == set(RULES)


@pytest.mark.parametrize("bad", ["", "Gausdal", "../gausdal", "oslo", None])
def test_unknown_preset(bad):
    with pytest.raises(PolicyError):
        load_preset(bad)
