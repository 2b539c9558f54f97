"""The channel state machine and approval chain as pure functions (CH-1, CH-2), per preset."""

from __future__ import annotations

import pytest

from ordstyrer.channels import rules, workflow
from ordstyrer.channels.workflow import (
    ACTIVE,
    APPROVED,
    CLOSED,
    DRAFT,
    IN_REVIEW,
    PAUSED,
    REJECTED,
    RETIRED,
    STATUSES,
    SUBMITTED,
    TransitionError,
)
from ordstyrer.policy import load_policy

# Every allowed (state, action) → state; everything else is refused.
ALLOWED = {
    (DRAFT, "submit"): SUBMITTED,
    (REJECTED, "submit"): SUBMITTED,
    (SUBMITTED, "withdraw"): DRAFT,
    (IN_REVIEW, "withdraw"): DRAFT,
    (SUBMITTED, "approve"): IN_REVIEW,
    (IN_REVIEW, "approve"): IN_REVIEW,
    (SUBMITTED, "reject"): REJECTED,
    (IN_REVIEW, "reject"): REJECTED,
    (APPROVED, "activate"): ACTIVE,
    (ACTIVE, "pause"): PAUSED,
    (PAUSED, "resume"): ACTIVE,
    (ACTIVE, "close"): CLOSED,
    (CLOSED, "reopen"): ACTIVE,
    (APPROVED, "retire"): RETIRED,
    (ACTIVE, "retire"): RETIRED,
    (PAUSED, "retire"): RETIRED,
    (CLOSED, "retire"): RETIRED,
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_every_transition_is_allowed_or_refused(status, action):
    if (status, action) in ALLOWED:
        assert workflow.next_status(status, action) == ALLOWED[(status, action)]
        assert action in workflow.allowed_actions(status)
    else:
        with pytest.raises(TransitionError):
            workflow.next_status(status, action)
        assert action not in workflow.allowed_actions(status)


def test_retired_is_final():
    assert workflow.allowed_actions(RETIRED) == []


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        workflow.next_status(DRAFT, "publish")


# The agreed CH-1 chains (rules.md; the guidelines' own words).
CHAINS = {
    "indre-fosen": ["unit_leader", "communications"],
    "birkenes": ["unit_leader", "chief_administrator"],
    "gausdal": ["chief_administrator"],
    "midt-telemark": ["service_office"],
    "rennebu": ["chief_administrator"],
}


@pytest.mark.parametrize(("preset", "chain"), CHAINS.items())
def test_chain_per_preset_walks_to_approved(preset, chain):
    assert rules.approval_chain(load_policy(preset)) == chain
    progress = workflow.after_submission(chain)
    assert (progress.step, progress.status) == (0, SUBMITTED)
    for step in range(len(chain)):
        progress = workflow.after_approval(chain, step)
    assert progress.complete and progress.step == len(chain)
    if len(chain) > 1:
        assert workflow.after_approval(chain, 0).status == IN_REVIEW


def test_unit_leader_endorsement_skips_the_first_step():
    chain = ["unit_leader", "communications"]
    progress = workflow.after_submission(chain, endorsed_steps=1)
    assert (progress.step, progress.status) == (1, IN_REVIEW)
    assert workflow.after_submission(["unit_leader"], endorsed_steps=1).complete


def test_empty_chain_approves_at_submission():
    assert workflow.after_submission([]).complete


def test_approval_outside_the_chain_is_refused():
    with pytest.raises(ValueError):
        workflow.after_approval(["communications"], 1)


def test_unknown_chain_role_is_refused():
    with pytest.raises(ValueError, match="approver role"):
        workflow.validate_chain(["mayor"])


REQUIRED = {
    "indre-fosen": ["why", "follow_up", "main_admin"],
    "birkenes": ["purpose", "publishing_plan", "follow_up"],
    "midt-telemark": ["purpose", "audience", "publishing_plan", "main_admin"],
    "rennebu": [],
}


@pytest.mark.parametrize(("preset", "required"), REQUIRED.items())
def test_required_plan_fields_per_preset(preset, required):
    assert rules.required_plan_fields(load_policy(preset)) == required


def test_gausdal_requires_the_plan_its_guideline_lists_as_a_minimum():
    # «en plan som minimum svarer på»: eight points, not every field (CH-2).
    assert set(rules.required_plan_fields(load_policy("gausdal"))) == {
        "purpose",
        "why",
        "goals",
        "topics",
        "moderation",
        "dialogue_rules",
        "duration",
        "marketing",
    }


@pytest.mark.parametrize(
    ("plan", "missing"),
    [
        ({}, ["why", "purpose"]),
        ({"why": "  ", "purpose": "x"}, ["why"]),
        ({"why": "a", "purpose": "b"}, []),
    ],
)
def test_missing_plan_fields(plan, missing):
    assert workflow.missing_plan_fields(plan, ["why", "purpose"]) == missing


@pytest.mark.parametrize(
    ("preset", "interval", "flags"),
    [
        ("midt-telemark", 30, False),
        ("gausdal", None, True),
        ("indre-fosen", None, False),
    ],
)
def test_review_interval_and_follow_up_flags(preset, interval, flags):
    policy = load_policy(preset)
    assert rules.review_interval_days(policy) == interval
    assert rules.flags_follow_up(policy) is flags


def test_chain_override_within_the_policy():
    policy = load_policy(
        "gausdal", {"CH-1": {"approval_chain": ["unit_leader", "chief_administrator"]}}
    )
    assert rules.approval_chain(policy) == ["unit_leader", "chief_administrator"]
