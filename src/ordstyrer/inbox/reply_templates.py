"""Suggested replies per action, in Bokmål and Nynorsk (DI-2 … DI-9). Pure Python.

A template cites its rule only where the municipality's policy applies it. Every one is
a reply of the municipality's to a comment on its page (CH-3); an employee's private
answer to a friend request (EM-3) is not one of them: the employees' private check
offers it (`publishing.private.friend_request_reply`).

The written standard follows the citizen's comment (`nn` → Nynorsk, otherwise
Bokmål). Where the preset demands it (DI-9, Gausdal: "På generelle svar skriver du
under med eget navn (kun fornavn)") the reply is signed with the editor's first name.
Text in square brackets is for the editor to fill in; a reply that still holds it is
not sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# template code → (what the reply does to the item, label nb, label nn, label en). The
# labels name the template in the console's language; the bodies below go to the citizen
# and so exist in Bokmål and Nynorsk only. The labels name no rule: `RULE` does, and the
# label cites it only where the municipality's policy applies it (`label`).
TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "acknowledge": ("acknowledge", "Bekreft mottak", "Stadfest mottak", "Acknowledge receipt"),
    "thank": ("answer", "Takk for ros", "Takk for ros", "Thank for praise"),
    "correct": ("answer", "Rett opp faktafeil", "Rett opp faktafeil", "Correct a factual error"),
    "refer_formal": (
        "refer",
        "Henvis til formell henvendelse",
        "Vis vidare til formell førespurnad",
        "Refer to a formal inquiry",
    ),
    "refer_political": (
        "refer",
        "Henvis til politisk nivå",
        "Vis vidare til politisk nivå",
        "Refer to the political level",
    ),
}
# The rule of the guideline each template carries out. All are ordinary courtesy and are
# offered everywhere, as the product's general templates without a rule id where the
# municipality's guideline lacks the rule.
RULE: dict[str, str] = {
    "acknowledge": "DI-2",
    "thank": "DI-3",
    "correct": "DI-4",
    "refer_formal": "DI-7",
    "refer_political": "DI-8",
}

_BODIES: dict[str, dict[str, str]] = {
    "acknowledge": {
        "nb": "Hei{greeting}! Takk for at du tar kontakt. Vi har mottatt henvendelsen din og "
        "kommer tilbake til deg med mer informasjon så snart vi kan.",
        "nn": "Hei{greeting}! Takk for at du tek kontakt. Vi har fått førespurnaden din og kjem "
        "tilbake til deg med meir informasjon så snart vi kan.",
    },
    "thank": {
        "nb": "Tusen takk for hyggelig tilbakemelding{greeting_comma}! Det setter vi stor pris på.",
        "nn": "Tusen takk for hyggeleg tilbakemelding{greeting_comma}! Det set vi stor pris på.",
    },
    "correct": {
        "nb": "Hei{greeting}! Takk for at du tar opp dette. Her har det dessverre blitt en "
        "misforståelse: [skriv riktig opplysning her]. Du finner mer informasjon på "
        "{website}.",
        "nn": "Hei{greeting}! Takk for at du tek opp dette. Her har det dessverre blitt ei "
        "misforståing: [skriv rett opplysning her]. Du finn meir informasjon på {website}.",
    },
    "refer_formal": {
        "nb": "Hei{greeting}! Takk for henvendelsen. Dette er en sak vi må behandle på riktig "
        "måte, og vi kan ikke saksbehandle i sosiale medier. Send henvendelsen din "
        "{how_nb}. Da blir den journalført og besvart etter kommunens "
        "saksbehandlingsrutiner.",
        "nn": "Hei{greeting}! Takk for førespurnaden. Dette er ei sak vi må handsame på rett "
        "måte, og vi kan ikkje sakshandsame i sosiale medium. Send førespurnaden din "
        "{how_nn}. Då blir han journalført og svara på etter "
        "sakshandsamingsrutinane til kommunen.",
    },
    "refer_political": {
        "nb": "Hei{greeting}! Takk for innspillet. Dette er en sak for de folkevalgte, og vi "
        "gir ikke egne vurderinger av saker som er til politisk behandling.{target_nb} "
        "Saksdokumentene og kommunedirektørens innstilling finner du i møtekalenderen på "
        "{website}.",
        "nn": "Hei{greeting}! Takk for innspelet. Dette er ei sak for dei folkevalde, og vi "
        "gir ikkje eigne vurderingar av saker som er til politisk handsaming.{target_nn} "
        "Saksdokumenta og innstillinga frå kommunedirektøren finn du i møtekalenderen på "
        "{website}.",
    },
}

SIGN_OFF = {"nb": "Hilsen", "nn": "Helsing"}
PLACEHOLDER = re.compile(r"\[[^\]\n]{3,}\]")

# The template a category suggests (product.md §4: the action the policy prescribes).
SUGGESTED_BY_CATEGORY = {
    "question": "acknowledge",
    "complaint": "acknowledge",
    "neutral": "thank",
    "praise": "thank",
    "factual_error": "correct",
    "case_processing": "refer_formal",
    "political": "refer_political",
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    effect: str
    language: str
    text: str


def language_for(written_standard: str) -> str:
    """Nynorsk for a Nynorsk comment, Bokmål otherwise."""
    return "nn" if (written_standard or "").lower() in ("nn", "nno", "nynorsk") else "nb"


def effect_of(code: str) -> str:
    return TEMPLATES[code][0]


def applies(code: str, policy: Any) -> bool:
    """Whether the municipality's policy applies the template's rule."""
    return policy is None or bool(policy.applies(RULE[code]))


def label(code: str, language: str = "nb", policy: Any = None) -> str:
    """The template's name in the console's language (nb, nn or en; Bokmål otherwise),
    with its rule id where `policy` applies the rule (always without a policy)."""
    _effect, nb, nn, en = TEMPLATES[code]
    name = {"nn": nn, "en": en}.get(language[:2], nb)
    return f"{name} ({RULE[code]})" if applies(code, policy) else name


def signs_with_first_name(policy: Any) -> bool:
    """DI-9: the preset demands the editor's own first name under general replies."""
    return bool(policy.applies("DI-9") and policy.params("DI-9").get("first_name_required"))


