"""QA pass on number-shaped personal data: how people really write a fødselsnummer, and
numbers that are not one (PU-1 «skjul straks»; norwegian-standards §4.2)."""

from __future__ import annotations

import pytest
from stdnum.no import fodselsnummer

from ordstyrer.language.numbers import national_id_kind
from ordstyrer.language.pii import find_personal_data
from ordstyrer.policy import Draft, check, load_policy

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_check_digits(nine: str, *, k1_remainder: int = 0) -> str | None:
    """`nine` digits with K1 and K2 appended (K1's weighted sum leaving `k1_remainder`)."""
    k1 = (k1_remainder - sum(w * int(c) for w, c in zip(K1, nine, strict=True))) % 11
    if k1 == 10:
        return None
    ten = nine + str(k1)
    k2 = (-sum(w * int(c) for w, c in zip(K2, ten, strict=True))) % 11
    return None if k2 == 10 else ten + str(k2)


def valid_number(birth: str, *, k1_remainder: int = 0) -> str:
    for individual in range(457, 1000):
        number = with_check_digits(f"{birth}{individual}", k1_remainder=k1_remainder)
        if number:
            return number
    raise AssertionError("no valid number")


# Born 17 August 1983 and 9 November 2004 (classic rule: python-stdnum agrees) and one
# under the 2032 rule (K1 remainder 2), which only the module's own check accepts.
CLASSIC = valid_number("170883")
YOUNG = valid_number("091104")
RULE_2032 = valid_number("170883", k1_remainder=2)


def test_the_numbers_are_valid() -> None:
    assert fodselsnummer.is_valid(CLASSIC) and fodselsnummer.is_valid(YOUNG)
    assert not fodselsnummer.is_valid(RULE_2032)
    assert {national_id_kind(n) for n in (CLASSIC, YOUNG, RULE_2032)} == {"fødselsnummer"}


def spellings(n: str) -> list[str]:
    date, individual = n[:6], n[6:]
    dd, mm, yy = date[:2], date[2:4], date[4:]
    return [
        f"{dd}.{mm}.{yy} {individual}",
        f"{date}.{individual}",
        f"{dd}-{mm}-{yy}-{individual}",
        f"{n[:3]} {n[3:6]} {n[6:9]} {n[9:]}",
        f"{date} {individual[:3]} {individual[3:]}",
        f"{dd} {mm} {yy} {individual}",
        f"{date}  {individual}",
        f"{dd}/{mm}/{yy} {individual}",
        f"{dd}.{mm}.{yy}-{individual}",
    ]


@pytest.mark.parametrize("number", [CLASSIC, YOUNG, RULE_2032])
@pytest.mark.parametrize("form", range(9))
def test_a_national_id_is_found_however_it_is_spaced(number: str, form: int) -> None:
    written = spellings(number)[form]
    text = f"Trenger hjelp med skjemaet, personnummeret mitt er {written}. Takk!"
    found = find_personal_data(text, types=["national_id", "bank_account", "phone"])
    assert [(p.type, p.text) for p in found] == [("national_id", written)]


@pytest.mark.parametrize("form", range(9))
def test_a_spaced_national_id_blocks_a_post(form: int) -> None:
    text = f"Vinneren av loddtrekningen har nummer {spellings(CLASSIC)[form]}."
    findings = check(Draft(text), load_policy("rennebu"))
    assert "block" in {f.severity for f in findings if f.rule == "PU-1"}


@pytest.mark.parametrize(
    "text",
    [
        "Møtet ble flyttet fra 17.08.83 til i dag",  # a date
        "Han er født 17.08.83 og bor på Berkåk",
        "Ring 47 11 22 33 eller 915 00 123 etter klokka fire",  # phone numbers
        "Org.nr. 974 760 673 står på fakturaen",  # an organisation number
        "Saksnummer 2024/12345 gjelder dette",
        "KID 1234567890123 og beløp 450 kr",  # KID numbers of other lengths
        "Bruk KID 12345678 ved betaling",
        "Det kostet 1 234 567 kr totalt",
        "Innbyggertallet var 17 083 i 2023",
    ],
)
def test_dates_phones_and_other_numbers_are_no_national_id(text: str) -> None:
    assert find_personal_data(text, types=["national_id"]) == []


@pytest.mark.parametrize(
    "prefix",
    [
        "Ordre {n} fra nettbutikken har ikke kommet",
        "Ordrenummer: {n}",
        "Bestillinga {n} er ikkje levert",
        "målernummer {n} har feil avlesning",
        "Målarnummeret er {n}",
        "Kundenummer {n} fikk to regninger",
        "kundenr. {n}",
        "Betal med KID {n} innen fredag",
        "KID-nummer {n} ble avvist",
        "Fakturanummer {n} er betalt",
    ],
)
@pytest.mark.parametrize("spaced", [False, True])
def test_order_customer_meter_and_kid_numbers_are_no_national_id(prefix: str, spaced: bool) -> None:
    written = f"{CLASSIC[:6]} {CLASSIC[6:]}" if spaced else CLASSIC
    text = prefix.format(n=written)
    assert find_personal_data(text, types=["national_id", "bank_account"]) == []


def test_a_national_id_word_after_the_other_context_wins() -> None:
    text = f"Kundenummeret ditt er fødselsnummeret: {CLASSIC}"
    found = find_personal_data(text, types=["national_id"])
    assert [(p.type, p.text) for p in found] == [("national_id", CLASSIC)]


def test_a_national_id_after_an_order_sentence_is_still_found() -> None:
    text = f"Ordren kom aldri. Mitt er {CLASSIC}"
    assert [p.text for p in find_personal_data(text, types=["national_id"])] == [CLASSIC]
