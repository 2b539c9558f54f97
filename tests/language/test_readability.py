"""LIX and plain-language findings (PU-5; norwegian-standards §6)."""

from __future__ import annotations

import pytest

from ordstyrer.language.readability import PlainLanguageIssue, lix, plain_language_issues


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 8 words, 2 sentences, 1 long word ("setning"): 4 + 12.5
        ("Dette er en kort setning. Her er en.", 16.5),
        # 4 words, 1 sentence, 3 long words (> 6 letters): 4 + 75
        ("Kommunestyret behandlet budsjettforslaget idag.", 4 + 100 * 3 / 4),
        # last sentence without punctuation still counts
        ("Hei på deg", 3.0),
        # colon ends a sentence; digits are not words
        ("Møte: 12 personer kom", 3 / 2 + 100 * 1 / 3),
        ("", 0.0),
    ],
)
def test_lix_formula(text: str, expected: float) -> None:
    assert lix(text) == pytest.approx(expected)


def test_lix_line_break_capital_counts_as_sentence() -> None:
    assert lix("Velkommen til møtet\nAlle er velkomne") == pytest.approx(6 / 2 + 100 * 2 / 6)


def test_lix_bureaucratic_text_is_hard() -> None:
    stiff = (
        "Vedrørende saksbehandlingstiden for byggesakssøknader vil administrasjonen "
        "iverksette kompetansehevende tiltak i henhold til vedtatt handlingsprogram."
    )
    plain = "Vi jobber med å gjøre byggesakene raskere. Du får svar innen tre uker."
    assert lix(stiff) > 60 > 40 > lix(plain)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(i.kind, i.text) for i in plain_language_issues(text)]


@pytest.mark.parametrize(
    ("text", "kind", "span", "suggestion_part"),
    [
        ("Vedrørende brøytingen: vi kommer", "stiff_word", "Vedrørende", "om"),
        ("angående søknaden din", "stiff_word", "angående", "om"),
        ("Dette anses som viktig", "stiff_word", "anses som", "regnes som"),
        ("Vi har samtlige papirer", "stiff_word", "samtlige", "alle"),
        ("Fristen er en deadline", "loanword", "deadline", "frist"),
        ("Laget har et godt team", "loanword", "team", "lag"),
        ("Vi holdt en workshop", "loanword", "workshop", "verksted"),
        ("Saken behandles iht. loven", "abbreviation", "iht.", "i henhold til"),
        ("Se f.eks. nettsiden", "abbreviation", "f.eks.", "for eksempel"),
        ("Stengt pga. snø", "abbreviation", "pga.", "på grunn av"),
        ("Saken skal opp i KST neste uke", "abbreviation", "KST", "kommunestyret"),
        ("Nytt VA-anlegg i sentrum", "abbreviation", "VA", "vann og avløp"),
        ("Skjemaet fra PLUF må fylles ut", "abbreviation", "PLUF", "første gang"),
        ("Gjelder t.o.m. fredag", "abbreviation", "t.o.m.", "til og med"),
        ("Det gjeld bl.a. skulane", "abbreviation", "bl.a.", "blant annet"),
    ],
)
def test_issue_kinds(text: str, kind: str, span: str, suggestion_part: str) -> None:
    issues = [i for i in plain_language_issues(text) if i.kind == kind]
    assert [i.text for i in issues] == [span]
    assert suggestion_part in issues[0].suggestion
    assert text[issues[0].start : issues[0].end] == span


@pytest.mark.parametrize(
    "text",
    [
        "Hei! Vi ses på biblioteket i morgen.",
        "HVORFOR SVARER DERE IKKE",  # shouting, not acronyms
        "Ring NAV eller se NRK",  # well known
        "Kommunestyret (KST) møtes i dag. KST vedtok budsjettet.",  # explained first
        "Det var en god tid i Oslo",  # "tid" is not "time"
        "Vi går i gata",  # "gate" is a Norwegian word
        "Mer info på www.rennebu.kommune.no",
    ],
)
def test_no_issues(text: str) -> None:
    assert plain_language_issues(text) == []


def test_long_sentence() -> None:
    long = " ".join(["ord"] * 30) + "."
    text = f"Kort setning. {long} Enda en kort."
    issues = [i for i in plain_language_issues(text) if i.kind == "long_sentence"]
    assert issues == [
        PlainLanguageIssue(
            "long_sentence",
            14,
            14 + len(long),
            long,
            "del opp setningen (30 ord; helst under 25)",
        )
    ]


def test_sentence_of_25_words_is_fine() -> None:
    text = " ".join(["ord"] * 25) + "."
    assert plain_language_issues(text) == []


def test_abbreviation_dot_does_not_split_sentence() -> None:
    text = "Vi " + " ".join(["skal"] * 12) + " f.eks. " + " ".join(["gjøre"] * 14) + "."
    assert "long_sentence" in {i.kind for i in plain_language_issues(text)}


def test_nynorsk_text() -> None:
    text = "Vedrørande søknaden: me handsamar han t.d. i KST."
    found = kinds(text)
    assert ("abbreviation", "t.d.") in found
    assert ("abbreviation", "KST") in found
