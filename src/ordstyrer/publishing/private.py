"""The employees' "before you post privately" check (EM-1 … EM-9). Pure Python.

An employee pastes a text about their workplace and gets the guideline's advice: no
confidential or personal data (EM-1), speak as yourself and not in an official voice
(EM-2), care with service users and pupils (EM-3), closed groups are public (EM-4), what
not to mention (EM-7), whom to ask (EM-9). The text is never stored: the view passes
it here and renders the result.

Pure Python, so the table tests need no Django: the advice says which rule applies and
what was found (`Advice.finding`, with the words found in `params`); the console says
it in the reader's language (`publishing.views`, through gettext). The rule's title
comes from the catalogue in the language asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ordstyrer.language.pii import find_personal_data
from ordstyrer.policy import Policy, get_rule

# What the check can find; the console has one message for each.
FINDINGS: tuple[str, ...] = (
    "personal_data",  # EM-1; `Advice.personal_data` holds the types (language.pii)
    "service_users",  # EM-3; params: word
    "official_voice",  # EM-2; params: words
    "work",  # EM-7 (or EM-2); params: word
    "closed_group",  # EM-4
    "forbidden_app",  # EM-8; params: app
    "nothing_found",  # EM-2's reminder
    "contact",  # EM-9; params: title, name
    "contact_with_phone",  # EM-9; params: title, name, phone
)


@dataclass(frozen=True, slots=True)
class Advice:
    rule: str
    title: str
    finding: str
    params: dict[str, str] = field(default_factory=dict)
    personal_data: tuple[str, ...] = ()
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


def private_check(
    text: str, policy: Policy, *, workplace: str = "", lang: str = "nb"
) -> list[Advice]:
    """Advice for an employee's private post; the most serious first. `lang` (nb, nn or
    en) is the language of the rules' titles."""
    out: list[Advice] = []

    def add(
        rule_id: str,
        finding: str,
        excerpt: str = "",
        personal_data: tuple[str, ...] = (),
        **params: str,
    ) -> None:
        rule = get_rule(rule_id)
        citation = policy.citation(rule_id)
        out.append(
            Advice(
                rule=rule_id,
                title=rule.title.get(lang),
                finding=finding,
                params=params,
                personal_data=personal_data,
                # The municipality's own words, in Bokmål (the console marks them so).
                citation_text=citation.text if citation else rule.text.nb,
                citation_section=citation.section if citation else "",
                excerpt=excerpt,
            )
        )

    found = find_personal_data(text)
    if found:
        kinds = tuple(sorted({f.type for f in found}))
        add("EM-1", "personal_data", found[0].text, personal_data=kinds)
    users = _USERS.search(text)
    if users:
        add("EM-3", "service_users", users.group(), word=users.group())
    official = _OFFICIAL.search(text)
    if official:
        add("EM-2", "official_voice", official.group(), words=official.group())
    work = _WORK.search(text)
    named = workplace and re.search(re.escape(workplace), text, re.IGNORECASE)
    if work or named:
        word = work.group() if work else workplace
        add("EM-7" if policy.applies("EM-7") else "EM-2", "work", word, word=word)
    closed = _CLOSED.search(text)
    if closed:
        add("EM-4", "closed_group", closed.group())
    app = _FORBIDDEN_APPS.search(text)
    if app and policy.applies("EM-8"):
        add("EM-8", "forbidden_app", app.group(), app=app.group())
    if not out:
        add("EM-2", "nothing_found")
    contact = policy.contact
    if contact is not None and policy.applies("EM-9"):
        title, name = contact.title, contact.name
        if contact.phone:
            add("EM-9", "contact_with_phone", title=title, name=name, phone=contact.phone)
        else:
            add("EM-9", "contact", title=title, name=name)
    return out
