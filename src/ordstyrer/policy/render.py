"""The employees' guideline and the public house rules (CH-10), rendered from the policy.

The same policy that drives the checks writes these texts, so document and
enforcement never drift apart. Every rule shown cites the municipality's own
words. Bokmål (nb), Nynorsk (nn) or English (en); Markdown or accessible HTML.
Pure functions — the web console calls them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ordstyrer.policy.catalogue import FAMILIES, RULES
from ordstyrer.policy.document import FORMATS, Document, Heading
from ordstyrer.policy.effective import Policy
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.rules import dialogue, employees, moderation, publishing
from ordstyrer.policy.rules._base import IN_FORCE, Setting, State, Text
from ordstyrer.policy.tables import (
    CRISIS_APPROVERS,
    CRISIS_DECLARERS,
    GROUNDS,
    LANGS,
    PLAN_FIELDS,
    ROLES,
)

# EM first: the guideline opens with what applies to every employee.
FAMILY_ORDER = ("EM", "CH", "PU", "DI", "MO", "AR")

T: dict[str, dict[str, str]] = {
    "guideline_title": {
        "nb": "Retningslinjer for sosiale medier – {m}",
        "nn": "Retningslinjer for sosiale medium – {m}",
        "en": "Social media guidelines – {m}",
    },
    "guideline_intro": {
        "nb": "Slik gjelder «{g}» i Ordstyrer. Hver regel har et nummer og viser kommunens "
        "egne ord, så du ser hvorfor.",
        "nn": "Slik gjeld «{g}» i Ordstyrer. Kvar regel har eit nummer og viser orda til "
        "kommunen sjølv, så du ser kvifor.",
        "en": "How “{g}” applies in Ordstyrer. Every rule has an id and shows the "
        "municipality's own words, so you can see why.",
    },
    # Who, not what for: the rule's text says that in the guideline's words (EM-9, DI-10).
    "contact": {"nb": "Kontakt: {who}.", "nn": "Kontakt: {who}.", "en": "Contact: {who}."},
    "phone": {"nb": "tlf. {p}", "nn": "tlf. {p}", "en": "phone {p}"},
    "source": {"nb": "— {m}, «{s}»", "nn": "— {m}, «{s}»", "en": "— {m}, “{s}”"},
    # Over the guideline's words for a rule the municipality switched off (`SWITCHES`):
    # they are what the guideline says, not the rule in force.
    "quote_off": {
        "nb": "Retningslinjen sier dette, men det gjelder ikke her: kommunen har slått det "
        "av i innstillingene.",
        "nn": "Retningslinja seier dette, men det gjeld ikkje her: kommunen har slått det av "
        "i innstillingane.",
        "en": "The guideline says this, but it does not apply here: the municipality has "
        "switched it off in its settings.",
    },
    "quote_partly": {
        "nb": "Retningslinjen sier dette, men det gjelder bare delvis her: kommunen har slått "
        "av noe av det i innstillingene. Det som gjelder, står over.",
        "nn": "Retningslinja seier dette, men det gjeld berre delvis her: kommunen har slått "
        "av noko av det i innstillingane. Det som gjeld, står over.",
        "en": "The guideline says this, but it applies only in part here: the municipality "
        "has switched some of it off in its settings. What applies is stated above.",
    },
}

# The framing of the guideline's words per state of their rule (none: the rule in force).
QUOTE_STATUS: dict[State, str] = {"partly": "quote_partly", "off": "quote_off"}


def _t(key: str, lang: str, **values: Any) -> str:
    return T[key][lang].format(**values)


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def _labels(table: Any, codes: tuple[str, ...], lang: str) -> list[str]:
    return [table[code].label(lang) for code in codes]


# One line per parameter worth telling people about, per rule.
def _approval(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    chain = " → ".join(_labels(ROLES, p["approval_chain"], lang))
    return [{"nb": "Godkjenning: ", "nn": "Godkjenning: ", "en": "Approval: "}[lang] + chain]


def _plan(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    fields = ", ".join(_labels(PLAN_FIELDS, p["required_plan_fields"], lang))
    lead = {"nb": "Planen må ha: ", "nn": "Planen må ha: ", "en": "The plan must state: "}
    return [lead[lang] + fields]


def _review(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    n = p["review_interval_days"]
    return [
        {
            "nb": f"Gjennomgang minst hver {n}. dag.",
            "nn": f"Gjennomgang minst kvar {n}. dag.",
            "en": f"Review at least every {n} days.",
        }[lang]
    ]


def _lix(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    n = _number(p["lix_max"], lang)
    return [
        {
            "nb": f"Lesbarhet: LIX høyst {n}.",
            "nn": f"Lesbarheit: LIX høgst {n}.",
            "en": f"Readability: LIX at most {n}.",
        }[lang]
    ]


def _website(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    # A municipality on another's preset has no domain until it sets its own website
    # (publishing settings, PU-9): then the guide names no site, rather than "()".
    site = policy.domains[0] if policy.domains else ""
    out = []
    if p.get("requires_link"):
        if site:
            out.append(
                {
                    "nb": f"Lenk til kommunens nettside ({site}) fra innlegget.",
                    "nn": f"Lenk til nettsida til kommunen ({site}) frå innlegget.",
                    "en": f"Link to the municipality's website ({site}) from the post.",
                }[lang]
            )
        else:
            out.append(
                {
                    "nb": "Lenk til kommunens nettside fra innlegget.",
                    "nn": "Lenk til nettsida til kommunen frå innlegget.",
                    "en": "Link to the municipality's website from the post.",
                }[lang]
            )
    if p.get("topics"):
        topics = ", ".join(p["topics"])
        target = (
            site
            or {
                "nb": "kommunens nettside",
                "nn": "nettsida til kommunen",
                "en": "the municipality's website",
            }[lang]
        )
        out.append(
            {
                "nb": f"Gjelder særlig: {topics}. Lenk til {target}.",
                "nn": f"Gjeld særleg: {topics}. Lenk til {target}.",
                "en": f"Applies in particular to: {topics}. Link to {target}.",
            }[lang]
        )
    return out


def _cap(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    w, d = p["weekly_cap"], p["daily_cap"]
    return [
        {
            "nb": f"Hovedsiden: høyst {w} innlegg i uka og {d} per dag.",
            "nn": f"Hovudsida: høgst {w} innlegg i veka og {d} per dag.",
            "en": f"Main page: at most {w} posts a week and {d} a day.",
        }[lang]
    ]


def crisis_approver_roles(approvers: Any) -> tuple[str, ...]:
    """PU-12: the roles that approve during a crisis, given the stored `approvers`: the
    crisis leader always — every guideline puts crisis communication through the crisis
    leadership, Birkenes' «godkjennes all informasjon av kriseleder» — then, in the
    table's order, the roles `approvers` adds. The one answer to «who approves» for the
    guide, the crisis page, the crisis e-mails and `crisis.selectors.crisis_settings`."""
    named = {str(role) for role in approvers or ()}
    return ("crisis_leader", *(r for r in CRISIS_APPROVERS if r != "crisis_leader" and r in named))


def crisis_approvers_named(approvers: Any, lang: str) -> str:
    """`crisis_approver_roles` in words («kriselederen, rådmannen (kommunedirektøren)»)."""
    return ", ".join(_labels(CRISIS_APPROVERS, crisis_approver_roles(approvers), lang))


def _crisis(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    kinds = {
        (True, True): {"nb": "innlegg og svar", "nn": "innlegg og svar", "en": "posts and replies"},
        (True, False): {"nb": "innlegg", "nn": "innlegg", "en": "posts"},
        (False, True): {"nb": "svar", "nn": "svar", "en": "replies"},
    }.get((bool(p.get("approve_posts")), bool(p.get("approve_replies"))))
    who = crisis_approvers_named(p.get("approvers"), lang)
    out = []
    if kinds is not None:  # none waits: the rule's text says approval is off
        out.append(
            {
                "nb": f"Under en krise venter alle {kinds['nb']} på godkjenning ({who}).",
                "nn": f"Under ei krise ventar alle {kinds['nn']} på godkjenning ({who}).",
                "en": f"During a crisis all {kinds['en']} wait for approval ({who}).",
            }[lang]
        )
    declarers = ["crisis_leader", *(r for r in p.get("declared_by") or () if r != "crisis_leader")]
    by = ", ".join(_labels(CRISIS_DECLARERS, tuple(declarers), lang))
    out.append(
        {
            "nb": f"Krisen erklæres og avsluttes av: {by}.",
            "nn": f"Krisa blir erklært og avslutta av: {by}.",
            "en": f"A crisis is declared and ended by: {by}.",
        }[lang]
    )
    return out


def _response(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    # The work list's deadlines are the product's reading of DI-1 (Indre Fosen's guideline
    # says "så raskt som mulig", no hours): named as Ordstyrer's, not as the guideline's.
    first, answer = (duration(p[k], lang) for k in ("first_response_hours", "answer_hours"))
    return [
        {
            "nb": f"Fristene i Ordstyrers arbeidsliste: første svar innen {first}, fullt svar "
            f"innen {answer}.",
            "nn": f"Fristane i arbeidslista i Ordstyrer: første svar innan {first}, fullt svar "
            f"innan {answer}.",
            "en": f"Deadlines in Ordstyrer's work list: first response within {first}, full "
            f"answer within {answer}.",
        }[lang]
    ]


def _grounds(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    lead = {"nb": "Slettegrunnlag: ", "nn": "Slettegrunnlag: ", "en": "Grounds for deletion: "}
    return [lead[lang] + "; ".join(_labels(GROUNDS, p["grounds"], lang)) + "."]


def _contact_line(p: dict[str, Any], lang: str, policy: Policy) -> list[str]:
    who = contact_text(policy, lang)
    return [_t("contact", lang, who=who)] if who else []


DETAILS: dict[str, Callable[[dict[str, Any], str, Policy], list[str]]] = {
    "CH-1": _approval,
    "CH-2": _plan,
    "CH-6": _review,
    "PU-5": _lix,
    "PU-9": _website,
    "PU-10": _cap,
    "PU-12": _crisis,
    "DI-1": _response,
    "DI-10": _contact_line,
    "MO-1": _grounds,
    "EM-9": _contact_line,
}


# Rules whose guide text is each guideline's own statements (EM, DI-10, PU-11, MO-6): a
# statement is said when the preset's citation holds its evidence, so one municipality's
# guide never carries what only another's guideline says.
GUIDE: dict[str, tuple[tuple[re.Pattern[str], Text], ...]] = {
    rule_id: tuple(
        (re.compile(evidence, re.IGNORECASE | re.DOTALL), Text(nb, nn, en))
        for evidence, nb, nn, en in statements
    )
    for rule_id, statements in {
        **employees.GUIDE,
        **dialogue.GUIDE,
        **publishing.GUIDE,
        **moderation.GUIDE,
    }.items()
}


# Rules a municipality can switch off, wholly or in part, in its settings (DI-9's
# signature, PU-9's link, PU-12's approval): their title and text say what is in force,
# and the guideline's words under them are shown as the guideline's, not as the rule.
SWITCHES: dict[str, Callable[[Any], Setting]] = {**publishing.SWITCHES, **dialogue.SWITCHES}


def rule_setting(policy: Policy, rule_id: str) -> Setting:
    """What the policy's settings leave of the rule: on for a rule that cannot be switched
    off."""
    switch = SWITCHES.get(rule_id)
    return IN_FORCE if switch is None else switch(policy.params(rule_id))


def rule_title(policy: Policy, rule_id: str, lang: str) -> str:
    """The rule's title as its settings leave it ("Krise: godkjenning slått av")."""
    title = rule_setting(policy, rule_id).title
    return (title or RULES[rule_id].title).get(lang)


