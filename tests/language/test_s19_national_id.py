"""PU-1 (norwegian-standards §4.2, issue #18): a fødselsnummer is found and masked even
when a word such as "kontoret" or "betalt" stands before it, and a stored webhook body
loses it however it was spaced.

"kontor" is not "konto": an office named before a number no longer makes it a bank
account, a word naming an identity number wins over an account word, and masking is
recall first (an account hit written as an identity number with valid check digits is
masked too; the account shape `1234.56.78903` is not). The webhook pre-filter accepts
every separator the detector does.
"""

from __future__ import annotations

import json

import pytest
from stdnum.no import fodselsnummer

from ordstyrer.language.masking import mask_national_ids, scrub_json_body
from ordstyrer.language.pii import find_personal_data
from ordstyrer.policy import CheckContext, Draft, check, load_policy
from ordstyrer.policy.rules.text_analysis import check_personal_data

NUMBER = "15038545660"  # valid check digits (python-stdnum); shown as ******45660
MASKED = "******45660"


def test_the_number_is_a_valid_fodselsnummer() -> None:
    assert fodselsnummer.is_valid(NUMBER)


def kinds(text: str) -> list[tuple[str, str]]:
    found = find_personal_data(text, types=["national_id", "bank_account"])
    return [(p.type, p.text) for p in found]


OFFICE_TEXTS = [
    f"Ring servicekontoret, fnr {NUMBER}",
    f"NAV-kontoret har fått fnr {NUMBER}",
    f"Sendte skjemaet til legekontoret: {NUMBER}",
    f"Kontoret mitt sa fødselsnummer {NUMBER} holder",
    f"Betalt? Mitt fnr er {NUMBER}",  # an ID word beside an account word
]


@pytest.mark.parametrize("text", OFFICE_TEXTS)
def test_an_office_word_or_an_id_word_leaves_a_national_id(text: str) -> None:
    """PU-1: "kontor…" is no account word; "fnr" wins over "innbetalt"."""
    assert kinds(text) == [("national_id", NUMBER)]
    assert mask_national_ids(text) == text.replace(NUMBER, MASKED)


@pytest.mark.parametrize(
    "text",
    [
        f"Kontonummeret mitt er {NUMBER}",
        f"Bankkontoen min: {NUMBER}",
        f"Betal til {NUMBER} innen fredag",
    ],
)
def test_an_account_word_still_names_an_account_but_the_digits_are_masked(text: str) -> None:
    """PU-1, recall first: reported as an account, masked as an identity number."""
    assert kinds(text) == [("bank_account", NUMBER)]
    assert mask_national_ids(text) == text.replace(NUMBER, MASKED)


def test_the_account_shape_stays_an_account_in_clear() -> None:
    text = "Pengene går til konto 1503.85.45660 i banken"
    assert kinds(text) == [("bank_account", "1503.85.45660")]
    assert mask_national_ids(text) == text


@pytest.mark.parametrize("preset", ["rennebu", "indre-fosen"])
def test_a_reply_naming_an_office_and_a_national_id_is_blocked(preset: str) -> None:
    """PU-1 blocks (not only warns) a reply with a fødselsnummer after "servicekontoret"."""
    text = f"Ring servicekontoret, fnr {NUMBER}"
    findings = [
        f
        for f in check(Draft(text), load_policy(preset), CheckContext(kind="reply"))
        if f.rule == "PU-1"
    ]
    assert any(f.severity == "block" for f in findings)
    assert all(NUMBER not in f.message_nb for f in findings)
    assert any(MASKED in f.message_nb for f in findings)
    # The rule's own check says the same.
    ctx = CheckContext(kind="reply")
    own = check_personal_data(Draft(text), load_policy(preset), ctx)
    assert [f.severity for f in own] == ["block"]


SPELLINGS = [
    "15.03.85 45660",
    "150385.45660",
    "15-03-85-45660",
    "150385  45660",
    "150385 456 60",
    "150 385 456 60",
    "15/03/85 45660",
    "150385 45660",
    NUMBER,
]


def graph_body(message: str) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "123456789012345",
                    "time": 1714557600,
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "verb": "add",
                                "post_id": "123456789012345_678901234567890",
                                "comment_id": "678901234567890_112233445566778",
                                "created_time": 1714557600,
                                "from": {"id": "998877665544332", "name": "Ola Testesen"},
                                "message": message,
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize("written", SPELLINGS)
def test_a_stored_body_is_masked_however_the_number_is_spaced(written: str) -> None:
    """PU-1 (#18): the stored webhook body keeps no fødselsnummer in clear."""
    body = graph_body(f"Søknaden om bostøtte står fast, personnummer {written} – æøå")
    scrubbed = scrub_json_body(body)
    assert scrubbed is not None
    value = json.loads(scrubbed)["entry"][0]["changes"][0]["value"]
    assert value["message"] == f"Søknaden om bostøtte står fast, personnummer {MASKED} – æøå"
    assert value["post_id"] == "123456789012345_678901234567890"
    assert written.encode() not in scrubbed


def test_a_body_with_the_slash_escaped_is_masked() -> None:
    r"""JSON may write "/" as "\/"; the number is still found."""
    body = b'{"entry":[{"changes":[{"value":{"message":"fnr 15\\/03\\/85 45660"}}]}]}'
    scrubbed = scrub_json_body(body)
    assert scrubbed is not None
    assert json.loads(scrubbed)["entry"][0]["changes"][0]["value"]["message"] == f"fnr {MASKED}"


@pytest.mark.parametrize(
    "message",
    [
        "Møtet er 15.03.2024 kl. 18 i kommunestyresalen",
        "Ring oss på 72 40 00 00 eller 915 00 123",
        "Ordrenummer 150385 45660 er ikke levert",
    ],
)
def test_a_body_without_a_national_id_is_left_alone(message: str) -> None:
    assert scrub_json_body(graph_body(message)) is None
