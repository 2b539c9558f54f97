"""The rule catalogue: every rule id of rules.md, in its order, with the draft checks.

Each family lives in its own module under `rules/`; this module only puts
them together. The catalogue is the same for every municipality — presets
switch rules on and set their parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import TYPE_CHECKING

from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.rules import (
    archive,
    channels,
    dialogue,
    employees,
    media,
    moderation,
    neutrality,
    publishing,
    text_analysis,
)
from ordstyrer.policy.rules._base import ParamSpec, Rule, Text

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding

CheckFn = Callable[["Draft", "Policy", "CheckContext"], Iterable["Finding"]]

FAMILIES = MappingProxyType(
    {
        "CH": Text("Offisielle kanaler", "Offisielle kanalar", "Official channels"),
        "PU": Text("Publisering", "Publisering", "Publishing"),
        "DI": Text("Dialog med publikum", "Dialog med publikum", "Dialogue with the public"),
        "MO": Text("Moderering", "Moderering", "Moderation"),
        "AR": Text("Arkiv", "Arkiv", "Archive"),
        "EM": Text("Ansattes egen bruk", "Eigen bruk for tilsette", "Employees' own use"),
    }
)

_ALL: tuple[Rule, ...] = (
    *channels.RULES,
    *publishing.RULES,
    *dialogue.RULES,
    *moderation.RULES,
    *archive.RULES,
    *employees.RULES,
)

RULES: MappingProxyType[str, Rule] = MappingProxyType({r.id: r for r in _ALL})

CHECKS: MappingProxyType[str, CheckFn] = MappingProxyType(
    {
        **publishing.CHECKS,
        **media.CHECKS,
        **neutrality.CHECKS,
        **text_analysis.CHECKS,
        **dialogue.CHECKS,
    }
)


def rule_ids() -> tuple[str, ...]:
    """Every rule id in catalogue order (CH, PU, DI, MO, AR, EM)."""
    return tuple(RULES)


def get_rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise PolicyError(f"Ukjent regel «{rule_id}».") from None


def _consistent() -> None:
    # A draft check exists exactly for the rules marked draft_check: a mismatch
    # would silently switch a rule off, so fail at import time instead.
    marked = {r.id for r in _ALL if r.draft_check}
    if marked != set(CHECKS) or len(RULES) != len(_ALL):
        raise RuntimeError(f"rule catalogue inconsistent: {sorted(marked ^ set(CHECKS))}")


_consistent()

__all__ = ["CHECKS", "FAMILIES", "RULES", "CheckFn", "ParamSpec", "Rule", "get_rule", "rule_ids"]
