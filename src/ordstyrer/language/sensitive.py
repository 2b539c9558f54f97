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


def _not_after(pattern: str, *words: str) -> str:
    """`pattern`, except right after one of `words` and a space ("arbeid med" flyktninger).

    The look-behinds go after the pattern's first letter, which `_by_first_letter` needs
    to see first; each is fixed-width, as `re` wants.
    """
    first = pattern[0]
    return first + "".join(rf"(?<!\b{w} {first})" for w in words) + pattern[1:]


def _word_not_after(word: str, *before: str) -> str:
    """`word`, except right after one of the words `before` and a space ("det er")."""
    return word + "".join(rf"(?<!\b{b} {word})" for b in before)


def _word_after(word: str, *before: str) -> str:
    """An assertion, put after `word`: one of the words `before` and a space precede it."""
    return "(?:" + "|".join(rf"(?<=\b{b} {word})" for b in before) + ")"


# A capitalised word that is not all capitals: a name ("Kristen Olsen", "MS Fosen").
_NAME_NEXT = r"[ \t]+(?-i:[A-ZÆØÅ][a-zæøåéü])"


def _not_shouted(acronym: str) -> str:
    """A cased acronym that is no word of a text written in capitals ("ME SES NESTE ÅR")."""
    return rf"{acronym}(?<!(?-i:[A-ZÆØÅ]{{2}})\s{acronym})(?![ \t]+(?-i:[A-ZÆØÅ]{{2}}))"


# --- health: lay words (nb + nn) ----------------------------------------------------
_LAY_HEALTH: dict[str, list[str]] = {
    "condition": [
        r"demen(?:s|t|te|ten)",
        r"alzheimer\w*",
        # Cancer, not «krefter»/«kreftane» (strength), «Krefting» or «Kreftforeningen».
        r"kreft(?!er|ene|ane|ing|forening|foreining)\w*",
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
        r"allergi(?!venn|venleg|fri|merk|sesong)\w*",  # not «allergivennlig mat»
        r"epilepsi",
        r"hiv-positiv\w*",
        r"aids",
        r"funksjonshem\w*",
        r"handikap\w*",
        r"rullestolbruker\w*",
        r"sitter i rullestol",
        r"lam(?:me)? fra livet",
        # Not «blind vei» (a dead end), «blind passasjer» or «i blinde».
        r"blind(?!\s+(?:vei|veg|veien|vegen|gate|gata|gaten|alarm\w*|passasjer\w*|flekk\w*|"
        rf"sone|sonen|tarm\w*|skjær|høne|høna)(?!{_L}))",
        _not_after(rf"blinde(?!\s+(?:flekk\w*|passasjer\w*)(?!{_L}))", "i"),
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
        # The illness, not «terminalen» (a bus or ferry terminal).
        r"terminal(?:t|e)? (?:syk|sjuk|kreft|fase|stadium|sykdom|sjukdom|pasient|pleie)\w*",
        r"terminal(?:pleie|pleia|omsorg|fase|pasient|syk|sjuk|stadi|kreft)\w*",
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
        # A person's rehabilitation, not a building's («Rehabilitering av Stadsbygd kirke»).
        r"rehabilitering(?!sprosjekt)\w*(?!\s+(?:av|og\s+(?:utvid|ombygg|oppgrad|renover|"
        rf"modernis|tilbygg|påbygg|vedlikehald|vedlikehold))(?!{_L}))",
    ],
}
# Short acronyms are matched only in capitals: "hiv" is also "throw", "als" German.
# Not in a text written in capitals ("ME SES NESTE ÅR": Nynorsk «me» is "we"), and «MS»
# not before a name ("MS Fosen", a ship).
_LAY_HEALTH_CASED: dict[str, list[str]] = {
    "condition": [
        _not_shouted("MS") + rf"(?!{_NAME_NEXT})",
        *(_not_shouted(a) for a in ("ALS", "KOLS", "HIV", "CP", "ME", "ADD")),
    ],
    "care": [_not_shouted("LAR"), r"NAV-syk\w*"],
}

