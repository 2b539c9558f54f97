"""Personal data detection (PU-1, DI-12, MO-1; norwegian-standards §4.2)."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from faker import Faker

from ordstyrer.language.numbers import is_bank_account, national_id_kind
from ordstyrer.language.pii import PII_TYPES, PersonalData, find_personal_data

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def make_id(nine: str, *, k1_remainder: int = 0) -> str | None:
    """Build an identity number whose weighted K1 sum leaves `k1_remainder` mod 11."""
    s1 = sum(w * int(c) for w, c in zip(K1, nine, strict=True))
    k1 = (k1_remainder - s1) % 11
    if k1 == 10:
        return None
    ten = nine + str(k1)
    k2 = (-sum(w * int(c) for w, c in zip(K2, ten, strict=True))) % 11
    if k2 == 10:
        return None
    return ten + str(k2)


def first_valid(prefix6: str, *, k1_remainder: int = 0) -> str:
    for individual in range(100, 1000):
        number = make_id(f"{prefix6}{individual:03d}", k1_remainder=k1_remainder)
        if number:
            return number
    raise AssertionError("no valid number")


def make_account(ten: str) -> str | None:
    check = (-sum(w * int(c) for w, c in zip(K2, ten, strict=True))) % 11
    return None if check == 10 else ten + str(check)


def types_of(text: str, **kw: object) -> list[tuple[str, str]]:
    return [(p.type, p.text) for p in find_personal_data(text, **kw)]  # type: ignore[arg-type]


# --- national ID -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("010190", "fødselsnummer"),
        ("290200", "fødselsnummer"),
        ("410190", "d-nummer"),  # day + 40
        ("711299", "d-nummer"),
        ("015190", "h-nummer"),  # month + 40
        ("018190", "syntetisk"),  # Tenor test number, month + 80
    ],
)
def test_national_id_kinds(prefix: str, kind: str) -> None:
    number = first_valid(prefix)
    assert national_id_kind(number) == kind
    found = find_personal_data(f"fnr: {number}")
    assert found == [PersonalData("national_id", 5, 16, number, kind)]


@pytest.mark.parametrize("remainder", [1, 2, 3])
def test_national_id_2032_rule_accepted(remainder: int) -> None:
    number = first_valid("150585", k1_remainder=remainder)
    assert national_id_kind(number) == "fødselsnummer"


def test_national_id_bad_k1_remainder_rejected() -> None:
    number = first_valid("150585", k1_remainder=4)
    assert national_id_kind(number) is None


@pytest.mark.parametrize("prefix", ["320190", "011390", "300290", "000190"])
def test_national_id_impossible_dates_rejected(prefix: str) -> None:
    assert national_id_kind(first_valid(prefix)) is None


def test_national_id_wrong_k2_rejected() -> None:
    number = first_valid("010190")
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    assert national_id_kind(broken) is None
    assert types_of(f"nr {broken}") in ([], [("bank_account", broken)])


@pytest.mark.parametrize("sep", [" ", "-", ""])
def test_national_id_spaced(sep: str) -> None:
    number = first_valid("241275")
    text = f"fødselsnummeret mitt er {number[:6]}{sep}{number[6:]}, hjelp"
    assert types_of(text) == [("national_id", f"{number[:6]}{sep}{number[6:]}")]


def test_national_id_faker_no_no() -> None:
    fake = Faker("no_NO")
    Faker.seed(7)
    for _ in range(25):
        ssn = fake.ssn()
        found = find_personal_data(f"mitt personnummer: {ssn}.")
        assert [(p.type, p.text) for p in found] == [("national_id", ssn)]


def test_national_id_inside_longer_number_ignored() -> None:
    number = first_valid("010190")
    assert types_of(f"ordre 9{number}8") == []


# --- bank account -------------------------------------------------------------------


def test_bank_account_dotted_reported_apart_from_ids() -> None:
    account = make_account("1503123456") or make_account("1503123457")
    assert account and is_bank_account(account)
    dotted = f"{account[:4]}.{account[4:6]}.{account[6:]}"
    assert types_of(f"Send pengene til {dotted} i dag") == [("bank_account", dotted)]
    spaced = f"{account[:4]} {account[4:6]} {account[6:]}"
    assert types_of(f"konto {spaced}") == [("bank_account", spaced)]


def test_bank_account_plain_digits_with_context() -> None:
    number = first_valid("010190")  # a valid ID is also mod-11 valid as an account
    assert types_of(f"kontonummer {number}") == [("bank_account", number)]


def test_bank_account_bad_check_digit_not_reported() -> None:
    rng = random.Random(3)
    for _ in range(50):
        ten = "".join(rng.choice("0123456789") for _ in range(10))
        good = make_account(ten)
        if good is None:
            continue
        bad = good[:10] + str((int(good[10]) + 1) % 10)
        dotted = f"{bad[:4]}.{bad[4:6]}.{bad[6:]}"
        assert find_personal_data(dotted, types=["bank_account"]) == []


# --- phone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["91234567", "912 34 567", "+47 912 34 567", "0047 91234567", "+4722334455", "22 33 44 55"],
)
def test_phone_numbers(phone: str) -> None:
    assert types_of(f"ring meg på {phone} etter kl 16") == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "møtet er 22.03.2024 på rådhuset",
        "det kostet 45 000 000 kr",
        "budsjett 45 000 000",
        "kl 16:30 i dag",
        "saksnummer 2024/1234",
    ],
)
def test_phone_false_positives(text: str) -> None:
    assert find_personal_data(text, types=["phone"]) == []


def test_phone_not_matched_inside_id_or_account() -> None:
    number = first_valid("010190")
    found = types_of(f"{number}")
    assert found == [("national_id", number)]


def test_phone_faker_numbers() -> None:
    fake = Faker("no_NO")
    Faker.seed(11)
    hits = 0
    for _ in range(30):
        phone = fake.phone_number()
        if not phonenumbers.is_valid_number(phonenumbers.parse(phone, "NO")):
            continue  # faker also makes numbers that are not valid in Norway
        assert types_of(f"tlf {phone}") == [("phone", phone)]
        hits += 1
    assert hits >= 5


# --- e-mail -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["ola.nordmann@rennebu.kommune.no", "kari+test@gmail.com", "per_olsen@online.no"]
)
def test_email(email: str) -> None:
    assert types_of(f"skriv til {email}.") == [("email", email)]


def test_email_does_not_yield_phone() -> None:
    assert types_of("skriv til 91234567@sms.no") == [("email", "91234567@sms.no")]


# --- address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("han bor i Storgata 5", "Storgata 5"),
        ("Kirkevegen 12 B har fått ny søppeldunk", "Kirkevegen 12 B"),
        ("adressa er kyrkjevegen 3a", "kyrkjevegen 3a"),
        ("postadresse: 7100 Rissa", "7100 Rissa"),
        ("Storgata 5, 7100 Rissa", "Storgata 5, 7100 Rissa"),
        ("hun bur i Olav Tryggvasons gate 40", "Olav Tryggvasons gate 40"),
        ("hos storgata 5 i rissa", "storgata 5"),
    ],
)
def test_address(text: str, span: str) -> None:
    assert types_of(text, types=["address"]) == [("address", span)]


@pytest.mark.parametrize(
    "text",
    [
        "Storgata er stengt i dag",
        "Det er 5 meter ned bakken",
        "bakken 5 meter",
        "gå 10 minutter langs veien 10 minutter",
        "i 2024 Rennebu kommune",
        "Fra 2025 Kommunestyret",
        "vi var 1500 personer på festen",
        "Vi ses 17. mai i Berkåk sentrum",
    ],
)
def test_address_false_positives(text: str) -> None:
    assert find_personal_data(text, types=["address"]) == []


def test_address_faker() -> None:
    fake = Faker("no_NO")
    Faker.seed(5)
    for _ in range(10):
        street = fake.street_address()
        assert [p.text for p in find_personal_data(f"Bor på {street}.", types=["address"])] == [
            street
        ]


# --- health -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "detail"),
    [
        ("mora mi har demens", "demens", "condition"),
        ("han er innlagt på psykiatrisk igjen", "innlagt på psykiatrisk", "care"),
        ("sønnen hennes har ADHD", "ADHD", "condition"),
        ("sonen hennar har adhd", "adhd", "condition"),
        ("han har kreft", "kreft", "condition"),
        ("hun sliter med rus", "rus", "substance"),
        ("far hennes har lungekreft", "lungekreft", "condition"),  # NorMedTerm
        ("han går på Ritalin", "Ritalin", "substance"),  # NorMedTerm brand name
        ("ho har schizofreni", "schizofreni", "condition"),
        ("nabokjerringa er sjukmeld", "sjukmeld", "condition"),
        ("han har MS", "MS", "condition"),
        ("ho får heimesjukepleie kvar dag", "heimesjukepleie", "care"),
        ("han har hatt hjerteinfarkt", "hjerteinfarkt", "condition"),
        ("broren min er alkoholiker", "alkoholiker", "substance"),
        ("hun har artrosen i kneet", "artrosen", "condition"),  # inflected lexicon hit
    ],
)
def test_health(text: str, term: str, detail: str) -> None:
    found = find_personal_data(text, types=["health"])
    assert [(p.text, p.detail) for p in found] == [(term, detail)]


@pytest.mark.parametrize(
    "text",
    [
        "Det snødde mye i natt og brøytinga er dårlig",
        "skulen har fått ny gymsal",
        "hiv den i søpla",
        "ms Kong Olav legger til kai",
        "Vi trenger nye vannrør i Storgata",
        "kommunen må ta ansvar for vegen",
        "takk for god hjelp på servicetorget",
        "bygget har fått ny ventilasjon og brannalarm",
        "han er ikke frisk i hodet den fyren",
    ],
)
def test_health_false_positives(text: str) -> None:
    assert find_personal_data(text, types=["health"]) == []


# --- special categories --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("naboen er muslim", "religion"),
        ("dei er jødar", "religion"),
        ("han er homofil", "sexual_orientation"),
        ("ho er lesbisk", "sexual_orientation"),
        ("han er transperson", "gender_identity"),
        ("han er flyktning fra Syria", "ethnic_origin"),
        ("ho er samisk", "ethnic_origin"),
        ("eg er same sjølv", "ethnic_origin"),
        ("samen fekk ikkje plass", "ethnic_origin"),
        ("han er medlem av frp", "political_opinion"),
        ("ho stemte på SV", "political_opinion"),
        ("han er tillitsvalgt", "trade_union"),
        ("hun er med i LO", "trade_union"),
        ("han satt inne for vold", "criminal"),
        ("han er dømt for tyveri", "criminal"),
        ("ho vart sikta i fjor", "criminal"),
    ],
)
def test_special_categories(text: str, detail: str) -> None:
    found = find_personal_data(text, types=["special_category"])
    assert detail in {p.detail for p in found}


@pytest.mark.parametrize(
    "text",
    [
        "Når åpner biblioteket?",
        "Ap og Sp stemte for forslaget i kommunestyret",
        "det var samme svar som sist",
        # Nynorsk «same» is "the same" («det same»; «same her»), not a Sámi person.
        "Eg lurer på det same",
        "Same her, ingen svarar",
        "lokalet er leid ut",
        "hvorfor er veien ikke brøytet",
    ],
)
def test_special_category_false_positives(text: str) -> None:
    assert find_personal_data(text, types=["special_category"]) == []


# --- the API ------------------------------------------------------------------------


def test_result_sorted_and_text_matches_span() -> None:
    number = first_valid("010190")
    text = f"Ola har demens, fnr {number}, tlf 91234567, ola@example.no, Storgata 5"
    found = find_personal_data(text)
    assert [p.start for p in found] == sorted(p.start for p in found)
    for p in found:
        assert text[p.start : p.end] == p.text
    assert {p.type for p in found} >= {"health", "national_id", "phone", "email", "address"}


def test_types_filter_and_unknown_type() -> None:
    text = "ring 91234567 om demens"
    assert [p.type for p in find_personal_data(text, types=["phone"])] == ["phone"]
    with pytest.raises(ValueError, match="ukjent type"):
        find_personal_data(text, types=["shoe_size"])


def test_all_types_declared() -> None:
    assert set(PII_TYPES) == {
        "national_id", "bank_account", "phone", "email", "address", "person", "health",
        "special_category",
    }  # fmt: skip


def test_empty_text() -> None:
    assert find_personal_data("") == []
