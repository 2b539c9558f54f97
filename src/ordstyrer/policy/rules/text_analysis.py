"""PU-1 (confidentiality, personal data) and PU-5 (plain language): the checks that use
the language analysis in `ordstyrer.language` (pii, readability).

PU-1 blocks what is personal data by itself (a national identity number) and
combinations that expose a person (a name with health or other special-category
data, or a named pupil with school details). Contact details and addresses can
be the municipality's own or a venue's, so they warn — except the
municipality's own phone numbers and e-mail domains, which are left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ordstyrer.language.masking import mask_national_ids
from ordstyrer.language.pii import PersonalData, find_personal_data
from ordstyrer.language.readability import lix, plain_language_issues
from ordstyrer.policy.rules._findings import finding, phrases, quote, sentences, word_count

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding

# Words that point at an individual in a sentence about health: "beboeren har demens".
PERSONAL_REFERENT = phrases(
    r"beboer(?:en|ne)?|bebuar(?:en|ane)?|pasient(?:en|ane|ene)?|bruker(?:en)?|brukar(?:en)?",
    r"elev(?:en)?|pårørende|pårørande|klient(?:en)?|innbygger(?:en)?|innbyggjar(?:en)?",
    r"han|hun|ho|hen|vedkommende|vedkomande|sønn(?:en)?|son(?:en)?|datter(?:en)?|dotter(?:a)?|"
    r"dattera|gutten|jenta|barnet|mannen|kona|mora|moren|faren|far|mor",
)
# School details that, with a name, identify a pupil (PU-1 "names of pupils").
SCHOOL_DETAIL = phrases(
    r"\d{1,2}\.\s?(?:klasse|trinn|klassetrinn)",
    r"(?:første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|sjuande|syvende|åttende|åttande|"
    r"niende|niande|tiende|tiande)\s+(?:klasse|trinn)",
    r"klasse\s?\d{1,2}\s?[a-zA-ZæøåÆØÅ]?|\d{1,2}[a-eA-E]",
    r"elev(?:en|ane|ene)?|eleven\s+ved",
    r"barnehage(?:n)?|SFO|spesialundervisning(?:a|en)?|fravær(?:et)?|atferd(?:en)?|åtferd(?:a)?",
    r"individuell\s+opplæringsplan|IOP|PPT|mobbing(?:a|en)?|mobbet|mobba",
)
_DIGITS = re.compile(r"\D")

# Words that open a sentence with a capital and are not names there, Bokmål and Nynorsk:
# ordinals, numbers and quantifiers. The name finder's lone-name list tags "Tredje" (its
# one NorNE train occurrence is "Reno den Tredje"), so "Tredje klasse på Rissa skole …"
# blocked as a named pupil (QA, PU-1). Only a one-word name at a sentence start is
# dropped: "Andre" opens 29 NorNE sentences, none as a name, but is a name inside one
# ("Jakob Andre Sandal"), and "Andre Hansen" stays a name. Common first names that are
# also everyday words ("Anna", "Even", "Liv") are not here: NorNE tags them as names.
NOT_NAMES_AT_SENTENCE_START = frozenset(
    {
        # ordinals
        "første", "fyrste", "andre", "annen", "tredje", "fjerde", "femte", "sjette",
        "sjuende", "sjuande", "syvende", "åttende", "åttande", "niende", "niande",
        "tiende", "tiande", "ellevte", "tolvte", "trettende", "trettande", "fjortende",
        "fjortande", "femtende", "femtande", "sekstende", "sekstande", "syttende",
        "syttande", "attende", "attande", "nittende", "nittande", "tjuende", "tjugande",
        "trettiende", "trettiande", "hundrede", "hundrande", "tusende", "tusande",
        "neste", "siste",
        # numbers
        "en", "én", "ein", "éin", "ei", "ett", "eitt", "to", "tre", "fire", "fem", "seks",
        "sju", "syv", "åtte", "ni", "ti", "elleve", "tolv", "tretten", "fjorten", "femten",
        "seksten", "sytten", "atten", "nitten", "tjue", "tjuge", "tretti", "førti", "femti",
        "seksti", "sytti", "åtti", "nitti", "hundre", "tusen",
        # quantifiers
        "alle", "begge", "mange", "flere", "fleire", "noen", "nokre", "nokon", "enkelte",
        "hver", "kvar", "hele", "heile", "halve", "halvparten",
    }
)  # fmt: skip

# LIX says little about a few words ("Velkommen!" scores 101): judge only texts of this size.
LIX_MIN_WORDS = 20


def _own_phones(policy: Policy) -> set[str]:
    phones = set()
    for holder in (policy.contact, policy.formal_inquiry):
        if holder is not None and holder.phone:
            phones.add(_DIGITS.sub("", holder.phone)[-8:])
    return phones


def _own_email_domains(policy: Policy) -> tuple[str, ...]:
    holders = (policy.contact, policy.formal_inquiry)
    emails = [h.email for h in holders if h is not None and h.email and "@" in h.email]
    return (*policy.domains, *(e.rsplit("@", 1)[1].lower() for e in emails))


def _is_own(hit: PersonalData, policy: Policy) -> bool:
    if hit.type == "phone":
        return _DIGITS.sub("", hit.text)[-8:] in _own_phones(policy)
    if hit.type == "email":
        host = hit.text.rsplit("@", 1)[-1].lower()
        return any(host == d or host.endswith("." + d) for d in _own_email_domains(policy))
    return False


_LABEL = {
    "national_id": ("et fødselsnummer eller D-/H-nummer", "a national identity number"),
    "bank_account": ("et kontonummer", "a bank account number"),
    "phone": ("et telefonnummer", "a phone number"),
    "email": ("en e-postadresse", "an e-mail address"),
    "address": ("en adresse", "an address"),
}
_LABEL_NN = {
    "national_id": "eit fødselsnummer eller D-/H-nummer",
    "bank_account": "eit kontonummer",
    "phone": "eit telefonnummer",
    "email": "ei e-postadresse",
    "address": "ei adresse",
}


def check_personal_data(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-1: confidential or personal data in a post or reply, and in what the platforms
    publish with each attachment: its alt text, its title and its captions (review s18)."""
    out = _personal_data(draft.text, policy)
    for index, media in enumerate(draft.media):
        number = index + 1
        # What the text is called in the finding: Bokmål, English, Nynorsk.
        for text, nb, en, nn in (
            (media.alt, "alternativ tekst", "alt text", "alternativ tekst"),
            (media.title, "tittel", "title", "tittel"),
            (media.captions_text, "teksting", "captions", "teksting"),
        ):
            if not text:
                continue
            for found in _personal_data(text, policy):
                # Not in the post's text: no span into it.
                out.append(
                    replace(
                        found,
                        message_nb=f"Vedlegg {number} ({nb}): {found.message_nb}",
                        message_en=f"Attachment {number} ({en}): {found.message_en}",
                        message_nn=f"Vedlegg {number} ({nn}): {found.message_nn}",
                        span=None,
                    )
                )
    return out