def _how(policy: Any, municipality: str, websites: dict[str, str]) -> tuple[str, str]:
    """Where to send a formal inquiry (DI-7), to follow «Send henvendelsen din …»: one
    «til» phrase, not two (language review 2026-12, row 16)."""
    inquiry = policy.formal_inquiry
    if inquiry is not None and (inquiry.email or inquiry.phone):
        nb_parts, nn_parts = [], []
        if inquiry.email:
            nb_parts.append(f"på e-post til {inquiry.email}")
            nn_parts.append(f"på e-post til {inquiry.email}")
        if inquiry.phone:
            nb_parts.append(f"ring {inquiry.phone}")
            nn_parts.append(f"ring {inquiry.phone}")
        return (
            f"til {municipality} " + ", eller ".join(nb_parts),
            f"til {municipality} " + ", eller ".join(nn_parts),
        )
    return (
        f"på e-post eller brev til postmottaket i {municipality} – adresse og skjemaer "
        f"finner du på {websites['nb']}",
        f"på e-post eller brev til postmottaket i {municipality} – adresse og skjema "
        f"finn du på {websites['nn']}",
    )


def first_name(full_name: str) -> str:
    parts = (full_name or "").split()
    return parts[0] if parts else ""


def render(
    code: str,
    *,
    policy: Any,
    written_standard: str,
    municipality_name: str,
    citizen_name: str = "",
    signer_first_name: str = "",
    target: str = "",
) -> Suggestion:
    """The suggested reply `code` in the citizen's written standard, signed per DI-9."""
    if code not in TEMPLATES:
        raise ValueError(f"unknown reply template {code!r}")
    language = language_for(written_standard)
    domains = tuple(getattr(policy, "domains", ()) or ())
    # Without a domain in the preset: the municipality's site in the reply's own standard
    # (language review 2026-12, row 6: «nettsida» in Nynorsk).
    websites = {
        "nb": domains[0] if domains else f"nettsiden til {municipality_name}",
        "nn": domains[0] if domains else f"nettsida til {municipality_name}",
    }
    website = websites[language]
    how_nb, how_nn = _how(policy, municipality_name, websites)
    name = first_name(citizen_name)
    target = target.strip()
    values = {
        "greeting": f" {name}" if name else "",
        "greeting_comma": f", {name}" if name else "",
        "website": website,
        "how_nb": how_nb,
        "how_nn": how_nn,
        "target_nb": f" Vi har sendt innspillet ditt videre til {target}." if target else "",
        "target_nn": f" Vi har sendt innspelet ditt vidare til {target}." if target else "",
    }
    text = _BODIES[code][language].format(**values)
    if signs_with_first_name(policy) and signer_first_name.strip():
        text = f"{text}\n\n{SIGN_OFF[language]} {signer_first_name.strip()}"
    return Suggestion(code=code, effect=effect_of(code), language=language, text=text)


def unfilled(text: str) -> list[str]:
    """Bracketed parts of a template the editor has not replaced."""
    return PLACEHOLDER.findall(text)


# The template the triage's prescribed action suggests.
SUGGESTED_BY_ACTION = {
    "answer": "acknowledge",
    "acknowledge": "acknowledge",
    "thank": "thank",
    "correct": "correct",
    "refer_formal": "refer_formal",
    "refer_political": "refer_political",
}
NO_REPLY_ACTIONS = frozenset({"escalate", "hide", "delete_allowed", "none"})


def suggested_code(category: str, action: str = "") -> str | None:
    """The template for the triage's action, or (without one) for the category."""
    if action in SUGGESTED_BY_ACTION:
        return SUGGESTED_BY_ACTION[action]
    if action in NO_REPLY_ACTIONS:
        return None
    return SUGGESTED_BY_CATEGORY.get(category)