_FAITH = (
    r"(?:islam\w*|kristendom\w*|kristen|kristne|katolis\w*|katolsk\w*|katolikk\w*|"
    r"jødedom\w*|buddhis\w*|hindu\w*|ortodoks\w*|mormon\w*|sikh\w*|ateism\w*|"
    r"humanetikk\w*|muslim\w*|troen|trua)"
)
# «undervist i religion»: the school subject.
_TEACHING = (
    "undervist i", "underviser i", "undervise i", "underviste i", "undervisar i",
    "undervisning i", "lærer i", "lærar i", "faget", "karakter i", "eksamen i", "time i",
    "timen i", "timer i", "timar i",
)  # fmt: skip
_WORKS_WITH = (
    "arbeid med", "arbeidet med", "arbeider med", "arbeidar med", "jobb med", "jobber med",
    "jobbet med", "jobbar med", "jobba med", "hjelper", "hjelpte", "hjelpe", "hjelpa",
    "hjelp til",
)  # fmt: skip
# The subject of a copula before «same» in "it's the same / it doesn't matter".
_IMPERSONAL = ("det", "dette", "detta", "alt", "da", "så", "no", "nå")
# After «same» meaning a Sámi: the end of a clause, or a word that cannot follow the
# adjective "same" («eg er same sjølv», «ho er same og reindriftsutøvar»).
_SAMI_AFTER = rf"(?=\s*(?:[.!?,;:)»\"”]|$)|\s+(?:sjølv|selv|og|frå|fra|på|eller|men){_E})"
_SAMI_THINGS = (
    r"(?:språk\w*|kultur\w*|senter\w*|museum|museet|høgskole\w*|høgskule\w*|høyskole\w*|"
    r"parlament\w*|sameting\w*|barnehage(?:n|r|ne|ar|ane)?|avdeling\w*|nasjonaldag\w*|"
    r"flagg\w*|musikk\w*|kunst\w*|litteratur\w*|undervisning\w*|opplæring\w*|fag|faget|"
    rf"forvaltningsområde\w*|stedsnavn\w*|stadnamn\w*|ordbok\w*|hus|huset){_E}"
)
_UNION = (
    r"(?:lo|ys|unio|akademikerne|nsf|delta|parat|fagforbundet|utdanningsforbundet|"
    r"fellesforbundet|(?:norsk )?sykepleierforbund\w*|sjukepleiarforbund\w*|legeforeningen|"
    r"legeforeininga|handel og kontor|hk|industri energi|el og it forbundet|fo)"
)
# A court or a copula before «dømte» («retten dømte», «dei vart dømde»).
_CONVICTING = (
    "retten", "tingretten", "lagmannsretten", "høyesterett", "høgsterett", "domstolen",
    "juryen", "ble", "blei", "vart", "blitt", "er", "var", "de", "dei", "den",
)  # fmt: skip
# What a referee «dømte»: a match or a call, not a person.
_SPORT = (
    r"(?:kamp\w*|straffe\w*|frispark\w*|offside|corner\w*|hjørnespark\w*|hands|mål|"
    r"målet|\w*finalen|frikast\w*|utvisning\w*)"
)

