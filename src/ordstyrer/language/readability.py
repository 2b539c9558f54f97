"""Readability and plain language (klarspråk) for posts and replies (PU-5).

`lix(text)` is Björnsson's läsbarhetsindex (norwegian-standards §6).
`plain_language_issues(text)` finds stiff words (Språkrådet's Kansellisten), English
loanwords with Norwegian replacements (avløserord), abbreviations and unexplained
acronyms (Indre Fosen § 7: "Bruk aldri faguttrykk eller forkortelser") and sentences
longer than 25 words (Altinn: "helst under 25 ord").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "models"
LONG_SENTENCE_WORDS = 25

_L = r"[^\W\d_]"
_WORD = re.compile(rf"{_L}+")
_SENTENCE_END = re.compile(r"[.!?:]+")
# Björnsson also ends a sentence at a line break followed by a capital letter.
_BREAK_CAPITAL = re.compile(r"[^.!?:\s][ \t]*\n\s*[A-ZÆØÅ]")


@dataclass(frozen=True)
class PlainLanguageIssue:
    kind: str  # stiff_word | loanword | abbreviation | long_sentence
    start: int
    end: int
    text: str
    suggestion: str


def lix(text: str) -> float:
    """LIX = words/sentences + 100 × long_words/words; a long word has more than 6 letters."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = len(_SENTENCE_END.findall(text)) + len(_BREAK_CAPITAL.findall(text))
    if not re.search(r"[.!?:]\s*$", text.strip()):
        sentences += 1  # the last sentence need not end with punctuation
    long_words = sum(1 for w in words if len(w) > 6)
    return len(words) / max(sentences, 1) + 100 * long_words / len(words)


# Abbreviations to write out in text for the public (Språkrådet); the value is the
# full form. Both Bokmål and Nynorsk forms where they differ.
ABBREVIATIONS: dict[str, str] = {
    "iht.": "i henhold til / etter",
    "jf.": "jamfør / se",
    "jfr.": "jamfør / se",
    "ifm.": "i forbindelse med",
    "i.f.m.": "i forbindelse med",
    "bl.a.": "blant annet",
    "f.eks.": "for eksempel",
    "t.d.": "til dømes",
    "evt.": "eventuelt",
    "ev.": "eventuelt",
    "pga.": "på grunn av",
    "p.g.a.": "på grunn av",
    "vedr.": "om",
    "ang.": "om",
    "dvs.": "det vil si",
    "mht.": "med hensyn til",
    "m.h.t.": "med hensyn til",
    "ca.": "omtrent / cirka",
    "m.m.": "med mer",
    "o.l.": "og liknende",
    "osv.": "og så videre",
    "mtp.": "med tanke på",
    "ift.": "i forhold til",
    "hhv.": "henholdsvis",
    "inkl.": "inkludert",
    "ekskl.": "unntatt",
    "bl.anna": "blant anna",
    "m.a.": "mellom anna",
    "mv.": "med videre",
    "m.v.": "med videre",
    "o.a.": "og andre",
    "e.l.": "eller liknende",
    "t.o.m.": "til og med",
    "f.o.m.": "fra og med",
    "iflg.": "ifølge",
    "ifølge.": "ifølge",
    "tlf.": "telefon",
    "avd.": "avdeling",
    "adm.": "administrasjonen",
    "kommunedir.": "kommunedirektøren",
}
# Municipal acronyms with their meaning (suggestion = write it out).
ACRONYMS: dict[str, str] = {
    "KST": "kommunestyret",
    "FSK": "formannskapet",
    "VA": "vann og avløp",
    "HMS": "helse, miljø og sikkerhet",
    "SFO": "skolefritidsordningen",
    "BPA": "brukerstyrt personlig assistanse",
    "PPT": "pedagogisk-psykologisk tjeneste",
    "ROS": "risiko- og sårbarhetsanalyse",
    "FAU": "foreldrerådets arbeidsutvalg",
    "KOSTRA": "kommune-stat-rapportering",
    "UU": "universell utforming",
    "TT": "transporttjeneste for funksjonshemmede",
    "HO": "helse og omsorg",
    "OU": "organisasjonsutvikling",
    "FDV": "forvaltning, drift og vedlikehold",
    "ØP": "økonomiplanen",
    "HP": "handlingsprogrammet",
    "KPA": "kommuneplanens arealdel",
    "TU": "teknisk utvalg",
    "HOU": "helse- og omsorgsutvalget",
    "PLØ": "plan, landbruk og økonomi",
    "BUP": "barne- og ungdomspsykiatrisk poliklinikk",
    "DPS": "distriktspsykiatrisk senter",
    "SLT": "samordning av lokale kriminalitetsforebyggende tiltak",
}
# Acronyms everybody knows, names of organisations and parties: not flagged.
WELL_KNOWN = {
    "NAV",
    "NRK",
    "TV",
    "EU",
    "EØS",
    "FN",
    "USA",
    "OK",
    "PC",
    "PDF",
    "SMS",
    "ID",
    "DNB",
    "NTB",
    "VG",
    "NSB",
    "BT",
    "IT",
    "UK",
    "NATO",
    "AS",
    "ASA",
    "SA",
    "BA",
    "AP",
    "FRP",
    "SV",
    "SP",
    "KRF",
    "MDG",
    "KS",
    "LO",
    "NHO",
    "YS",
    "DAB",
    "GPS",
    "WC",
    "FM",
    "CD",
    "DVD",
    "PIN",
    "QR",
    "URL",
    "WWW",
    "MVA",
    "KM",
    "KG",
    "CM",
    "MM",
    "BMW",
    "PS",
    "II",
    "III",
    "IV",
    "VI",
    "VII",
    "XI",
    "COVID",
    "NB",
    "NN",
    "ADHD",
    "HIV",
    "RV",
    "EV",
    "FV",
}


