"""Overrides: per-rule parameter maps merged into a preset, validated against it."""

from __future__ import annotations

import math

import pytest

from ordstyrer.policy import PolicyError, load_policy, load_preset


@pytest.mark.parametrize(
    ("preset_id", "overrides", "rule_id", "expected"),
    [
        ("midt-telemark", {"PU-10": {"weekly_cap": 8}}, "PU-10", {"weekly_cap": 8, "daily_cap": 2}),
        (
            "gausdal",
            {"DI-1": {"answer_hours": 6}},
            "DI-1",
            {"first_response_hours": 7.5, "answer_hours": 6.0},
        ),
        ("indre-fosen", {"PU-5": {"lix_max": 45}}, "PU-5", {"lix_max": 45.0}),
        (
            "birkenes",
            {"PU-9": {"topics": ["budsjett"]}},
            "PU-9",
            {"requires_link": False, "topics": ("budsjett",)},
        ),
        ("rennebu", {"MO-1": {"grounds": ["unlawful"]}}, "MO-1", {"grounds": ("unlawful",)}),
        (
            "gausdal",
            {"CH-1": {"approval_chain": ["unit_leader", "chief_administrator"]}},
            "CH-1",
            {"approval_chain": ("unit_leader", "chief_administrator")},
        ),
        (
            "gausdal",
            {"DI-9": {"first_name_required": False}},
            "DI-9",
            {"first_name_required": False},
        ),
        ("midt-telemark", {}, "PU-10", {"weekly_cap": 10, "daily_cap": 2}),
        ("midt-telemark", None, "PU-10", {"weekly_cap": 10, "daily_cap": 2}),
    ],
)
def test_valid_overrides_merge(preset_id, overrides, rule_id, expected):
    policy = load_policy(preset_id, overrides)
    assert dict(policy.params(rule_id)) == expected
    # The cached preset itself is never changed by an override.
    assert dict(load_policy(preset_id).params(rule_id)) == dict(
        load_preset(preset_id).rules[rule_id].params
    )


def test_override_changes_response_targets_and_grounds():
    policy = load_policy("gausdal", {"DI-1": {"first_response_hours": 3.5}})
    assert policy.response_targets() == (3.5, 7.5)
    assert load_policy("indre-fosen", {"MO-1": {"grounds": ["spam"]}}).grounds() == ("spam",)


@pytest.mark.parametrize(
    ("preset_id", "overrides", "message"),
    [
        ("midt-telemark", {"XX-9": {"a": 1}}, "Ukjent regel «XX-9»"),
        ("gausdal", {"PU-10": {"weekly_cap": 8}}, "ikke slått på for Gausdal kommune"),
        ("midt-telemark", {"PU-10": {"monthly_cap": 8}}, "har ingen parameter «monthly_cap»"),
        ("midt-telemark", {"PU-10": {"weekly_cap": "8"}}, "PU-10.weekly_cap må være et heltall"),
        ("midt-telemark", {"PU-10": {"weekly_cap": 8.5}}, "må være et heltall"),
        ("midt-telemark", {"PU-10": {"weekly_cap": True}}, "må være et heltall"),
        ("midt-telemark", {"PU-10": {"weekly_cap": 0}}, "må være minst 1"),
        ("gausdal", {"DI-1": {"answer_hours": "7,5"}}, "DI-1.answer_hours må være et tall"),
        ("gausdal", {"DI-1": {"answer_hours": math.nan}}, "må være et tall"),
        ("gausdal", {"DI-1": {"answer_hours": -1}}, "må være minst 0"),
        ("gausdal", {"DI-9": {"first_name_required": "ja"}}, "må være true eller false"),
        ("rennebu", {"MO-1": {"grounds": ["spam", "weather"]}}, "ukjent kode «weather»"),
        ("rennebu", {"MO-1": {"grounds": "unlawful"}}, "må være en liste med tekster"),
        ("rennebu", {"MO-1": {"grounds": []}}, "kan ikke være tom"),
        ("rennebu", {"MO-1": {"grounds": ["unlawful", "unlawful"]}}, "samme verdi flere ganger"),
        ("gausdal", {"CH-1": {"approval_chain": ["mayor"]}}, "ukjent kode «mayor»"),
        ("gausdal", {"CH-2": {"required_plan_fields": ["colour"]}}, "ukjent kode «colour»"),
        ("gausdal", {"DI-1": 7.5}, "må være et oppslag"),
        ("gausdal", ["DI-1"], "Overstyringer må være et oppslag"),
        ("gausdal", {"PU-5": {"lix_max": 45}}, "ikke slått på"),  # PU-5 is Indre Fosen's only
    ],
)
def test_invalid_overrides_raise_norwegian_policy_error(preset_id, overrides, message):
    with pytest.raises(PolicyError, match=message):
        load_policy(preset_id, overrides)


def test_policy_error_is_a_value_error():
    # Other parts (worktime) catch ValueError for an unknown preset.
    with pytest.raises(ValueError, match="Ukjent forhåndsinnstilling"):
        load_policy("oslo")


def test_overrides_are_recorded_and_frozen():
    policy = load_policy("midt-telemark", {"PU-10": {"weekly_cap": 8}})
    assert dict(policy.overrides["PU-10"]) == {"weekly_cap": 8}
    with pytest.raises(TypeError):
        policy.overrides["PU-10"]["weekly_cap"] = 1  # type: ignore[index]


def test_applies_params_citation_reject_unknown_rule_ids():
    policy = load_policy("gausdal")
    for method in (policy.applies, policy.params, policy.citation):
        with pytest.raises(PolicyError):
            method("PU-99")


def test_policies_compare_by_preset_and_overrides():
    a = load_policy("midt-telemark", {"PU-10": {"weekly_cap": 8}})
    b = load_policy("midt-telemark", {"PU-10": {"weekly_cap": 8}})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != load_policy("midt-telemark") and a != load_policy("gausdal")
    assert load_policy("rennebu", {"MO-1": {"grounds": ["unlawful"]}}) in {
        load_policy("rennebu", {"MO-1": {"grounds": ("unlawful",)}})
    }
