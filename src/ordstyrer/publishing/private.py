"""The employees' "before you post privately" check (EM-1 … EM-9). Pure Python.

An employee pastes a text about their workplace and gets the guideline's advice: no
confidential or personal data (EM-1), speak as yourself and not in an official voice
(EM-2), care with service users and pupils (EM-3), what is written in closed groups
(EM-4), what not to mention: the work and where you are (EM-7), whom to ask (EM-9).
The text is never stored: the view passes it here and renders the result. Where EM-3
applies the page also gives a reply to a friend request to copy (`friend_request_reply`).

Pure Python, so the table tests need no Django: the advice says which rule applies and
what was found (`Advice.finding`, with the words found in `params`); the console says
it in the reader's language (`publishing.views`, through gettext). The rule's title
comes from the catalogue in the language asked for.

What the finding means is the guideline's to say, not this module's: `Advice.guidance`
is what the employee guide says under the rule for this policy (`render.rule_text`, the
statements the preset's own guideline makes), so Birkenes' employees read «internett er
permanent» and Midt-Telemark's that closed groups are public. The check still finds what
it finds when the preset does not switch the rule on (personal data matter everywhere):
that advice is `general`, with the catalogue's neutral text and no quote, and the
console says it is not the guideline's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ordstyrer.language.pii import find_personal_data
from ordstyrer.policy import Policy, bare_name, get_rule
from ordstyrer.policy.render import rule_text

# What the check can find; the console has one message for each.
FINDINGS: tuple[str, ...] = (
    "personal_data",  # EM-1; `Advice.personal_data` holds the types (language.pii)
    "service_users",  # EM-3; params: word
    "official_voice",  # EM-2; params: words
    "work",  # EM-7 (or EM-2); params: word
    "place",  # EM-7, only where it applies; params: word
    "closed_group",  # EM-4; params: word
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
    # Whose guideline the words are (a municipality on another's preset quotes that one).
    citation_municipality: str = ""
    excerpt: str = ""
    # What the guide says under the rule for this policy, in the language asked for.
    guidance: str = ""
    # The preset does not switch the rule on: general advice, not the guideline's.
    general: bool = False


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# Each pattern knows Bokmål and Nynorsk, and common spoken forms where they cost nothing
# (the definite plural in -an: «elevan», «brukeran»); employees write all of them.
#
# The municipality and its units in the definite singular, the unit also as the end of a
# compound («ungdomsskolen», «kulturskulen», «omsorgshjemmet»): an employee who writes
# «vi på sykehjemmet» or «på vegne av barnehagen» speaks for the unit (EM-2, CH-3).
_UNIT = (
    r"(?:kommunen|kommuna|\w*skolen|\w*skulen|\w*barnehagen|\w+hjemmet|\w+heimen|rådhuset|"
    r"avdelingen|avdelinga|\w*sektoren|\w*etaten|enheten|eininga|\w*tjenesten|\w*tenesta|"
    r"helsestasjonen|\w*biblioteket|legekontoret|sfo(?:-?en)?)"
)
_OFFICIAL = _words(
    rf"(?:vi|me) (?:i|på|ved) {_UNIT}",
    rf"{_UNIT} har (?:bestemt|vedtatt|vedteke)",
    rf"på vegner? av (?:alle )?(?:(?:oss|vi|me) )?(?:(?:i|på|ved) )?{_UNIT}",
    r"offisielt",
    r"(?:vi|me) informerer",
    r"(?:vi|me) kan (?:bekrefte|stadfeste)",
    r"kommunen beklag(?:er|ar)",
    r"som (?:rektor|enhetsleder|einingsleiar|saksbehandler|sakshandsamar|sykepleier|"
    r"sjukepleiar|lærer|lærar) (?:kan|vil) (?:jeg|eg|æ)",
)
# The bare singular «bruker»/«brukar» is also the verb "uses" («eg brukar å», I usually;
# «far min brukar»): it counts only after an article, and not when a word that goes with
# the verb follows (å, an adverb, a subject: «ein brukar å seie», «kvar brukar du»).
_A_USER = (
    r"(?:(?<=\ben )|(?<=\bein )|(?<=\bhver )|(?<=\bkvar ))bruk(?:er|ar)"
    r"(?!\s+(?:å|ikke|ikkje|alltid|gjerne|ofte|aldri|mye|mykje|jeg|eg|du|han|hun|ho|vi|"
    r"me|de|dei|dere|dykk)\b)"
)
_USERS = _words(
    r"elev(?:en|er|ene|ar|ane|an)?",
    r"bruk(?:eren|ere|erne|eran|aren|arar|arane|aran)",
    _A_USER,
    r"pasient(?:en|er|ene|ar|ane|an)?",
    r"beboer(?:en|e|ne|an)?",
    r"bebuar(?:en|ar|ane|an)?",
    r"pårør(?:ende|ande)",
    r"klient(?:en|er|ene|ar|ane|an)?",
    r"barnehagebarn(?:et|a|ene)?",
)
_WORK = _words(
    r"på jobb(?:en)?",
    r"jobben min",
    r"arbeidsplassen",
    r"arbeidsstaden",
    r"kolleg(?:a|aen|aer|aene|aar|aane|er|ene|ane|an)",
    r"sjefen",
    # Gausdal's list (EM-7): employer, tasks and projects, suppliers and partners.
    r"arbeidsgiver(?:en)?",
    r"arbeidsgjevar(?:en)?",
    r"arbeidsoppg[aå]v(?:e|en|a|er|ene)",
    r"prosjekt(?:et|er|ene|a)?",
    r"leverandør(?:en|er|ene|ar|ane|an)?",
    r"samarbeidspartner(?:en|e|ne|ene)?",
    r"samarbeidspartnar(?:en|ar|ane)?",
    r"møtet i dag",
    r"sak(?:en|a) (?:jeg|eg|æ) (?:jobber|jobbar|jobbe|arbeider|arbeidar|arbeide) med",
)
# Where the employee is (Gausdal, EM-7: «Hvor du er geografisk (jobb, hjemme, på ferie og
# så videre)»): an empty house is news to more readers than friends.
_PLACE = _words(
    r"hjemme",
    r"heime",
    r"på \w*ferie\w*",  # på ferie, på sommarferie, på ferietur
    r"på hytt(?:a|en|e|etur)",
    r"bortreist(?:e)?",
    r"på reise",
    r"står tom(?:t|me)?",
)
_CLOSED = _words(
    r"(?:lukket|lukka|lukkede|hemmelig|hemmelige|hemmeleg|hemmelege|privat|private) "
    r"grupp(?:e|a|en|er|ene)"
)
_FORBIDDEN_APPS = re.compile(r"\b(?:tiktok|telegram)\b", re.IGNORECASE)


_SUFFIX = r"\s+(?:kommune|kommuna|herad)"


@dataclass(frozen=True, slots=True)
class _Workplace:
    # The municipality's name as whole words, with or without «kommune», «kommuna» or
    # «herad» after it: Vik is not in «viktig», Ås not in «påske», Sel not in «selv», Nes
    # not in «mennesker».
    named: re.Pattern[str]
    # Speaking in its name: «på vegne av Vik (kommune)», «vi i Vik kommune» (EM-2).
    official: re.Pattern[str]


def _workplace(workplace: str) -> _Workplace | None:
    words = bare_name(workplace).split()
    if not words:
        return None
    name = r"\s+".join(re.escape(word) for word in words)
    return _Workplace(
        named=re.compile(rf"(?<!\w){name}(?:{_SUFFIX})?(?!\w)", re.IGNORECASE),
        official=re.compile(
            rf"(?<!\w)(?:på vegner? av {name}(?:{_SUFFIX})?|(?:vi|me) i {name}{_SUFFIX})(?!\w)",
            re.IGNORECASE,
        ),
    )


# Birkenes' model reply («Om du får venneforespørsel fra noen du yter tjenester til, kan
# dette være et forslag til svar»), with the municipality's own name: given only where
# the guideline's EM-3 holds it (`_MODEL_REPLY_OPENING`), never in another's name.
_MODEL_DECLINE = {
    "nb": "Takk for venneforespørselen her på Facebook, men jeg må dessverre avslå. De "
    "ansatte i {municipality} frarådes generelt å ha nåværende eller tidligere brukere "
    "eller pårørende som kontakter på sin private Facebook-konto. Følg oss gjerne på "
    "kommunesiden.",
    "nn": "Takk for venneførespurnaden her på Facebook, men eg må dessverre seie nei. Dei "
    "tilsette i {municipality} blir generelt rådde frå å ha noverande eller tidlegare "
    "brukarar eller pårørande som kontaktar på den private Facebook-kontoen sin. Følg oss "
    "gjerne på kommunesida.",
}
_MODEL_REPLY_OPENING = "takk for venneforespørsel"
# Where EM-3 applies without a model reply (Indre Fosen, Gausdal: «Vurder nøye om du …»):
# the product's own words, which claim nothing of the guideline.
_NEUTRAL_DECLINE = {
    "nb": "Takk for venneforespørselen, men jeg må dessverre avslå. Jeg holder kontakten "
    "med dem jeg møter gjennom jobben i {municipality} på jobb, ikke på min private "
    "konto. Følg oss gjerne på kommunesiden.",
    "nn": "Takk for venneførespurnaden, men eg må dessverre seie nei. Eg held kontakten med "
    "dei eg møter gjennom jobben i {municipality} på jobb, ikkje på den private kontoen "
    "min. Følg oss gjerne på kommunesida.",
}


@dataclass(frozen=True, slots=True)
class FriendReply:
    """A reply for the employee to copy when someone they serve asks to be a friend on
    social media (EM-3), in Bokmål and Nynorsk. Theirs to send from their own account:
    the municipality never sends it (CH-3)."""

    nb: str
    nn: str
    # Whose guideline gives these words (its section), "" where they are the product's.
    citation_municipality: str = ""
    citation_section: str = ""


def friend_request_reply(policy: Policy) -> FriendReply | None:
    """The reply to a friend request where the policy applies EM-3, in the guideline's own
    model words where it has them (Birkenes) and the product's neutral ones otherwise;
    None where the guideline lacks EM-3."""
    if not policy.applies("EM-3"):
        return None
    citation = policy.citation("EM-3")
    model = citation is not None and _MODEL_REPLY_OPENING in citation.text.lower()
    texts = _MODEL_DECLINE if model else _NEUTRAL_DECLINE
    name = policy.municipality_name
    return FriendReply(
        nb=texts["nb"].format(municipality=name),
        nn=texts["nn"].format(municipality=name),
        citation_municipality=citation.municipality if citation and model else "",
        citation_section=citation.section if citation and model else "",
    )


def private_check(
    text: str, policy: Policy, *, workplace: str = "", lang: str = "nb"
) -> list[Advice]:
    """Advice for an employee's private post; the most serious first. `workplace` is the
    municipality's name («Vik kommune» or «Vik»), `lang` (nb, nn or en) the language of
    the rules' titles and of `Advice.guidance`."""
    out: list[Advice] = []

    def add(
        rule_id: str,
        finding: str,
        excerpt: str = "",
        personal_data: tuple[str, ...] = (),
        **params: str,
    ) -> None:
        rule = get_rule(rule_id)
        general = not policy.applies(rule_id)
        # No quote for a rule the preset leaves off: the catalogue's text is nobody's words.
        citation = None if general else policy.citation(rule_id)
        out.append(
            Advice(
                rule=rule_id,
                title=rule.title.get(lang),
                finding=finding,
                params=params,
                personal_data=personal_data,
                # The municipality's own words, in Bokmål (the console marks them so).
                citation_text=citation.text if citation else "",
                citation_section=citation.section if citation else "",
                citation_municipality=citation.municipality if citation else "",
                excerpt=excerpt,
                guidance=rule.text.get(lang) if general else rule_text(policy, rule_id, lang),
                general=general,
            )
        )

    found = find_personal_data(text)
    if found:
        kinds = tuple(sorted({f.type for f in found}))
        add("EM-1", "personal_data", found[0].text, personal_data=kinds)
    users = _USERS.search(text)
    if users:
        add("EM-3", "service_users", users.group(), word=users.group())
    own = _workplace(workplace)
    voices = sorted(
        [*_OFFICIAL.finditer(text), *(own.official.finditer(text) if own else ())],
        key=lambda match: match.start(),
    )
    if voices:
        add("EM-2", "official_voice", voices[0].group(), words=voices[0].group())
    # The name in «på vegne av Vik kommune» is the official voice's (EM-2), not a mention
    # of the workplace (EM-7): the work is looked for outside what speaks officially.
    rest = text
    for voice in voices:
        rest = rest[: voice.start()] + " " * len(voice.group()) + rest[voice.end() :]
    work = _WORK.search(rest)
    named = own.named.search(rest) if own else None
    if work or named:
        # Only Gausdal's guideline lists what not to mention (EM-7); elsewhere writing
        # about the work is a matter of the employee's role (EM-2).
        word = work.group() if work else named.group() if named else ""
        add("EM-7" if policy.applies("EM-7") else "EM-2", "work", word, word=word)
    place = _PLACE.search(text)
    if place and policy.applies("EM-7"):
        # Where you are is on that list only: elsewhere it is neither the guideline's
        # matter nor the role's, and «a weekend at the cabin» gets the reminder alone.
        add("EM-7", "place", place.group(), word=place.group())
    closed = _CLOSED.search(text)
    if closed:
        add("EM-4", "closed_group", closed.group(), word=closed.group())
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
