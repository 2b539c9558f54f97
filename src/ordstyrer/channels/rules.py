"""What the municipality's policy says about channels (CH-1 … CH-11), in one place.

Pure: takes an `ordstyrer.policy.Policy` and returns plain values, so the services,
views and tests read the same parameters the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordstyrer.channels.workflow import validate_chain
from ordstyrer.policy.catalogue import get_rule
from ordstyrer.policy.tables import PLAN_FIELDS, ROLES

# Every CH-2 plan field in the order the proposal form shows them. `purpose` and
# `audience` are columns of the channel (the account list shows them, CH-8); the
# main administrator is a person chosen in the form; the rest live in `Channel.plan`.
PLAN_FIELD_ORDER: tuple[str, ...] = tuple(PLAN_FIELDS)
COLUMN_PLAN_FIELDS = frozenset({"purpose", "audience"})
PERSON_PLAN_FIELDS = frozenset({"main_admin"})
TEXT_PLAN_FIELDS: tuple[str, ...] = tuple(
    code for code in PLAN_FIELD_ORDER if code not in COLUMN_PLAN_FIELDS | PERSON_PLAN_FIELDS
)

DEFAULT_REVIEW_INTERVAL_DAYS = 30


def _params(policy: Any, rule_id: str) -> dict[str, Any]:
    if not policy.applies(rule_id):
        return {}
    return dict(policy.params(rule_id) or {})


def approval_chain(policy: Any) -> list[str]:
    """CH-1: the approver roles in order; empty when the policy has no approval step."""
    return validate_chain(_params(policy, "CH-1").get("approval_chain") or [])


def required_plan_fields(policy: Any) -> list[str]:
    """CH-2: the plan fields the municipality requires before a proposal is submitted."""
    return [
        code
        for code in _params(policy, "CH-2").get("required_plan_fields") or []
        if code in PLAN_FIELDS
    ]


def review_interval_days(policy: Any) -> int | None:
    """CH-6: days between reviews, or None when the policy asks for no reviews."""
    if not policy.applies("CH-6"):
        return None
    value = _params(policy, "CH-6").get("review_interval_days")
    return int(value) if value else DEFAULT_REVIEW_INTERVAL_DAYS


def flags_follow_up(policy: Any) -> bool:
    """CH-5: flag channels nobody follows up (no active administrator, overdue items)."""
    return bool(policy.applies("CH-5"))


def role_label(code: str, lang: str = "nb") -> str:
    item = ROLES.get(code)
    return item.label(lang) if item else code


def plan_field_label(code: str, lang: str = "nb") -> str:
    item = PLAN_FIELDS.get(code)
    return item.label(lang) if item else code


@dataclass(frozen=True, slots=True)
class Guidance:
    """A rule to show with the municipality's own words, when the policy applies it."""

    rule: str
    title: str
    text: str
    citation_section: str
    citation_text: str
    citation_municipality: str = ""


def guidance(policy: Any, rule_ids: tuple[str, ...], lang: str = "nb") -> list[Guidance]:
    """The rules among `rule_ids` the policy applies, with title, text and citation."""
    found = []
    for rule_id in rule_ids:
        if not policy.applies(rule_id):
            continue
        citation = policy.citation(rule_id)
        rule = get_rule(rule_id)
        found.append(
            Guidance(
                rule=rule_id,
                title=rule.title.get(lang),
                text=rule.text.get(lang),
                citation_section=getattr(citation, "section", "") if citation else "",
                citation_text=getattr(citation, "text", "") if citation else "",
                citation_municipality=getattr(citation, "municipality", "") if citation else "",
            )
        )
    return found
