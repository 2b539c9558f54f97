"""The shape of a catalogue rule (rules.md) and of its parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

How = Literal["block", "warn", "flow", "doc", "record"]
Family = Literal["CH", "PU", "DI", "MO", "AR", "EM"]
ParamKind = Literal["bool", "int", "float", "str", "str_list"]
# How much of a switchable rule a municipality's settings leave in force (`Setting`).
State = Literal["on", "partly", "off"]


@dataclass(frozen=True, slots=True)
class Text:
    """One text in Bokmål, Nynorsk and English."""

    nb: str
    nn: str
    en: str

    def get(self, lang: str = "nb") -> str:
        return {"nb": self.nb, "nn": self.nn, "en": self.en}.get(lang, self.nb)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a preset may set for a rule parameter, and what an override must respect."""

    kind: ParamKind
    # For str / str_list: the allowed codes (None: any text).
    choices: frozenset[str] | None = None
    # For int / float: the smallest allowed value.
    minimum: float | None = None
    # For int / float: the largest allowed value, where a larger one would make the code
    # that uses it fail (review s18: DI-1's hours past the working-time clock's limit).
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class Setting:
    """What a municipality's settings leave of a rule they can switch off, wholly or in
    part (DI-9's signature, PU-12's approval): the state, and the title and text that say
    what is in force (None: the catalogue's own, which then holds)."""

    state: State = "on"
    title: Text | None = None
    text: Text | None = None


IN_FORCE = Setting()


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the catalogue: the same for every municipality.

    Whether it applies, its parameters and the municipality's own words live
    in the presets; this is what the rule *is*.
    """

    id: str
    how: tuple[How, ...]
    title: Text
    text: Text
    # True when `ordstyrer.policy.check` has code for it on a draft post/reply.
    draft_check: bool = False
    params: Mapping[str, ParamSpec] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def family(self) -> Family:
        return self.id.split("-", 1)[0]  # type: ignore[return-value]

    @property
    def severity(self) -> Literal["block", "warn"] | None:
        """The severity of a definite finding of this rule (rules.md "how")."""
        if "block" in self.how:
            return "block"
        if "warn" in self.how:
            return "warn"
        return None


def rule(
    rule_id: str,
    how: str,
    title: tuple[str, str, str],
    text: tuple[str, str, str],
    *,
    draft_check: bool = False,
    params: Mapping[str, ParamSpec] | None = None,
) -> Rule:
    """Compact constructor for the family modules: `how` as in rules.md ("flow + record")."""
    hows = tuple(part.strip() for part in how.split("+"))
    return Rule(
        id=rule_id,
        how=hows,  # type: ignore[arg-type]
        title=Text(*title),
        text=Text(*text),
        draft_check=draft_check,
        params=MappingProxyType(dict(params or {})),
    )