def _personal_data(text: str, policy: Policy) -> list[Finding]:
    """PU-1's findings on one text, with spans into it."""
    hits = find_personal_data(text)
    out: list[Finding] = []
    for hit in hits:
        if hit.type not in _LABEL or _is_own(hit, policy):
            continue
        nb, en = _LABEL[hit.type]
        nn = _LABEL_NN[hit.type]
        shown = quote(text, (hit.start, hit.end))
        if hit.type == "national_id":
            # The message travels further than the draft (API 422, audit reason, logs):
            # it names the number masked, as the console shows it (issue #18).
            shown = mask_national_ids(shown)
            out.append(
                finding(
                    policy,
                    "PU-1",
                    f"«{shown}» ser ut som {nb}. Fødselsnumre skal aldri publiseres.",
                    f"“{shown}” looks like {en}. National identity numbers must never be "
                    "published.",
                    nn=f"«{shown}» ser ut som {nn}. Fødselsnummer skal aldri publiserast.",
                    span=(hit.start, hit.end),
                )
            )
        else:
            out.append(
                finding(
                    policy,
                    "PU-1",
                    f"«{shown}» er {nb}. Sjekk at det ikke er en privatpersons opplysning – alt "
                    "i sosiale medier er offentlig.",
                    f"“{shown}” is {en}. Make sure it is not a private person's data — "
                    "everything on social media is public.",
                    nn=f"«{shown}» er {nn}. Sjekk at det ikkje er ei opplysning om ein "
                    "privatperson – alt i sosiale medium er offentleg.",
                    severity="warn",
                    span=(hit.start, hit.end),
                )
            )
    out.extend(_combinations(text, hits, policy))
    return out


