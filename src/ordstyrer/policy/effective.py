"""The effective policy: a preset with a municipality's parameter overrides merged in.

Overrides are per rule id parameter maps (`{"PU-10": {"weekly_cap": 8}}`). They
may only change parameters the preset already sets, with the same type;
which rules apply is the preset's (and the guideline's) business, not an
override's. Who changed what and when is stored by the Django side.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, NamedTuple

from ordstyrer.policy.catalogue import RULES, get_rule
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.preset import Contact, FormalInquiry, Preset, load_preset, validate_param
from ordstyrer.policy.triage import triage_findings
from ordstyrer.policy.types import Citation, Finding

logger = logging.getLogger(__name__)


class ResponseTargets(NamedTuple):
    """DI-1 targets in working hours: the first response, and the answer itself."""

    first_response_hours: float
    answer_hours: float


# Used when a preset does not switch DI-1 on: still answer within a working day.
DEFAULT_RESPONSE_TARGETS = ResponseTargets(first_response_hours=2.0, answer_hours=7.5)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """What one municipality's guideline demands, ready for the checks and the renderers.

    Immutable; equal (and hashed alike) when preset, identity and overrides are the same.
    """

    preset: Preset
    overrides: Mapping[str, Mapping[str, Any]]
    _params: Mapping[str, Mapping[str, Any]]

    def _key(self) -> tuple[Any, ...]:
        overrides = tuple(
            (rule_id, tuple(sorted(values.items())))
            for rule_id, values in sorted(self.overrides.items())
        )
        # The identity too (`as_municipality`): a policy naming another contact person or
        # website is another policy.
        preset = self.preset
        identity = (preset.domains, preset.contact, preset.formal_inquiry)
        return preset.id, preset.municipality_name, identity, overrides

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def preset_id(self) -> str:
        return self.preset.id

    @property
    def municipality_name(self) -> str:
        return self.preset.municipality_name

    @property
    def contact(self) -> Contact | None:
        return self.preset.contact

    @property
    def formal_inquiry(self) -> FormalInquiry | None:
        return self.preset.formal_inquiry

    @property
    def domains(self) -> tuple[str, ...]:
        return self.preset.domains

    def as_municipality(
        self,
        *,
        slug: str,
        name: str,
        website: str = "",
        contact: Contact | None = None,
        formal_inquiry: FormalInquiry | None = None,
    ) -> Policy:
        """This policy as municipality `name`'s (`slug`), with the identity it sets itself:
        its website (PU-9), contact person (EM-9, DI-10) and address for formal inquiries
        (DI-7); "" / None where it sets none.

        For the preset's own municipality (its slug is the preset's id, or its name the
        preset's municipality's, "kommune" aside) the preset's values are the defaults
        and what it sets replaces them (its website goes in front of the preset's
        domains). One that adopts another's preset takes its rules, not its identity: its
        own name and only what it sets, so no reply, notice or guide sends a citizen or
        an employee to the municipality whose guideline it adopted."""
        website = website.strip().lower()
        own = slug == self.preset.id or bare_name(name) == bare_name(self.preset.municipality_name)
        identity: dict[str, Any]
        if own:
            domains = self.preset.domains
            if website:
                domains = (website, *(d for d in domains if d != website))
            identity = {
                "municipality_name": self.preset.municipality_name,
                "domains": domains,
                "contact": contact or self.preset.contact,
                "formal_inquiry": formal_inquiry or self.preset.formal_inquiry,
            }
        else:
            identity = {
                "municipality_name": name,
                "domains": (website,) if website else (),
                "contact": contact,
                "formal_inquiry": formal_inquiry,
            }
        if all(getattr(self.preset, field) == value for field, value in identity.items()):
            return self
        return replace(self, preset=replace(self.preset, **identity))

    @property
    def rules(self) -> tuple[str, ...]:
        """The ids of the rules this policy switches on, in catalogue order."""
        return tuple(self.preset.rules)

    def applies(self, rule_id: str) -> bool:
        get_rule(rule_id)  # an unknown id is a mistake, not "does not apply"
        return rule_id in self.preset.rules

    def params(self, rule_id: str) -> Mapping[str, Any]:
        """The rule's parameters (read-only; lists as tuples); empty if the rule is off."""
        get_rule(rule_id)
        return self._params.get(rule_id, _EMPTY)

    def citation(self, rule_id: str) -> Citation | None:
        """The municipality's own words for the rule, or None if the rule is off. For a
        municipality on another's preset, the quoted guideline's contact person, phone
        numbers and e-mail addresses are elided («[…]»): an employee or a citizen must
        not be sent to the municipality whose guideline was adopted (EM-9, DI-7, DI-10).
        On its own preset, those the municipality has since replaced with its own
        (`as_municipality`) are elided: the guide names its contact now, not the one its
        guideline was written with (Indre Fosen's «Kari Klepp (tlf 97 51 40 96)»)."""
        get_rule(rule_id)
        setting = self.preset.rules.get(rule_id)
        if setting is None:
            return None
        cited = setting.citation
        source = load_preset(self.preset.id)
        if cited.municipality != self.municipality_name:
            return replace(cited, text=_elide_identity(cited.text, source))
        if (self.contact, self.formal_inquiry) == (source.contact, source.formal_inquiry):
            return cited
        return replace(cited, text=_elide_identity(cited.text, source, kept=self.preset))

    def response_targets(self) -> ResponseTargets:
        """DI-1 first-response and answer targets in working hours (defaults if DI-1 is off)."""
        if not self.applies("DI-1"):
            return DEFAULT_RESPONSE_TARGETS
        params = self.params("DI-1")
        return ResponseTargets(
            first_response_hours=float(params["first_response_hours"]),
            answer_hours=float(params["answer_hours"]),
        )

    def grounds(self) -> tuple[str, ...]:
        """MO-1 ground codes on which deletion is allowed (see tables.GROUNDS); () if MO-1 is off."""
        return tuple(self.params("MO-1").get("grounds", ()))

    def triage_findings(self, labels: set[str], action: str) -> tuple[Finding, ...]:
        """What the guideline says to the editor about a triaged comment (DI-12, DI-7,
        DI-8, MO-3): handed to `ordstyrer.language.triage`, which does not import policy."""
        return triage_findings(self, labels, action)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the effective policy (for the API and the console)."""
        return {
            "preset": self.preset_id,
            "municipality": self.municipality_name,
            "rules": {
                rule_id: {
                    "params": {k: _plain(v) for k, v in self.params(rule_id).items()},
                    "citation": setting.citation.to_dict(),
                }
                for rule_id, setting in self.preset.rules.items()
            },
            "overrides": {
                r: {k: _plain(v) for k, v in p.items()} for r, p in self.overrides.items()
            },
        }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def validate_overrides(
    preset: Preset, overrides: Any, *, stored: bool = False
) -> dict[str, dict[str, Any]]:
    """Overrides checked against the preset's rules, parameter names and types.

    Returns the normalised overrides (floats for float parameters, tuples for
    lists); raises PolicyError with a Norwegian message on the first problem.
    `stored`: overrides already saved, read to run the municipality — a number over
    a maximum added later (the DI-1 hours, CH-6's interval) is capped, not refused, so
    that a value saved before the limit existed does not stop every page; a new
    value over it is refused by `policy_update`.
    """
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise PolicyError("Overstyringer må være et oppslag fra regel-id til parametere.")
    clean: dict[str, dict[str, Any]] = {}
    for rule_id, values in overrides.items():
        if not isinstance(rule_id, str) or rule_id not in RULES:
            raise PolicyError(f"Ukjent regel «{rule_id}».")
        setting = preset.rules.get(rule_id)
        if setting is None:
            raise PolicyError(
                f"Regelen {rule_id} er ikke slått på for {preset.municipality_name}; bare "
                "parametere for regler i forhåndsinnstillingen kan overstyres."
            )
        if not isinstance(values, Mapping):
            raise PolicyError(f"Overstyringen av {rule_id} må være et oppslag fra navn til verdi.")
        specs = {name: RULES[rule_id].params[name] for name in setting.params}
        clean[rule_id] = {
            name: validate_param(
                rule_id, name, specs, _capped(rule_id, name, specs, value) if stored else value
            )
            for name, value in values.items()
        }
    return clean


def _capped(rule_id: str, name: str, specs: Mapping[str, Any], value: Any) -> Any:
    """A stored number over its parameter's maximum, as the maximum (logged)."""
    spec = specs.get(name)
    top = getattr(spec, "maximum", None)
    if top is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if value <= top:
        return value
    logger.warning("policy override capped", extra={"rule": rule_id, "param": name, "max": top})
    return type(value)(top)


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def _elide_identity(text: str, source: Preset, *, kept: Preset | None = None) -> str:
    """`text` without the source municipality's contact person and its phone numbers and
    e-mail addresses (any spacing of the phone's digits: «97 51 40 96», «975 14 096»),
    but for each one `kept` (the identity in force) still has in the same place."""
    pairs = (
        (source.contact, kept.contact if kept else None),
        (source.formal_inquiry, kept.formal_inquiry if kept else None),
    )
    for holder, now in pairs:
        if holder is None:
            continue
        for field in ("name", "email"):
            value = getattr(holder, field, None)
            if value and value != getattr(now, field, None):
                text = text.replace(value, "[…]")
        digits = _digits(holder.phone)
        if digits and digits != _digits(getattr(now, "phone", None)):
            text = re.sub(r"\s?".join(digits), "[…]", text)
    return text


def bare_name(name: str) -> str:
    """A municipality's name without «kommune», «kommuna» or «herad», case-folded:
    «Indre Fosen kommune» and «indre fosen» are one municipality."""
    words = name.casefold().split()
    return " ".join(w for w in words if w not in {"kommune", "kommuna", "herad"})


def load_policy(
    preset_id: str,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    stored: bool = False,
) -> Policy:
    """The effective policy of `preset_id` with `overrides` merged in; PolicyError if
    invalid (`stored`: see `validate_overrides`)."""
    preset = load_preset(preset_id)
    clean = validate_overrides(preset, overrides, stored=stored)
    params = {
        rule_id: MappingProxyType({**setting.params, **clean.get(rule_id, {})})
        for rule_id, setting in preset.rules.items()
    }
    frozen = MappingProxyType({r: MappingProxyType(p) for r, p in clean.items()})
    return Policy(preset=preset, overrides=frozen, _params=MappingProxyType(params))
