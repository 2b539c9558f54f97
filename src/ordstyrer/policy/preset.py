"""Municipality presets: which rules apply, their parameters, and the municipality's words.

A preset is a TOML file in `presets/` (one per municipality). Each rule it
switches on carries a citation: the section heading of the municipality's
guideline and the verbatim sentence(s) quoted from it. Quotes are stored
exactly as in the source document (including its Markdown link/emphasis
marks, so they can be verified against it); the displayed text drops those
marks.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ordstyrer.policy.catalogue import RULES, ParamSpec
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.tables import HOUSE_RULES_DELETION, HOUSE_RULES_RESPONSE
from ordstyrer.policy.types import Citation

QUOTE_SEPARATOR = " … "
_PRESET_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Contact:
    """Who employees ask about social media (EM-9); also who coordinates DI-10."""

    title: str
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class FormalInquiry:
    """Where the public sends inquiries that need case processing (DI-7), if the guideline says."""

    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class HouseRulesWording:
    """How the public house rules (CH-10) put the guideline's response time (DI-1) and
    deletion (MO-1): codes of `tables.HOUSE_RULES_RESPONSE` / `HOUSE_RULES_DELETION`,
    None where the rule is off (then the house rules promise no time / delete nothing)."""

    response: str | None = None
    deletion: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSetting:
    """One rule as a preset switches it on."""

    rule_id: str
    citation: Citation
    quotes: tuple[str, ...]  # verbatim from the source document, Markdown marks included
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Preset:
    id: str
    letter: str  # the municipality's letter in rules.md's "who" column
    municipality_name: str
    guideline_title: str
    guideline_lang: str
    source_file: str
    domains: tuple[str, ...]
    contact: Contact | None
    formal_inquiry: FormalInquiry | None
    rules: Mapping[str, RuleSetting]
    house_rules: HouseRulesWording = HouseRulesWording()


def clean_markup(text: str) -> str:
    """Drop the Markdown link and emphasis marks of a quote and collapse whitespace."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "")
    return " ".join(text.split())


def _files() -> dict[str, Any]:
    folder = resources.files("ordstyrer.policy").joinpath("presets")
    return {
        entry.name.removesuffix(".toml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


@cache
def preset_ids() -> tuple[str, ...]:
    """The ids of the presets shipped with the product, sorted."""
    return tuple(sorted(_files()))


def load_preset(preset_id: str) -> Preset:
    """The preset `preset_id`; PolicyError (Norwegian) if there is none by that name."""
    if not isinstance(preset_id, str) or not _PRESET_ID.match(preset_id):
        raise PolicyError(f"Ugyldig navn på forhåndsinnstilling: «{preset_id}».")
    if preset_id not in preset_ids():
        known = ", ".join(preset_ids())
        raise PolicyError(f"Ukjent forhåndsinnstilling «{preset_id}». Kjente: {known}.")
    return _load(preset_id)


@cache
def _load(preset_id: str) -> Preset:
    raw = tomllib.loads(_files()[preset_id].read_text(encoding="utf-8"))
    return parse_preset(raw, expected_id=preset_id)


def parse_preset(raw: Mapping[str, Any], *, expected_id: str | None = None) -> Preset:
    """Build a Preset from parsed TOML, validating it against the rule catalogue."""
    preset_id = _text(raw, "id")
    if expected_id is not None and preset_id != expected_id:
        raise PolicyError(f"Forhåndsinnstillingen «{expected_id}» har id «{preset_id}».")
    municipality = _text(raw, "municipality")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, Mapping) or not rules_raw:
        raise PolicyError(f"«{preset_id}» slår ikke på noen regler.")
    unknown = [rule_id for rule_id in rules_raw if rule_id not in RULES]
    if unknown:
        raise PolicyError(f"«{preset_id}» nevner ukjent regel «{unknown[0]}».")
    settings: dict[str, RuleSetting] = {}
    for rule_id in RULES:  # catalogue order
        if rule_id in rules_raw:
            settings[rule_id] = _setting(preset_id, municipality, rule_id, rules_raw[rule_id])
    contact = raw.get("contact")
    inquiry = raw.get("formal_inquiry")
    return Preset(
        id=preset_id,
        letter=_text(raw, "letter"),
        municipality_name=municipality,
        guideline_title=_text(raw, "guideline"),
        guideline_lang=_text(raw, "guideline_lang"),
        source_file=_text(raw, "source_file"),
        domains=tuple(raw.get("domains", ())),
        contact=Contact(**contact) if contact else None,
        formal_inquiry=FormalInquiry(**inquiry) if inquiry else None,
        rules=MappingProxyType(settings),
        house_rules=_house_rules(preset_id, raw.get("house_rules"), settings),
    )


# A preset's `[house_rules]` key → the rule it words and the codes it may take.
_WORDINGS = {"response": ("DI-1", HOUSE_RULES_RESPONSE), "deletion": ("MO-1", HOUSE_RULES_DELETION)}


def _house_rules(preset_id: str, raw: Any, settings: Mapping[str, Any]) -> HouseRulesWording:
    """The house rules' wording: required for DI-1 and MO-1 where the preset switches them
    on, refused where it does not (a promise the guideline does not make)."""
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise PolicyError(f"«{preset_id}»: «house_rules» må være en tabell.")
    unknown = sorted(set(raw) - set(_WORDINGS))
    if unknown:
        raise PolicyError(f"«{preset_id}»: ukjent nøkkel «house_rules.{unknown[0]}».")
    values: dict[str, str | None] = {}
    for key, (rule_id, codes) in _WORDINGS.items():
        value = raw.get(key)
        if rule_id not in settings:
            if value is not None:
                raise PolicyError(
                    f"«{preset_id}»: «house_rules.{key}» uten {rule_id} – husreglene lover "
                    "bare det retningslinjen sier."
                )
            values[key] = None
            continue
        if value not in codes:
            valid = ", ".join(sorted(codes))
            raise PolicyError(
                f"«{preset_id}»: «house_rules.{key}» må være en av {valid} (fikk {value!r})."
            )
        values[key] = value
    return HouseRulesWording(**values)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"Forhåndsinnstillingen mangler «{key}».")
    return value


