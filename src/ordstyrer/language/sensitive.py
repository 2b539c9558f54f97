"""Word-shaped personal data: health terms, GDPR art. 9/10 hints and street addresses.

Health terms come from NorMedTerm (built into `models/health_terms.tsv` by
`train/build_lexicons.py`) plus a hand-written lay list, because citizens write
"demens", "innlagt på psykiatrisk" or "rus", not ICD diagnoses. Special-category
hints follow GDPR art. 9 and art. 10 (norwegian-standards §4.2). All patterns cover
Bokmål and Nynorsk and work in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "models"

# Letters of Norwegian words, without digits or underscore.
_L = r"[^\W\d_]"
_B = rf"(?<!{_L})"  # word start
_E = rf"(?!{_L})"  # word end


@dataclass(frozen=True)
class TermHit:
    type: str
    start: int
    end: int
    detail: str


_LEADING_GROUP = re.compile(r"^\(\?:([^()]*)\)(.*)$", re.S)


def _by_first_letter(patterns: list[tuple[str, bool]]) -> str:
    """One alternation, grouped by first letter, with a look-ahead on the possible letters.

    Python's `re` tries every branch of an alternation at every word start; grouping the
    branches by their first letter lets it skip all but one group, which makes the
    pattern several times faster. Branch order within a letter is kept, so the leftmost
    match is the same. A leading `(?:a|b)` group is spread over its alternatives first.
    `patterns` holds (pattern, ignore_case) pairs.
    """
    groups: dict[tuple[str, bool], list[str]] = {}
    for pattern, ignore_case in patterns:
        lead = _LEADING_GROUP.match(pattern)
        spread = [a + lead.group(2) for a in lead.group(1).split("|")] if lead else [pattern]
        for branch in spread:
            first = branch[0]
            if not first.isalpha():
                raise ValueError(f"pattern must start with a letter: {branch!r}")
            key = (first.lower() if ignore_case else first, ignore_case)
            groups.setdefault(key, []).append(branch[1:])
    alternatives = [
        f"(?{'i' if ignore_case else '-i'}:{first}(?:{'|'.join(rests)}))"
        for (first, ignore_case), rests in groups.items()
    ]
    letters = {first for first, _ in groups} | {f.upper() for f, icase in groups if icase}
    return f"(?=[{''.join(sorted(letters))}])" + _B + "(?:" + "|".join(alternatives) + ")" + _E


def _alternation(patterns: list[str], *, ignore_case: bool = True) -> re.Pattern[str]:
    return re.compile(_by_first_letter([(p, ignore_case) for p in patterns]))


# --- health: lay words (nb + nn) ----------------------------------------------------
_LAY_HEALTH: dict[str, list[str]] = {
    "condition": [
        r"demen(?:s|t|te|ten)",
        r"alzheimer\w*",
        r"kreft\w*",
        r"cancer",
        r"svulst\w*",
        r"adhd",
        r"add-diagnose",
        r"autis(?:me|t|ten|tisk|tiske)",
        r"asperger\w*",
        r"diabet(?:es|iker\w*|ikar\w*)",
        r"sukkersyk\w*",
        r"sukkersjuk\w*",
        r"epilep\w*",
        r"depre(?:sjon\w*|sjonar|ssiv\w*|mert\w*)",
        r"angstlidels\w*",
        r"panikkangst",
        r"sosial angst",
        r"psykos\w*",
        r"psykotisk\w*",
        r"schizofren\w*",
        r"bipolar\w*",
        r"personlighetsforstyrr\w*",
        r"psykisk (?:syk|sjuk|lidelse|uhels\w*)\w*",
        r"psykiske (?:lidelser|problem\w*|plager)",
        r"utviklingshem\w*",
        r"psykisk utviklings\w*",
        r"spiseforstyrr\w*",
        r"anoreksi\w*",
        r"bulimi\w*",
        r"selvmord\w*",
        r"sjølvmord\w*",
        r"selvskad\w*",
        r"sjølvskad\w*",
        r"ptsd",
        r"ocd",
        r"tourette\w*",
        r"dysleksi\w*",
        r"downs? syndrom",
        r"cerebral parese",
        r"hjerneslag\w*",
        r"slagpasient\w*",
        r"hjerteinfarkt\w*",
        r"infarkt",
        r"parkinson\w*",
        r"multippel sklerose",
        r"astma\w*",
        r"allergi\w*",
        r"epilepsi",
        r"hiv-positiv\w*",
        r"aids",
        r"funksjonshem\w*",
        r"handikap\w*",
        r"rullestolbruker\w*",
        r"sitter i rullestol",
        r"lam(?:me)? fra livet",
        r"blind(?:e)?",
        r"døv(?:e)?",
        r"svaksynt\w*",
        r"hørselshem\w*",
        r"gravid\w*",
        r"svanger\w*",
        r"spontanabort\w*",
        r"abort(?:en|ert)?",
        r"sykmeld\w*",
        r"sjukmeld\w*",
        r"ufør\w*",
        r"langtidssyk\w*",
        r"langtidssjuk\w*",
        r"kronisk syk\w*",
        r"kronisk sjuk\w*",
        r"alvorlig syk\w*",
        r"alvorleg sjuk\w*",
        r"dødssyk\w*",
        r"terminal\w*",
        r"hjernesvulst\w*",
        r"covid-syk\w*",
        r"long covid",
    ],
    "substance": [
        r"rus",
        r"rusen",
        r"rusa",
        r"ruset",
        r"rusmisbruk\w*",
        r"rusproblem\w*",
        r"rusavhengig\w*",
        r"rusmiddel\w*",
        r"rusmidl\w*",
        r"rusbehandling\w*",
        r"narkoman\w*",
        r"narkotika\w*",
        r"narkis\w*",
        r"sprøytenarkoman\w*",
        r"alkoholi(?:ker|kar|sme)\w*",
        r"alkoholproblem\w*",
        r"alkoholavheng\w*",
        r"drukkenbolt\w*",
        r"fyllik\w*",
        r"heroin\w*",
        r"kokain\w*",
        r"amfetamin\w*",
        r"metadon\w*",
        r"subutex",
        r"antidepress\w*",
        r"antipsykoti\w*",
        r"cellegift\w*",
        r"går på (?:medisiner|piller|antidepressiva|metadon|lar)",
        r"(?:lar|legemiddelassistert rehabilitering)-?(?:pasient\w*|program\w*)",
    ],
    "care": [
        r"innlagt\w* på (?:psykiatri\w*|sykehus\w*|sjukehus\w*|avrusning\w*|rus\w*|lukket\w*)",
        r"innlagd\w* på (?:psykiatri\w*|sjukehus\w*|avrusing\w*|rus\w*)",
        r"psykiatrisk\w*",
        r"psykiatrien",
        r"tvangsinnlagt\w*",
        r"tvangsinnleggelse\w*",
        r"avrusning\w*",
        r"avrusing\w*",
        r"rusomsorg\w*",
        r"rusbehandling\w*",
        r"bup",
        r"dps",
        r"psykolog(?:en|time\w*|behandling\w*)?",
        r"psykiater\w*",
        r"hjemmesykepleie\w*",
        r"heimesjukepleie\w*",
        r"hjemmetjeneste\w*",
        r"heimeteneste\w*",
        r"omsorgsbolig\w*",
        r"bor på sykehjem\w*",
        r"bur på sjukeheim\w*",
        r"plass på sykehjem\w*",
        r"plass på sjukeheim\w*",
        r"dialyse\w*",
        r"strålebehandl\w*",
        r"kjemoterapi\w*",
        r"palliativ\w*",
        r"rehabilitering\w*",
    ],
}
# Short acronyms are matched only in capitals: "hiv" is also "throw", "als" German.
_LAY_HEALTH_CASED: dict[str, list[str]] = {
    "condition": [r"MS", r"ALS", r"KOLS", r"HIV", r"CP", r"ME", r"ADD"],
    "care": [r"LAR", r"NAV-syk\w*"],
}

_SPECIAL: dict[str, list[str]] = {
    "religion": [
        r"muslim\w*",
        r"islam\w*",
        r"moské\w*",
        r"moske\w*",
        r"jød(?:e|ar|er|isk)\w*",
        r"synagog\w*",
        r"katolikk\w*",
        r"katolsk\w*",
        r"hindu\w*",
        r"buddhis\w*",
        r"sikh\w*",
        r"ateist\w*",
        r"pinsevenn\w*",
        r"jehovas vitne\w*",
        r"læstadian\w*",
        r"konverter(?:t|te)",
        r"religion\w*",
        r"religiøs\w*",
        r"troende",
        r"kristen",
        r"kristne",
        r"humanetiker\w*",
        r"frikirke\w*",
        r"imam\w*",
    ],
    "ethnic_origin": [
        r"innvandr(?:er|ar)\w*",
        r"flyktning\w*",
        r"asylsøk\w*",
        # «same» alone is mostly Nynorsk for "the same" («det same», «same her»): the
        # singular only after an article or a copula («ein same», «er same»), or definite.
        r"(?:en|ein|som|er|var|være|vere) same",
        r"samen",
        r"samer",
        r"samane",
        r"samene",
        r"samisk\w*",
        r"kven(?:er|ar|sk)\w*",
        r"romfolk\w*",
        r"romani\w*",
        r"tater\w*",
        r"sigøyner\w*",
        r"mørkhud\w*",
        r"svarting\w*",
        r"neger\w*",
        r"hudfarge\w*",
        r"etnisk\w*",
        r"utenlandsk opprinnelse",
        r"utanlandsk opphav",
        r"utlending\w*",
        r"somali\w*",
        r"pakistan\w*",
        r"polakk\w*",
        r"afghan\w*",
        r"afrikan\w*",
        r"araber\w*",
        r"syrer\w*",
        r"eritre\w*",
    ],
    "sexual_orientation": [
        r"homofil\w*",
        r"lesbisk\w*",
        r"lesbe\w*",
        r"bifil\w*",
        r"skeiv\w*",
        r"homo",
        r"homs\w*",
        r"soper\w*",
        r"gay",
        r"legning\w*",
        r"seksuell orientering",
        r"seksuelle orientering",
        r"sexliv\w*",
        r"seksualliv\w*",
    ],
    "gender_identity": [
        r"transperson\w*",
        r"transkjønn\w*",
        r"trans",
        r"ikke-binær\w*",
        r"ikkje-binær\w*",
        r"kjønnsidentitet\w*",
        r"kjønnsuttrykk\w*",
        r"kjønnsinkongruens\w*",
        r"kjønnsskifte\w*",
        r"kjønnsbekreftende\w*",
    ],
    "political_opinion": [
        r"(?:er|var|blitt|vert|vore) (?:medlem av|medlem i|aktiv i) (?:ap|arbeid\w*partiet|frp|"
        r"fremskrittspartiet|framstegspartiet|høyre|høgre|sp|senterpartiet|sv|sosialistisk "
        r"venstreparti|krf|kristelig folkeparti|kristeleg folkeparti|venstre|mdg|rødt|raudt|"
        r"partiet \w+)",
        r"stem(?:mer|mar|te|de) (?:på )?(?:ap|arbeid\w*partiet|frp|fremskrittspartiet|"
        r"framstegspartiet|høyre|høgre|sp|senterpartiet|sv|krf|venstre|mdg|rødt|raudt)",
        r"(?:frp|ap|sv|sp|krf|mdg|rødt|høyre|høgre)-(?:velger|veljar|medlem|politiker|"
        r"politikar|tilhenger|tilhengar)\w*",
        r"partimedlem\w*",
        r"partibok\w*",
        r"politisk ståsted",
        r"politiske ståsted",
    ],
    "trade_union": [
        r"fagforening\w*",
        r"fagforeining\w*",
        r"fagorganiser\w*",
        r"fagforbundet",
        r"utdanningsforbundet",
        r"sykepleierforbund\w*",
        r"sjukepleiarforbund\w*",
        r"fellesforbundet",
        r"tillitsvalgt\w*",
        r"tillitsvald\w*",
        r"hovedtillitsvalgt\w*",
        r"medlem (?:av|i) (?:lo|fagforbundet|delta|parat|unio|ys|nsf)",
    ],
    "criminal": [
        r"dømt\w*",
        r"dømd\w*",
        r"straffedømt\w*",
        r"domfelt\w*",
        r"fengsel\w*",
        r"fengsl\w*",
        r"sitter inne",
        r"sit inne",
        r"satt inne",
        r"sonet\w*",
        r"soner",
        r"sonar",
        r"soning\w*",
        r"siktet",
        r"sikta",
        r"tiltalt\w*",
        r"tiltala",
        r"politianmeld\w*",
        r"anmeldt\w*",
        r"meldt til politiet",
        r"arrestert\w*",
        r"pågrepet",
        r"pågripen",
        r"varetekt\w*",
        r"pedofil\w*",
        r"overgriper\w*",
        r"overgripar\w*",
        r"voldtekt\w*",
        r"valdtekt\w*",
        r"voldsdømt\w*",
        r"narkolanger\w*",
        r"langer",
        r"langar",
        r"kriminell\w*",
        r"straffesak\w*",
        r"rulleblad\w*",
        r"promillekjør\w*",
        r"fyllekjør\w*",
        r"tyv(?:en|er|ar|ane|ene)?",
        r"tyveri\w*",
        r"svindler\w*",
        r"svindlar\w*",
    ],
}

_STREET_SUFFIX = (
    r"(?:gata|gate|gaten|gt\.?|veien|vegen|vei|veg|vn\.?|allé|alléen|plass|plassen|stien|"
    r"stigen|bakken|brekka|svingen|torget|tunet|kaia|bryggen|brygga|løkka|jordet|grenda|"
    r"ringen|kroken|lunden|sletta|flata|åsen|berget|bråten|eggen|engen|ekra|faret|gjerdet|"
    r"gropa|hagen|haugen|havna|holtet|høgda|kollen|lia|lyngen|marka|moen|myra|roa|røa|"
    r"skogen|skrenten|spranget|stranda|stubben|stykket|tjernet|toppen|vollen|vika)"
)
_STREET = re.compile(
    rf"{_B}(?:"
    # compound street name: "Storgata", "Kirkevegen", "storgata"
    rf"{_L}{{2,}}{_STREET_SUFFIX}"
    # separate street word after one or two capitalised words: "Olav Tryggvasons gate"
    rf"|(?:[A-ZÆØÅ]{_L}*\.?\s){{1,2}}(?:gate|gata|vei|veien|veg|vegen|plass|allé)"
    rf")\s(\d{{1,4}})(?:\s?[A-H](?!{_L})|[a-h](?!{_L}))?",
)
_UNIT_AFTER = re.compile(
    r"\s*(?:cm|mm|m|meter|km|kr|kroner|min|minutt\w*|time\w*|dag\w*|døgn|år|uker|veker|"
    r"ganger|gonger|grader|%|prosent|stk|personer|stykk\w*|tonn|kg|liter)(?!\w)",
    re.I,
)
_POSTCODE_PLACE = re.compile(
    rf"{_B}(?<![\d])(\d{{4}})\s((?:[A-ZÆØÅ]{_L}+)(?:[ -][A-ZÆØÅ]{_L}+)?){_E}"
)
_POSTCODE_TAIL = re.compile(rf",?\s(\d{{4}})\s({_L}+(?:[ -]{_L}+)?)")
_YEAR_CONTEXT = re.compile(
    r"(?:i|år|året|fra|frå|til|siden|sidan|innen|innan|før|etter|høsten|hausten|våren|"
    r"sommeren|sommaren|vinteren|januar|februar|mars|april|mai|juni|juli|august|"
    r"september|oktober|november|desember|budsjett\w*|pr\.?|per)\s*$",
    re.I,
)


@lru_cache(maxsize=1)
def _health_lexicon() -> tuple[dict[str, str], frozenset[str]]:
    """Terms (lower case, words joined by one space) -> class, and every proper prefix of
    a multi-word term (so a look-up only tries lengths some term can have)."""
    terms: dict[str, str] = {}
    with (MODELS / "health_terms.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            term, _, cls = line.rstrip("\n").partition("\t")
            terms[term] = cls
    prefixes: set[str] = set()
    for term in terms:
        words = term.split(" ")
        prefixes.update(" ".join(words[:k]) for k in range(1, len(words)))
    return terms, frozenset(prefixes)


_TRADE_UNION_CASED = [r"LO", r"NSF", r"YS", r"Unio"]


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    lay = [(cls, _alternation(p)) for cls, p in _LAY_HEALTH.items()]
    lay += [(cls, _alternation(p, ignore_case=False)) for cls, p in _LAY_HEALTH_CASED.items()]
    special = [(name, _alternation(p)) for name, p in _SPECIAL.items()]
    special.append(("trade_union", _alternation(_TRADE_UNION_CASED, ignore_case=False)))
    return {"health": lay, "special_category": special}


@lru_cache(maxsize=1)
def _any_special() -> re.Pattern[str]:
    """Every special-category pattern in one: most texts have none, and then one scan
    replaces eight."""
    groups = [(p, True) for ps in _SPECIAL.values() for p in ps]
    groups += [(p, False) for p in _TRADE_UNION_CASED]
    return re.compile(_by_first_letter(groups))


@lru_cache(maxsize=2)
def signal_pattern(kind: str) -> re.Pattern[str]:
    """One regex for "any health word" or "any special-category word" (fast signals)."""
    if kind == "health":
        groups = [(p, True) for ps in _LAY_HEALTH.values() for p in ps]
        groups += [(p, False) for ps in _LAY_HEALTH_CASED.values() for p in ps]
    else:
        groups = [(p, True) for ps in _SPECIAL.values() for p in ps]
    return re.compile(_by_first_letter(groups))


_TOKEN = re.compile(rf"{_L}+(?:-{_L}+)*")
_DIGIT = re.compile(r"\d")
# Inflection endings tried when a word is not itself in the lexicon ("astmaen", "artrosen").
_ENDINGS = ("ane", "ene", "en", "et", "a", "ar", "er", "e", "n")


def _term_class(terms: dict[str, str], head: str, last: str) -> str | None:
    """The class of `head + last`, or of it with an inflection ending taken off `last`."""
    cls = terms.get(head + last)
    if cls is None:
        for ending in _ENDINGS:
            stem = last[: -len(ending)]
            if last.endswith(ending) and len(stem) >= 6:
                cls = terms.get(head + stem)
                if cls:
                    break
    return cls


@lru_cache(maxsize=65536)
def _word_class(word: str) -> str | None:
    return _term_class(_health_lexicon()[0], "", word)


def _lexicon_hits(text: str) -> Iterator[TermHit]:
    """Longest lexicon terms, left to right (a term may end in an inflected word)."""
    terms, prefixes = _health_lexicon()
    # A hit starts at a word that is a term itself or starts a longer one; most texts
    # have none, and then one findall is all it costs.
    if not any(w in prefixes or _word_class(w) for w in map(str.lower, _TOKEN.findall(text))):
        return
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        # The longest n whose first n - 1 words start some term.
        longest = 1
        head = tokens[i][2]
        while i + longest < len(tokens) and head in prefixes:
            longest += 1
            head += " " + tokens[i + longest - 1][2]
        found = None
        for n in range(longest, 1, -1):
            words = [t[2] for t in tokens[i : i + n]]
            cls = _term_class(terms, " ".join(words[:-1]) + " ", words[-1])
            if cls:
                found = (n, cls)
                break
        if found is None:
            cls = _word_class(tokens[i][2])
            found = (1, cls) if cls else None
        if found:
            n, cls = found
            yield TermHit("health", tokens[i][0], tokens[i + n - 1][1], cls)
            i += n
        else:
            i += 1


def find_health(text: str) -> list[TermHit]:
    hits = []
    if signal_pattern("health").search(text):  # the union of the lay patterns below
        hits = [
            TermHit("health", m.start(), m.end(), cls)
            for cls, pattern in _compiled()["health"]
            for m in pattern.finditer(text)
        ]
    for hit in _lexicon_hits(text):
        if not any(h.start < hit.end and hit.start < h.end for h in hits):
            hits.append(hit)
    return _drop_nested(hits, same_detail_only=False)


def find_special_categories(text: str) -> list[TermHit]:
    if not _any_special().search(text):
        return []
    hits = [
        TermHit("special_category", m.start(), m.end(), name)
        for name, pattern in _compiled()["special_category"]
        for m in pattern.finditer(text)
    ]
    return _drop_nested(hits)


def find_addresses(text: str) -> list[TermHit]:
    hits: list[TermHit] = []
    if not _DIGIT.search(text):  # a house number or a postcode is needed
        return hits
    for m in _STREET.finditer(text):
        if _UNIT_AFTER.match(text, m.end()):  # "bakken 5 meter", "veien 10 minutter"
            continue
        end = m.end()
        tail = _POSTCODE_TAIL.match(text, end)
        if tail:
            end = tail.end()
        hits.append(TermHit("address", m.start(), end, "gateadresse"))
    for m in _POSTCODE_PLACE.finditer(text):
        if any(h.start <= m.start() < h.end for h in hits):
            continue
        if _YEAR_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        hits.append(TermHit("address", m.start(), m.end(), "postnummer og sted"))
    return hits


def _drop_nested(hits: list[TermHit], *, same_detail_only: bool = True) -> list[TermHit]:
    """Keep the longest of overlapping hits (with the same detail, unless told otherwise)."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[TermHit] = []
    for hit in ordered:
        if any(
            (k.detail == hit.detail or not same_detail_only)
            and k.start < hit.end
            and hit.start < k.end
            for k in kept
        ):
            continue
        kept.append(hit)
    return kept
