"""PU-12 as the presets parameterise it: what a declared crisis switches on (pure policy
library, no Django)."""

from __future__ import annotations

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.policy.errors import PolicyError

PRESETS = ("rennebu", "indre-fosen", "birkenes", "gausdal", "midt-telemark")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_puts_posts_and_replies_under_the_crisis_leader(preset):
    # Rennebu/Indre Fosen "all kommunikasjon via krisestaben", Birkenes "kriseleder
    # godkjenner all informasjon": PU-12 switches on approval of posts AND replies.
    policy = load_policy(preset)
    assert policy.applies("PU-12")
    params = policy.params("PU-12")
    assert params["approve_posts"] is True
    assert params["approve_replies"] is True
    assert tuple(params["approvers"]) == ("crisis_leader",)


@pytest.mark.parametrize(
    ("preset", "declared_by"),
    [
        # «hvor rådmannen har satt kriseledelse» (003), «der rådmannen har satt krisestab» (004)
        ("birkenes", ("crisis_leader", "chief_administrator")),
        ("gausdal", ("crisis_leader", "chief_administrator")),
        # The guideline names nobody: the product's default.
        ("indre-fosen", ("crisis_leader", "communications")),
        ("rennebu", ("crisis_leader", "communications")),
        ("midt-telemark", ("crisis_leader", "communications")),
    ],
)
def test_who_declares_a_crisis_per_preset(preset, declared_by):
    assert tuple(load_policy(preset).params("PU-12")["declared_by"]) == declared_by


def test_an_unknown_declarer_role_is_refused():
    with pytest.raises(PolicyError):
        load_policy("gausdal", {"PU-12": {"declared_by": ["ordfører"]}})


def test_a_municipality_may_add_communications_as_approver():
    policy = load_policy(
        "indre-fosen", {"PU-12": {"approvers": ["crisis_leader", "communications"]}}
    )
    assert tuple(policy.params("PU-12")["approvers"]) == ("crisis_leader", "communications")


def test_an_unknown_approver_role_is_refused():
    with pytest.raises(PolicyError):
        load_policy("birkenes", {"PU-12": {"approvers": ["ordfører"]}})
