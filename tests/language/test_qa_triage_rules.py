"""Triage decisions an editor found absurd in a QA pass on fresh comments (6 Dec 2026):
the written standard of plainly Bokmål/Nynorsk comments, links to the municipality's own
site read as spam, a fundraising account deletable, praise sent to the politicians (DI-8),
a care service or a surname tying "health" to a name (PU-1). Inputs written for this test,
not taken from any labelled set."""

from __future__ import annotations

import pytest

from ordstyrer.language.pii import PersonalData
from ordstyrer.language.standard import detect_standard, detect_standards
from ordstyrer.language.triage import (
    candidate_grounds,
    decide,
    own_links_masked,
    triage,
)
from ordstyrer.policy import load_policy

PRESETS = ("indre-fosen", "rennebu", "midt-telemark", "birkenes", "gausdal")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Bokmål with words only Bokmål has (the model read these as Nynorsk)
        ("Tyven som tok sykkelen min er nok langt unna nå. Kan dere sette opp kamera?", "nb"),
        ("Han som stjal båten er nok langt unna nå, men kan dere sjekke kameraet ved kaia?", "nb"),
        ("Vegen til hytta er stengt igjen, hvem skal brøyte den?", "nb"),
        # Nynorsk with words only Nynorsk has
        ("Kva tid opnar symjehallen att etter stenginga?", "nn"),
        ("eg skjønar ikkje kvifor bussen går så seint", "nn"),
    ],
)
def test_a_text_with_one_standards_own_words_is_that_standard(text: str, expected: str) -> None:
    assert detect_standard(text) == expected
    assert detect_standards([text, text]) == [expected, expected]


def test_a_text_with_both_standards_words_is_left_to_the_model() -> None:
    # «eg» and «ikke» together: no marker rule; the model decides, and says something
    assert detect_standard("eg veit ikke heilt kva dere meiner med dette") in {"nb", "nn"}


def test_links_to_the_municipalitys_own_site_are_read_as_plain_words() -> None:
    own = ("indrefosen.kommune.no",)
    assert (
        own_links_masked("Se https://www.indrefosen.kommune.no/avfall for tømmedager", own)
        == "Se kommunens nettside for tømmedager"
    )
    assert own_links_masked("vinn på www.gratis-premie.shop nå", own) == (
        "vinn på www.gratis-premie.shop nå"
    )
    assert own_links_masked("indrefosen.kommune.no.svindel.com", own) == (
        "indrefosen.kommune.no.svindel.com"
    )
    assert own_links_masked("uendret", ()) == "uendret"


def test_a_pointer_to_the_municipalitys_own_page_is_not_spam() -> None:
    policy = load_policy("indre-fosen")
    text = "Sjekk tømmekalenderen på indrefosen.kommune.no så finner du datoene for papir"
    result = triage(text, policy=policy)
    assert "spam" not in result.labels
    assert result.action not in {"hide", "delete_allowed"}


def _account(text: str) -> PersonalData:
    return PersonalData("bank_account", 0, 13, text)


@pytest.mark.parametrize("preset", PRESETS)
def test_a_bank_account_number_alone_is_escalated_never_hidden_or_deletable(preset: str) -> None:
    policy = load_policy(preset)
    found = [_account("1503.85.45660")]
    assert candidate_grounds({"praise"}, found) == []
    action, grounds = decide({"praise": 0.9}, {"praise"}, found, policy)
    assert (action, grounds) == ("escalate", ())


def test_a_national_id_number_is_still_hidden_at_once() -> None:
    policy = load_policy("indre-fosen")
    found = [PersonalData("national_id", 0, 11, "x")]
    action, grounds = decide({"question": 0.9}, {"question"}, found, policy)
    assert action == "hide"
    assert "privacy_breach" in grounds


@pytest.mark.parametrize("preset", ("birkenes", "gausdal", "rennebu"))
def test_praise_that_brushes_politics_is_thanked_not_referred_to_politicians(preset: str) -> None:
    policy = load_policy(preset)
    scores = {"praise": 0.95, "political": 0.4}
    assert decide(scores, {"praise", "political"}, [], policy) == ("thank", ())
    # a political inquiry without praise still goes to the political level (DI-8)
    political = {"political": 0.9, "complaint": 0.2}
    assert decide(political, {"political"}, [], policy) == ("refer_political", ())


def test_a_care_service_beside_a_name_is_not_health_data_about_that_person() -> None:
    text = "tusen takk til Anne og Berit i hjemmetjenesten, dere er fantastiske"
    result = triage(text, policy=load_policy("indre-fosen"))
    assert "sensitive" not in result.labels or result.categories["sensitive"] >= 0.5
    assert result.action not in {"hide", "delete_allowed"}
