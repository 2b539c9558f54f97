"""The employees' "before you post privately" check (EM-1 … EM-9). Pure Python.

An employee pastes a text about their workplace and gets the guideline's advice: no
confidential or personal data (EM-1), speak as yourself and not in an official voice
(EM-2), care with service users and pupils (EM-3), closed groups are public (EM-4), what
not to mention (EM-7), whom to ask (EM-9). The text is never stored: the view passes
it here and renders the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ordstyrer.language.pii import find_personal_data
from ordstyrer.policy import Policy, get_rule


@dataclass(frozen=True, slots=True)
class Advice:
    rule: str
    title: str
    message: str
    citation_text: str = ""
    citation_section: str = ""
    excerpt: str = ""


_OFFICIAL = re.compile(
    r"\b(?:vi i kommunen|kommunen har (?:bestemt|vedtatt)|på vegne av (?:kommunen|skolen|"
    r"etaten|enheten)|offisielt|vi informerer|vi kan bekrefte|kommunen beklager|"
    r"som (?:rektor|enhetsleder|saksbehandler|sykepleier|lærer) (?:kan jeg|vil jeg))\b",
    re.IGNORECASE,
)
_USERS = re.compile(
    r"\b(?:elev(?:en|ene|er)?|bruker(?:en|ne|e)?|pasient(?:en|ene|er)?|beboer(?:en|ne|e)?|"
    r"pårørende|klient(?:en|ene|er)?|barnehagebarn)\b",
    re.IGNORECASE,
)
_WORK = re.compile(
    r"\b(?:på jobb(?:en)?|jobben min|arbeidsplassen|kollega(?:en|er|ene)?|sjefen|"
    r"prosjekt(?:et)?|leverandør(?:en|er|ene)?|møtet i dag|saken jeg jobber med)\b",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"\b(?:lukket|lukka|hemmelig|privat) gruppe\b", re.IGNORECASE)
_FORBIDDEN_APPS = re.compile(r"\b(?:tiktok|telegram)\b", re.IGNORECASE)


def _advice(policy: Policy, rule_id: str, message: str, excerpt: str = "") -> Advice:
    rule = get_rule(rule_id)
    citation = policy.citation(rule_id)
    return Advice(
        rule=rule_id,
        title=rule.title.nb,
        message=message,
        citation_text=citation.text if citation else rule.text.nb,
        citation_section=citation.section if citation else "",
        excerpt=excerpt,
    )


def private_check(text: str, policy: Policy, *, workplace: str = "") -> list[Advice]:
    """Advice for an employee's private post; the most serious first."""
    out: list[Advice] = []
    found = find_personal_data(text)
    if found:
        kinds = ", ".join(sorted({f.type for f in found}))
        out.append(
            _advice(
                policy,
                "EM-1",
                "Teksten ser ut til å inneholde personopplysninger "
                f"({kinds}). Taushetsplikten gjelder også når du skriver privat – også etter "
                "at du har sluttet. Fjern dem.",
                found[0].text,
            )
        )
    users = _USERS.search(text)
    if users:
        out.append(
            _advice(
                policy,
                "EM-3",
                f"Du nevner «{users.group()}». Tenk nøye gjennom hva du skriver om elever, "
                "brukere, pasienter og pårørende – de kan kjenne seg igjen.",
                users.group(),
            )
        )
    official = _OFFICIAL.search(text)
    if official:
        out.append(
            _advice(
                policy,
                "EM-2",
                f"«{official.group()}» kan leses som kommunens offisielle syn. Skriv som deg "
                "selv, og si tydelig at du ikke uttaler deg på vegne av kommunen.",
                official.group(),
            )
        )
    work = _WORK.search(text)
    named = workplace and re.search(re.escape(workplace), text, re.IGNORECASE)
    if work or named:
        word = work.group() if work else workplace
        rule_id = "EM-7" if policy.applies("EM-7") else "EM-2"
        out.append(
            _advice(
                policy,
                rule_id,
                f"Du skriver om arbeidet («{word}»). Unngå å nevne arbeidsgiver, oppgaver, "
                "prosjekter, kolleger og leverandører – og hvor du er.",
                word,
            )
        )
    closed = _CLOSED.search(text)
    if closed:
        out.append(
            _advice(
                policy,
                "EM-4",
                "Lukkede grupper er offentlige: det du skriver der, kan deles videre og blir "
                "liggende på nettet.",
                closed.group(),
            )
        )
    app = _FORBIDDEN_APPS.search(text)
    if app and policy.applies("EM-8"):
        out.append(
            _advice(
                policy,
                "EM-8",
                f"{app.group()} er forbudt på kommunens telefoner, og på private telefoner med "
                "jobbapper.",
                app.group(),
            )
        )
    if not out:
        out.append(
            _advice(
                policy,
                "EM-2",
                "Vi fant ikke noe å advare om. Husk likevel at det du skriver, kan bli lest "
                "som kommunens syn når folk vet hvor du jobber.",
            )
        )
    contact = policy.contact
    if contact is not None and policy.applies("EM-9"):
        phone = f", telefon {contact.phone}" if contact.phone else ""
        out.append(
            _advice(
                policy,
                "EM-9",
                f"Lurer du på noe? Spør {contact.title} {contact.name}{phone}.",
            )
        )
    return out