@lru_cache(maxsize=1)
def _lexicons() -> list[tuple[str, dict[str, str], re.Pattern[str]]]:
    data = json.loads((MODELS / "plain_language.json").read_text("utf-8"))
    out = []
    for kind, key in (("stiff_word", "stiff_words"), ("loanword", "loanwords")):
        entries = sorted(data[key].items(), key=lambda kv: -len(kv[0]))
        by_key = dict(entries)
        # One alternation per list, longest key first so that "komme i besittelse av"
        # wins over "besittelse"; a short inflection ending is allowed ("meddelt").
        alternation = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k, _ in entries)
        pattern = re.compile(
            rf"(?<!{_L})({alternation})(?:e|r|t|s|n|en|et|er|ene|te|de|a|ar|ane)?(?!{_L})",
            re.IGNORECASE,
        )
        out.append((kind, by_key, pattern))
    return out


_ABBREV_PATTERN = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
# Dotted lower-case abbreviations not in the list: "t.o.m.", "e.l.", "o.a.".
_DOTTED = re.compile(rf"(?<![\w.@/])({_L}{{1,3}}\.(?:{_L}{{1,3}}\.)+)(?![\w/@])")
_ACRONYM = re.compile(r"(?<![\w-])([A-ZÆØÅ]{2,6})(?:-\w+)?(?![\w])")


def _stiff_and_loanwords(text: str) -> list[PlainLanguageIssue]:
    issues = []
    for kind, by_key, pattern in _lexicons():
        for m in pattern.finditer(text):
            key = " ".join(m.group(1).lower().split())
            suggestion = by_key.get(key, "")
            issues.append(PlainLanguageIssue(kind, m.start(), m.end(), m.group(), suggestion))
    return issues


def _explained(text: str, acronym: str) -> bool:
    """Spelled out on first use: "kommunestyret (KST)" or "KST (kommunestyret)"."""
    return bool(
        re.search(rf"\(\s*{acronym}\s*\)", text) or re.search(rf"{acronym}\s*\(\s*[a-zæøå]", text)
    )


def _abbreviations(text: str) -> list[PlainLanguageIssue]:
    issues: list[PlainLanguageIssue] = []
    taken: list[tuple[int, int]] = []
    for m in _ABBREV_PATTERN.finditer(text):
        full = ABBREVIATIONS[m.group(1).lower()]
        issues.append(
            PlainLanguageIssue("abbreviation", m.start(), m.end(), m.group(), f"skriv «{full}»")
        )
        taken.append((m.start(), m.end()))
    for m in _DOTTED.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        issues.append(
            PlainLanguageIssue(
                "abbreviation", m.start(), m.end(), m.group(), "skriv ordene helt ut"
            )
        )
    seen: set[str] = set()
    for m in _ACRONYM.finditer(text):
        acronym = m.group(1)
        if acronym in WELL_KNOWN or acronym in seen or _explained(text, acronym):
            continue
        before = text[max(0, m.start() - 20) : m.start()].split()
        after = text[m.end() : m.end() + 20].split()
        if (before and before[-1].isupper() and len(before[-1]) > 1) or (
            after and after[0].isupper() and len(after[0]) > 1
        ):
            continue  # shouting in capitals, not an acronym
        seen.add(acronym)
        meaning = ACRONYMS.get(acronym)
        suggestion = (
            f"skriv «{meaning}»" if meaning else "skriv ut forkortelsen første gang den brukes"
        )
        issues.append(PlainLanguageIssue("abbreviation", m.start(1), m.end(1), acronym, suggestion))
    return issues


def _sentences(text: str) -> list[tuple[int, int]]:
    # Hide abbreviation dots so that "f.eks." does not end a sentence.
    masked = _ABBREV_PATTERN.sub(lambda m: "x" * len(m.group()), text)
    masked = _DOTTED.sub(lambda m: "x" * len(m.group()), masked)
    spans = []
    start = 0
    for m in re.finditer(r"[.!?]+(?=\s|$)|\n\s*\n", masked):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _long_sentences(text: str) -> list[PlainLanguageIssue]:
    issues = []
    for start, end in _sentences(text):
        chunk = text[start:end]
        n_words = len(re.findall(r"\w+(?:[-'’]\w+)*", chunk))
        if n_words > LONG_SENTENCE_WORDS:
            lead = len(chunk) - len(chunk.lstrip())
            issues.append(
                PlainLanguageIssue(
                    "long_sentence",
                    start + lead,
                    end,
                    chunk.strip(),
                    f"del opp setningen ({n_words} ord; helst under {LONG_SENTENCE_WORDS})",
                )
            )
    return issues


def plain_language_issues(text: str) -> list[PlainLanguageIssue]:
    """Plain-language findings in `text` (PU-5), sorted by position."""
    issues = [*_stiff_and_loanwords(text), *_abbreviations(text), *_long_sentences(text)]
    issues.sort(key=lambda i: (i.start, i.kind))
    return issues