def rule_text(policy: Policy, rule_id: str, lang: str) -> str:
    """What the guide says under a rule: for EM, DI-10, PU-11 and MO-6 the statements this
    policy's guideline makes (its citation's words); for MO-1 how its guideline puts
    deleting (the house rules' wording); for a rule its settings switch off, wholly or in
    part, what they leave of it; else the catalogue text. "" when none of a rule's
    statements is in the citation: the quote then speaks for itself."""
    by_setting = rule_setting(policy, rule_id).text
    if by_setting is not None:
        return by_setting.get(lang)
    deletion = policy.preset.house_rules.deletion
    if rule_id == "MO-1" and deletion is not None:
        return moderation.DELETION[deletion].get(lang)
    statements = GUIDE.get(rule_id)
    if statements is None:
        return RULES[rule_id].text.get(lang)
    citation = policy.citation(rule_id)
    words = citation.text if citation else ""
    return " ".join(text.get(lang) for evidence, text in statements if evidence.search(words))


def duration(hours: float, lang: str) -> str:
    """Working time for people: "én arbeidsdag", "2 timer i arbeidstiden"."""
    days = hours / 7.5
    if days >= 1 and days == int(days):
        n = int(days)
        one = {"nb": "én arbeidsdag", "nn": "éin arbeidsdag", "en": "one working day"}
        many = {"nb": "{n} arbeidsdager", "nn": "{n} arbeidsdagar", "en": "{n} working days"}
        return one[lang] if n == 1 else many[lang].format(n=n)
    h = _number(hours, lang)
    return {
        "nb": f"{h} timer i arbeidstiden",
        "nn": f"{h} timar i arbeidstida",
        "en": f"{h} working hours",
    }[lang]


