"""The policy engine: each municipality's social-media guideline as code (pure Python).

    from ordstyrer.policy import Draft, Media, CheckContext, check, load_policy

    policy = load_policy("gausdal", {"DI-1": {"answer_hours": 6.0}})
    findings = check(Draft(text="Takk for spørsmålet!"), policy, CheckContext(kind="reply"))

Rules are those of rules.md (`RULES`); presets (`preset_ids()`) switch them on
per municipality with parameters and the municipality's own words
(`Policy.citation`). Never imports Django.
"""

from ordstyrer.policy.catalogue import FAMILIES, RULES, Rule, get_rule, rule_ids
from ordstyrer.policy.effective import (
    DEFAULT_RESPONSE_TARGETS,
    Policy,
    ResponseTargets,
    bare_name,
    load_policy,
    validate_overrides,
)
from ordstyrer.policy.engine import check, check_deletion, check_plan, has_block, sort_findings
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.preset import Contact, FormalInquiry, Preset, load_preset, preset_ids
from ordstyrer.policy.tables import GROUNDS, PLAN_FIELDS, ROLES, Label
from ordstyrer.policy.types import (
    CheckContext,
    Citation,
    Draft,
    Finding,
    Media,
    context_from_dict,
    draft_from_dict,
)

__all__ = [
    "DEFAULT_RESPONSE_TARGETS",
    "FAMILIES",
    "GROUNDS",
    "PLAN_FIELDS",
    "RULES",
    "ROLES",
    "CheckContext",
    "Citation",
    "Contact",
    "Draft",
    "Finding",
    "FormalInquiry",
    "Label",
    "Media",
    "Policy",
    "PolicyError",
    "Preset",
    "ResponseTargets",
    "Rule",
    "bare_name",
    "check",
    "check_deletion",
    "check_plan",
    "context_from_dict",
    "draft_from_dict",
    "get_rule",
    "has_block",
    "load_policy",
    "load_preset",
    "preset_ids",
    "rule_ids",
    "sort_findings",
    "validate_overrides",
]
