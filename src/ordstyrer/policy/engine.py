"""Running the checks: a draft against a municipality's policy.

Only rules the policy switches on fire. Findings come sorted: blocks first,
then catalogue order, then position in the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ordstyrer.policy.catalogue import CHECKS, RULES
from ordstyrer.policy.effective import Policy
from ordstyrer.policy.rules._findings import finding
from ordstyrer.policy.tables import GROUNDS, PLAN_FIELDS
from ordstyrer.policy.types import CheckContext, Citation, Draft, Finding

_ORDER = {rule_id: index for index, rule_id in enumerate(RULES)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (f.severity != "block", _ORDER[f.rule], f.span or (-1, -1)),
    )


def check(draft: Draft, policy: Policy, context: CheckContext | None = None) -> list[Finding]:
    """Every finding the policy's draft checks make on `draft` (a post or a reply)."""
    if not isinstance(draft, Draft):
        raise TypeError("draft must be an ordstyrer.policy.Draft")
    ctx = context or CheckContext()
    found: list[Finding] = []
    for rule_id, run in CHECKS.items():
        if policy.applies(rule_id):
            found.extend(run(draft, policy, ctx))
    return sort_findings(found)


def has_block(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "block" for f in findings)


def check_deletion(policy: Policy, ground: str) -> list[Finding]:
    """MO-1: a deletion (or ban) on `ground` — refused unless the policy lists the ground.

    A preset without MO-1 lists no grounds, so nothing may be deleted or banned (Gausdal:
    its guideline names none; harmful comments are hidden and escalated) — the same
    answer the moderation service gives.
    """
    if not policy.applies("MO-1"):
        return [_no_grounds(policy)]
    if ground in policy.grounds():
        return []
    allowed = ", ".join(GROUNDS[g].nb.lower() for g in policy.grounds())
    allowed_en = ", ".join(GROUNDS[g].en.lower() for g in policy.grounds())
    label = GROUNDS[ground].nb.lower() if ground in GROUNDS else ground
    label_en = GROUNDS[ground].en.lower() if ground in GROUNDS else ground
    return [
        finding(
            policy,
            "MO-1",
            f"«{label}» er ikke et grunnlag for sletting hos {policy.municipality_name}. "
            f"Sletting er bare lov ved: {allowed}.",
            f"“{label_en}” is not a ground for deletion in {policy.municipality_name}. "
            f"Deletion is allowed only for: {allowed_en}.",
        )
    ]


def _no_grounds(policy: Policy) -> Finding:
    """The refusal where the guideline gives no grounds. It has no words on deletion to
    quote, so the citation names the guideline and quotes nothing."""
    m = policy.municipality_name
    return Finding(
        rule="MO-1",
        severity="block",
        message_nb=f"Retningslinjen til {m} gir ingen grunnlag for å slette eller utestenge, "
        "så det gjøres ikke. Skjul kommentaren hvis den ikke skal vises.",
        message_en=f"{m}'s guideline gives no grounds for deleting or banning, so neither is "
        "done. Hide the comment if it should not be shown.",
        message_nn=f"Retningslinja til {m} gir ingen grunnlag for å slette eller utestenge, "
        "så det blir ikkje gjort. Skjul kommentaren om han ikkje skal visast.",
        citation=Citation(municipality=m, section=policy.preset.guideline_title, text=""),
    )


def check_plan(policy: Policy, plan: Mapping[str, str | None]) -> list[Finding]:
    """CH-2: the channel proposal's plan fields the preset requires but the plan leaves empty."""
    if not policy.applies("CH-2"):
        return []
    out = []
    for code in policy.params("CH-2")["required_plan_fields"]:
        value = plan.get(code)
        if value is None or not str(value).strip():
            out.append(
                finding(
                    policy,
                    "CH-2",
                    f"Planen mangler «{PLAN_FIELDS[code].nb}».",
                    f"The plan lacks “{PLAN_FIELDS[code].en}”.",
                    severity="block",
                )
            )
    return out