def _setting(preset_id: str, municipality: str, rule_id: str, raw: Any) -> RuleSetting:
    where = f"«{preset_id}», {rule_id}"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: må være en tabell.")
    section = raw.get("section")
    quotes = raw.get("quotes")
    if not isinstance(section, str) or not section.strip():
        raise PolicyError(f"{where}: mangler «section» (avsnittet i retningslinjene).")
    if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) for q in quotes):
        raise PolicyError(f"{where}: mangler «quotes» (sitat fra retningslinjene).")
    spec = RULES[rule_id].params
    params_raw = raw.get("params", {})
    missing = sorted(set(spec) - set(params_raw))
    if missing:
        raise PolicyError(f"{where}: mangler parameteren «{missing[0]}».")
    params = {
        name: validate_param(rule_id, name, spec, value) for name, value in params_raw.items()
    }
    citation = Citation(
        municipality=municipality,
        section=section.strip().rstrip(".:"),
        text=QUOTE_SEPARATOR.join(clean_markup(q) for q in quotes),
    )
    return RuleSetting(rule_id, citation, tuple(quotes), MappingProxyType(params))


_KIND_NB = {
    "bool": "true eller false",
    "int": "et heltall",
    "float": "et tall",
    "str": "tekst",
    "str_list": "en liste med tekster",
}


def validate_param(rule_id: str, name: str, specs: Mapping[str, ParamSpec], value: Any) -> Any:
    """`value` checked against the rule's parameter spec; lists come back as tuples."""
    where = f"{rule_id}.{name}"
    spec = specs.get(name)
    if spec is None:
        valid = ", ".join(sorted(specs)) or "ingen"
        raise PolicyError(f"Regelen {rule_id} har ingen parameter «{name}». Gyldige: {valid}.")
    wrong = PolicyError(f"{where} må være {_KIND_NB[spec.kind]} (fikk {value!r}).")
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if spec.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if spec.kind == "int" and not isinstance(value, int):
            raise wrong
        if isinstance(value, float) and not math.isfinite(value):
            raise wrong
        if spec.minimum is not None and value < spec.minimum:
            raise PolicyError(f"{where} må være minst {spec.minimum:g} (fikk {value!r}).")
        if spec.maximum is not None and value > spec.maximum:
            raise PolicyError(f"{where} må være høyst {spec.maximum:g} (fikk {value!r}).")
        return float(value) if spec.kind == "float" else value
    if spec.kind == "str":
        if not isinstance(value, str):
            raise wrong
        _check_choices(where, spec, [value])
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise wrong
    if len(set(value)) != len(value):
        raise PolicyError(f"{where} har samme verdi flere ganger.")
    if spec.choices is not None and not value:
        raise PolicyError(f"{where} kan ikke være tom.")
    _check_choices(where, spec, value)
    return tuple(value)


def _check_choices(where: str, spec: ParamSpec, values: list[str] | tuple[str, ...]) -> None:
    if spec.choices is None:
        return
    bad = [v for v in values if v not in spec.choices]
    if bad:
        valid = ", ".join(sorted(spec.choices))
        raise PolicyError(f"{where}: ukjent kode «{bad[0]}». Gyldige: {valid}.")