def contact_text(policy: Policy, lang: str) -> str:
    contact = policy.contact
    if contact is None:
        return ""
    text = f"{contact.title} {contact.name}"
    if contact.phone:
        text += ", " + _t("phone", lang, p=contact.phone)
    if contact.email:
        text += f", {contact.email}"
    return text


def _validate(policy: Policy, fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise PolicyError(f"Ukjent format «{fmt}»: bruk {' eller '.join(FORMATS)}.")
    if lang not in LANGS:
        raise PolicyError(f"Ukjent språk «{lang}»: bruk nb, nn eller en.")


def quote_status(policy: Policy, rule_id: str, lang: str) -> str:
    """The line before the guideline's words for the rule where the municipality's
    settings switch it off, wholly or in part: they do not (or only partly) apply here;
    "" for a rule in force. The guide and the crisis page (PU-12) say it alike."""
    key = QUOTE_STATUS.get(rule_setting(policy, rule_id).state)
    return _t(key, lang) if key else ""


def cite(doc: Document, policy: Policy, rule_id: str, lang: str) -> None:
    """The guideline's words for the rule, credited; framed as the guideline's, not in
    force here, where the municipality's settings switch the rule off (wholly or in part)."""
    citation = policy.citation(rule_id)
    if citation is not None:
        source = _t("source", lang, m=citation.municipality, s=citation.section)
        status = quote_status(policy, rule_id, lang)
        doc.quote(citation.text, source, policy.preset.guideline_lang, status=status)


def render_guideline(policy: Policy, fmt: str = "md", lang: str = "nb") -> str:
    """The employees' guideline: every rule the policy switches on, by family, with the
    municipality's own words; parameters (approval chain, deadlines, grounds) spelled out."""
    _validate(policy, fmt, lang)
    doc = Document(lang=lang, css_class="ordstyrer-guideline")
    doc.heading(1, _t("guideline_title", lang, m=policy.municipality_name))
    doc.paragraph(_t("guideline_intro", lang, g=policy.preset.guideline_title))
    for family in FAMILY_ORDER:
        rule_ids = [r for r in policy.rules if RULES[r].family == family]
        if not rule_ids:
            continue
        doc.heading(2, FAMILIES[family].get(lang))
        for rule_id in rule_ids:
            doc.heading(3, rule_title(policy, rule_id, lang), rule_id)
            text = rule_text(policy, rule_id, lang)
            if text:
                doc.paragraph(text)
            detail = DETAILS.get(rule_id)
            if detail:
                doc.bullets(detail(dict(policy.params(rule_id)), lang, policy))
            cite(doc, policy, rule_id, lang)
    return doc.render(fmt)


def render_house_rules(
    policy: Policy,
    fmt: str = "md",
    lang: str = "nb",
    *,
    municipality: str | None = None,
    top: int = 1,
) -> str:
    """The public rules text for a page (CH-10): response time, how to contribute, what is
    deleted and why, where to send formal inquiries. `municipality` is whose pages they
    are (the installation's name for it), when that is not the preset's municipality: a
    municipality may follow another's guideline, but its house rules carry its own name.

    `top` is the level of the text's own title: 1 where the rules are the page (the
    public text, an export), deeper where they are shown inside a page that has its own
    h1 (the channel's preview under «Slik ser reglene ut», an h2: `top=3`)."""
    from ordstyrer.policy.house_rules import build_house_rules

    _validate(policy, fmt, lang)
    if not 1 <= top <= 5:
        raise ValueError(f"heading level {top} for the title: use 1 to 5")
    doc = build_house_rules(policy, lang, municipality=municipality)
    if top > 1:
        doc.blocks = [
            replace(block, level=min(6, block.level + top - 1))
            if isinstance(block, Heading)
            else block
            for block in doc.blocks
        ]
    return doc.render(fmt)
