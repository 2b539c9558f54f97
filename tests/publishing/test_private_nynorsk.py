"""«Før du poster privat» reads Nynorsk (and common spoken forms) as it reads Bokmål:
the same advice for the same thing said, and none for an ordinary Nynorsk sentence."""

from __future__ import annotations

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.publishing.private import private_check


def rules(text: str, preset: str = "indre-fosen") -> set[str]:
    return {a.rule for a in private_check(text, load_policy(preset))} - {"EM-9"}


def findings(text: str, preset: str = "indre-fosen") -> set[str]:
    return {a.finding for a in private_check(text, load_policy(preset))} - {
        "contact",
        "contact_with_phone",
    }


# (preset, Bokmål, Nynorsk or a spoken form, what both must be found to say)
SAME_ADVICE = [
    (
        "indre-fosen",
        "En av elevene mine var lei seg i dag. Vi i kommunen mener dette er feil.",
        "Ein av elevane mine var lei seg i dag. Vi i kommunen meiner dette er feil.",
        {"service_users", "official_voice"},
    ),
    (
        "indre-fosen",
        "Jeg snakket med en av brukerne våre.",
        "Eg prata med ein av brukarane våre.",
        {"service_users"},
    ),
    (
        "indre-fosen",
        "Brukerne på senteret er fornøyde.",
        "Brukeran på senteret er nøgde.",
        {"service_users"},
    ),
    ("indre-fosen", "Elevene var flinke i dag.", "Elevan var flinke i dag.", {"service_users"}),
    ("indre-fosen", "En bruker klaget på maten.", "Ein brukar klaga på maten.", {"service_users"}),
    ("indre-fosen", "Brukere står i kø.", "Brukarar står i kø.", {"service_users"}),
    (
        "indre-fosen",
        "Pasientene på avdelingen er slitne.",
        "Pasientane på avdelinga er slitne.",
        {"service_users"},
    ),
    ("indre-fosen", "Pasienter venter lenge.", "Pasientar ventar lenge.", {"service_users"}),
    ("indre-fosen", "De pårørende ringte igjen.", "Dei pårørande ringde igjen.", {"service_users"}),
    ("indre-fosen", "Beboerne fikk kake.", "Bebuarane fekk kake.", {"service_users"}),
    ("indre-fosen", "Klientene mine er slitne.", "Klientane mine er slitne.", {"service_users"}),
    (
        "indre-fosen",
        "Vi i kommunen gjør så godt vi kan.",
        "Me i kommunen gjer så godt me kan.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Kommunen har vedtatt å legge ned skolen.",
        "Kommunen har vedteke å leggje ned skulen.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Jeg skriver dette på vegne av skolen.",
        "Eg skriv dette på vegner av skulen.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Jeg svarer på vegne av enheten.",
        "Eg svarar på vegner av eininga.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Vi kan bekrefte at bassenget åpner.",
        "Vi kan stadfeste at bassenget opnar.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Kommunen beklager det som skjedde.",
        "Kommunen beklagar det som skjedde.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Som lærer kan jeg si at dette er feil.",
        "Som lærar kan eg seie at dette er feil.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Som sykepleier vil jeg advare mot dette.",
        "Som sjukepleiar vil eg åtvare mot dette.",
        {"official_voice"},
    ),
    (
        "indre-fosen",
        "Som saksbehandler kan jeg si noe om det.",
        "Som sakshandsamar kan eg seie noko om det.",
        {"official_voice"},
    ),
    ("gausdal", "Kollegaene mine er sure.", "Kollegaane mine er sure.", {"work"}),
    ("gausdal", "Kollegene mine er sure.", "Kollegane mine er sure.", {"work"}),
    (
        "gausdal",
        "Leverandørene våre er sene igjen.",
        "Leverandørane våre er seine igjen.",
        {"work"},
    ),
    ("gausdal", "Saken jeg jobber med er vanskelig.", "Saka eg jobbar med er vanskeleg.", {"work"}),
    (
        "gausdal",
        "Det var travelt på arbeidsplassen.",
        "Det var travelt på arbeidsstaden.",
        {"work"},
    ),
    (
        "indre-fosen",
        "Jeg legger det i den lukkede gruppen.",
        "Eg legg det i den lukka gruppa.",
        {"closed_group"},
    ),
    (
        "indre-fosen",
        "Det står i en hemmelig gruppe.",
        "Det står i ei hemmeleg gruppe.",
        {"closed_group"},
    ),
]


@pytest.mark.parametrize(("preset", "bokmal", "nynorsk", "expected"), SAME_ADVICE)
def test_nynorsk_gets_the_advice_bokmal_gets(preset, bokmal, nynorsk, expected):
    assert findings(bokmal, preset) == expected
    assert findings(nynorsk, preset) == expected
    assert rules(nynorsk, preset) == rules(bokmal, preset)


@pytest.mark.parametrize(
    ("preset", "text", "expected"),
    [
        (
            "indre-fosen",
            "Ein av elevane mine var lei seg i dag. Vi i kommunen meiner dette er feil.",
            {"EM-3", "EM-2"},
        ),
        ("indre-fosen", "Eg snakka med ein av brukarane våre.", {"EM-3"}),
        ("gausdal", "Kollegaane og leverandørane våre er seine.", {"EM-7"}),
        ("indre-fosen", "Kollegaane og leverandørane våre er seine.", {"EM-2"}),
    ],
)
def test_nynorsk_gets_the_rules(preset, text, expected):
    assert rules(text, preset) == expected


def test_the_advice_names_the_nynorsk_words_found():
    advice = private_check(
        "Ein av elevane mine var lei seg. Som lærar kan eg seie at det er feil.",
        load_policy("indre-fosen"),
    )
    said = {a.finding: a.params for a in advice}
    assert said["service_users"] == {"word": "elevane"}
    assert said["official_voice"] == {"words": "Som lærar kan eg"}


@pytest.mark.parametrize(
    "text",
    [
        # «brukar»/«bruker» the verb, not the noun
        "Eg brukar å gå tur i fjellet kvar helg.",
        "Brukar du sykkelen om vinteren?",
        "Ein brukar ikkje å bade i november.",
        "Kvar brukar de å handle?",
        "Far min brukar Facebook kvar dag.",
        "I vår brukar vi å setje poteter.",
        "Jeg bruker mye tid i hagen.",
        "Skolen bruker nettsiden i stedet.",
        # ordinary Nynorsk sentences with nothing to warn about
        "Me hadde ein fin tur på hytta i helga.",
        "Vi budde i kommunen i mange år før vi flytte.",
        "Ungane og eg baka boller i dag, og så var vi på kino.",
        "Eg kan stadfeste at vêret var nydeleg.",
        "Gruppa vår gjekk til toppen på to timar.",
    ],
)
def test_ordinary_sentences_get_only_the_reminder(text):
    assert findings(text) == {"nothing_found"}