_SPECIAL: dict[str, list[str]] = {
    "religion": [
        r"muslim\w*",
        r"islam\w*",
        r"moské\w*",
        r"moske\w*",
        r"jød(?:e|ar|er|isk|an)\w*",
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
        # Conversion to or from a faith, not «konverterte filene til PDF».
        rf"konverter(?:t|te|er)(?=\s+(?:(?:fra|frå)\s+{_L}+\s+)?til\s+(?:den\s+)?{_FAITH})",
        r"konvertitt\w*",
        # Not the school subject («har undervist i religion», «religion og etikk»).
        _not_after(
            r"religion(?!s(?:lærer|lærar|fag|undervis|tim))\w*(?!,?\s+(?:og|livssyn og) etikk)",
            *_TEACHING,
        ),
        r"religiøs\w*",
        r"troende",
        # «Kristen» is also a first name: not capitalised inside a sentence, nor before a
        # capitalised word ("Kristen Olsen").
        rf"kristen(?<!(?-i:[\w,]\sKristen))(?!{_NAME_NEXT})",
        r"kristne",
        r"humanetiker\w*",
        r"frikirke\w*",
        rf"imam\w*(?!{_NAME_NEXT})",  # a title before a name is a public role
    ],
    "ethnic_origin": [
        r"innvandr(?:er|ar)\w*",
        # Not «arbeid med flyktninger» (works with refugees), nor a service or an
        # organisation («flyktningtjenesten», «Flyktninghjelpen»).
        _not_after(r"flyktning(?!e?(?:tjenest|teneste|kontor|konsulent|hjelp))\w*", *_WORKS_WITH),
        r"asylsøk\w*",
        # «same» alone is mostly Nynorsk for "the same" («det same», «same her», «same dag»,
        # «det er same kva»): the singular only after an article («ein same»), or after
        # «som» or a copula whose subject is not «det» and when no word but «sjølv», «og»,
        # «frå», … follows («eg er same», «ho var same, som mor si»), or definite.
        r"(?:en|ein) same",
        rf"som same(?:{_SAMI_AFTER}|(?=\s+i{_E}))",  # «eg vaks opp som same i Karasjok»
        *(
            _word_not_after(copula, *_IMPERSONAL) + f" same{_SAMI_AFTER}"
            for copula in ("er", "var", "være", "vere")
        ),
        r"samen",
        r"samer",
        r"samane",
        r"samene",
        # A person or people, not a language or an institution («samisk språk», «på samisk»,
        # «Samisk kultursenter»).
        _not_after(rf"samisk(?!{_SAMI_THINGS})\w*(?!\s+{_SAMI_THINGS})", "på"),
        r"kven(?:er|ar|sk)\w*",
        r"romfolk\w*",
        r"romani\w*",
        r"tater\w*",
        r"sigøyner\w*",
        r"mørkhud\w*",
        r"svarting\w*",
        r"neger\w*",
        r"negr(?:e|ene|ane)\b",
        r"pakkis\w*",
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
        r"transfolk\w*",
        r"trans(?:er|ene|ar|ane)\b",
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
    # Membership, not a union's name («Fagforbundet», «LO-leder») nor a representative's
    # public role: a title before a name («Hovedtillitsvalgt Randi Berg») or after it
    # («Randi Berg, hovedtillitsvalgt i …»), or capitalised as a title.
    "trade_union": [
        r"fagforening\w*",
        r"fagforeining\w*",
        r"fagorganiser\w*",
        *(
            _not_after(f"{role[0]}(?<!(?-i:{role[0].upper()})){role[1:]}\\w*(?!{_NAME_NEXT})", ",")
            for role in ("tillitsvalgt", "tillitsvald", "hovedtillitsvalgt", "hovudtillitsvald")
        ),
        rf"(?:medlem|med|organisert|innmeldt) (?:av|i) {_UNION}",
        rf"meld(?:t|te|er|e|a|ar) (?:(?:seg|meg|deg|oss|dere|dykk) )?(?:inn|ut) (?:av|i) {_UNION}",
        r"(?:lo|ys|unio|nsf|hk|fagforbunds)-medlem\w*",
    ],
    # «dømte»/«dømde» is also a referee's («dømte kampen»): criminal after a court or a
    # copula, or with «til»/«for» a few words on, and never before a match or a call.
    "criminal": [
        rf"dømt(?!\s+til\s+å{_E})",  # not «dømt til å mislykkes» (doomed to)
        r"dømts",
        r"dømtes",
        rf"dømd(?!\s+til\s+å{_E})",
        r"dømdes",
        *(
            f"{past}(?!\\s+{_SPORT})(?:{_word_after(past, *_CONVICTING)}"
            rf"|(?=(?:\s+{_L}+){{0,4}}\s+(?:til|for){_E}))"
            for past in ("dømte", "dømde")
        ),
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
        # Charged, not aimed («Vi har siktet oss inn på …»).
        rf"siktet(?!\s+(?:oss|seg|meg|deg|dere|dykk|inn|mot|på){_E})",
        rf"sikta(?!\s+(?:oss|seg|meg|deg|dere|dykk|inn|mot|på){_E})",
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
    r"(?:gata|gate|gaten|veien|vegen|vei|veg|vn\.?|allé|alléen|stien|"
    r"stigen|bakken|brekka|svingen|torget|tunet|kaia|bryggen|brygga|løkka|jordet|grenda|"
    r"ringen|kroken|lunden|sletta|flata|åsen|berget|bråten|eggen|engen|ekra|faret|gjerdet|"
    r"gropa|hagen|haugen|havna|holtet|høgda|kollen|lia|lyngen|marka|moen|myra|roa|røa|"
    r"skogen|skrenten|spranget|stranda|stubben|stykket|tjernet|toppen|vollen|vika)"
)
# Endings of everyday words too («stengt 2. juledag», «barnehageplass 1. august»): only
# in a capitalised name ("Kirkegt. 3", "Torvplass 2", "Rådhusplassen 1").
_CAPITALISED_STREET_SUFFIX = r"(?:gt\.?|plass|plassen)"
_STREET = re.compile(
    rf"{_B}(?:"
    # compound street name: "Storgata", "Kirkevegen", "storgata"
    rf"{_L}{{2,}}{_STREET_SUFFIX}"
    rf"|[A-ZÆØÅ]{_L}+{_CAPITALISED_STREET_SUFFIX}"
    # separate street word after one or two capitalised words: "Olav Tryggvasons gate"
    rf"|(?:[A-ZÆØÅ]{_L}*\.?\s){{1,2}}(?:gate|gata|vei|veien|veg|vegen|plass|allé)"
    rf")\s(\d{{1,4}})(?:\s?[A-H](?!{_L})|[a-h](?!{_L}))?",
)
_UNIT_AFTER = re.compile(
    r"\s*(?:cm|mm|m|meter|km|kr|kroner|min|minutt\w*|time\w*|dag\w*|døgn|år|uker|veker|"
    r"ganger|gonger|grader|%|prosent|stk|personer|stykk\w*|tonn|kg|liter)(?!\w)",
    re.I,
)
# A number with a full stop before a month or a day is an ordinal, not a house number
# ("Barnehageplass 1. august", "Stengt 2. juledag").
# Lower case only: "Storgata 12. Mandag kom …" ends a sentence after an address.
_ORDINAL_AFTER = re.compile(
    r"\.\s*(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|"
    r"desember|jan|feb|apr|jun|jul|aug|sep|sept|okt|nov|des|juledag|påskedag|pinsedag|"
    r"nyttårsdag|dag|klasse|trinn|etasje|plass|gang|kvartal|halvår|termin|runde|omgang)(?!\w)"
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


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    lay = [(cls, _alternation(p)) for cls, p in _LAY_HEALTH.items()]
    lay += [(cls, _alternation(p, ignore_case=False)) for cls, p in _LAY_HEALTH_CASED.items()]
    special = [(name, _alternation(p)) for name, p in _SPECIAL.items()]
    return {"health": lay, "special_category": special}


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
    if not signal_pattern("special").search(text):  # most texts have none: one scan
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
        if _ORDINAL_AFTER.match(text, m.end()):
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