def _opener_not_name(text: str, sentence_start: int, hit: PersonalData) -> bool:
    """A one-word name that opens its sentence and is an ordinal, number or quantifier
    ("Tredje klasse …", "Fjerde trinn …"), which a capital does not make a name."""
    opens = not any(c.isalnum() for c in text[sentence_start : hit.start])
    return opens and hit.text.lower() in NOT_NAMES_AT_SENTENCE_START


def _combinations(text: str, hits: list[PersonalData], policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    for offset, sentence in sentences(text):
        end = offset + len(sentence)
        inside = [h for h in hits if offset <= h.start < end]
        persons = [
            h for h in inside if h.type == "person" and not _opener_not_name(text, offset, h)
        ]
        sensitive = [h for h in inside if h.type in ("health", "special_category")]
        if persons and sensitive:
            who = persons[0]
            # A diagnosis, drug or treatment tied to a name is confidential: block. A care
            # service ("hjemmesykepleien") is as often the person's workplace: warn.
            firm = [h for h in sensitive if h.detail != "care"]
            what = (firm or sensitive)[0]
            span = (min(who.start, what.start), max(who.end, what.end))
            out.append(
                finding(
                    policy,
                    "PU-1",
                    f"Setningen knytter «{what.text}» til en navngitt person («{who.text}»). "
                    "Helseopplysninger og andre sensitive opplysninger om enkeltpersoner er "
                    "taushetsbelagt og skal aldri publiseres.",
                    f"The sentence links “{what.text}” to a named person (“{who.text}”). Health "
                    "and other sensitive data about individuals is confidential and must never "
                    "be published.",
                    nn=f"Setninga knyter «{what.text}» til ein namngitt person («{who.text}»). "
                    "Helseopplysningar og andre sensitive opplysningar om enkeltpersonar er "
                    "teiepliktige og skal aldri publiserast.",
                    severity=None if firm else "warn",
                    span=span,
                )
            )
            continue
        school = SCHOOL_DETAIL.search(sentence)
        if persons and school:
            who = persons[0]
            start, stop = offset + school.start(), offset + school.end()
            span = (min(who.start, start), max(who.end, stop))
            out.append(
                finding(
                    policy,
                    "PU-1",
                    f"Setningen navngir «{who.text}» sammen med skoleopplysninger "
                    f"(«{school.group()}»). Navn på elever og brukere er taushetsbelagt.",
                    f"The sentence names “{who.text}” together with school details "
                    f"(“{school.group()}”). Names of pupils and clients are confidential.",
                    nn=f"Setninga namngir «{who.text}» saman med skuleopplysningar "
                    f"(«{school.group()}»). Namn på elevar og brukarar er teiepliktige.",
                    span=span,
                )
            )
            continue
        referent = PERSONAL_REFERENT.search(sentence)
        if sensitive and referent:
            what = sensitive[0]
            out.append(
                finding(
                    policy,
                    "PU-1",
                    f"«{what.text}» i en setning om en enkeltperson («{referent.group()}») kan "
                    "avsløre taushetsbelagte helseopplysninger. Sjekk at ingen kan kjennes igjen.",
                    f"“{what.text}” in a sentence about an individual (“{referent.group()}”) may "
                    "reveal confidential health data. Make sure nobody can be identified.",
                    nn=f"«{what.text}» i ei setning om ein enkeltperson («{referent.group()}») "
                    "kan avsløre teiepliktige helseopplysningar. Sjekk at ingen kan kjennast att.",
                    severity="warn",
                    span=(what.start, what.end),
                )
            )
    return out


_ISSUE_TEXT = {
    "stiff_word": ("er et stivt ord (Kansellisten)", "is a stiff word (Kansellisten)"),
    "loanword": ("er et engelsk lånord", "is an English loanword"),
    "abbreviation": ("er en forkortelse", "is an abbreviation"),
    "long_sentence": ("er en lang setning", "is a long sentence"),
}
_ISSUE_TEXT_NN = {
    "stiff_word": "er eit stivt ord (Kansellisten)",
    "loanword": "er eit engelsk lånord",
    "abbreviation": "er ei forkorting",
    "long_sentence": "er ei lang setning",
}


# The language library's advice is Bokmål (readability.py); English and Nynorsk say the
# same here. The lexicons' replacement words stay Norwegian: they are what to write.
_ADVICE = (
    (
        re.compile(r"skriv «(?P<words>.+)»"),
        " Write “{words}” instead.",
        " Skriv «{words}».",
    ),
    (re.compile(r"skriv ordene helt ut"), " Write the words out in full.", " Skriv orda heilt ut."),
    (
        re.compile(r"skriv ut forkortelsen første gang den brukes"),
        " Spell out the abbreviation the first time it is used.",
        " Skriv ut forkortinga første gongen ho blir brukt.",
    ),
    (
        re.compile(r"del opp setningen \((?P<n>\d+) ord; helst under (?P<max>\d+)\)"),
        " Split the sentence ({n} words; preferably under {max}).",
        " Del opp setninga ({n} ord; helst under {max}).",
    ),
)


def _advice_en_nn(kind: str, suggestion: str) -> tuple[str, str]:
    """A PU-5 issue's advice in English and Nynorsk (QA 2026-12: the English message
    carried the Bokmål sentence)."""
    if not suggestion:
        return "", ""
    for pattern, en, nn in _ADVICE:
        found = pattern.fullmatch(suggestion)
        if found:
            return en.format(**found.groupdict()), nn.format(**found.groupdict())
    if kind in ("stiff_word", "loanword"):  # the lexicon's plainer Norwegian words
        return f" Plainer Norwegian: “{suggestion}”.", f" Framlegg: {suggestion}."
    return "", f" Framlegg: {suggestion}."  # advice we cannot say in English: none


def check_plain_language(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-5: readability (LIX above the preset's `lix_max`), stiff words, abbreviations."""
    out: list[Finding] = []
    limit = float(policy.params("PU-5")["lix_max"])
    if word_count(draft.text) >= LIX_MIN_WORDS:
        score = lix(draft.text)
        if score > limit:
            out.append(
                finding(
                    policy,
                    "PU-5",
                    f"Teksten har LIX {score:.0f}, over grensen {limit:g}. Skriv kortere "
                    "setninger og enklere ord.",
                    f"The text has a LIX of {score:.0f}, above the limit of {limit:g}. Write "
                    "shorter sentences and simpler words.",
                    nn=f"Teksten har LIX {score:.0f}, over grensa {limit:g}. Skriv kortare "
                    "setningar og enklare ord.",
                )
            )
    for issue in plain_language_issues(draft.text):
        nb, en = _ISSUE_TEXT.get(issue.kind, ("er vanskelig å forstå", "is hard to understand"))
        shown = quote(draft.text, (issue.start, issue.end))
        advice = f" Forslag: {issue.suggestion}." if issue.suggestion else ""
        advice_en, advice_nn = _advice_en_nn(issue.kind, issue.suggestion)
        nn = _ISSUE_TEXT_NN.get(issue.kind, "er vanskeleg å forstå")
        out.append(
            finding(
                policy,
                "PU-5",
                f"«{shown}» {nb}.{advice}",
                f"“{shown}” {en}.{advice_en}",
                nn=f"«{shown}» {nn}.{advice_nn}",
                span=(issue.start, issue.end),
            )
        )
    return out


CHECKS = {"PU-1": check_personal_data, "PU-5": check_plain_language}
