"""Issue #18 / PU-1: masking national ID numbers as `******12345` in text and in stored
webhook bodies; other numbers (Graph ids, dates, amounts) are left alone."""

from __future__ import annotations

import json

import pytest

from ordstyrer.language.masking import mask_national_ids, scrub_json_body

NATIONAL_ID = "05099242649"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"fnr {NATIONAL_ID}.", "fnr ******42649."),
        ("fnr 050992 42649", "fnr ******42649"),
        ("fnr 050992-42649", "fnr ******42649"),
        (f"{NATIONAL_ID} og {NATIONAL_ID}", "******42649 og ******42649"),
        ("ordre 12345678901", "ordre 12345678901"),  # check digits wrong: not one
        ("konto 1234.56.78903", "konto 1234.56.78903"),
        ("", ""),
    ],
)
def test_mask_national_ids(text: str, masked: str) -> None:
    assert mask_national_ids(text) == masked


def test_a_body_is_masked_in_every_string_and_stays_ascii_json() -> None:
    body = json.dumps(
        {"entry": [{"id": "123456789012345", "changes": [{"value": {
            "message": f"Blåbær {NATIONAL_ID}", "from": {"name": f"Ola {NATIONAL_ID}"}}}]}]}
    ).encode()  # fmt: skip
    scrubbed = scrub_json_body(body)
    assert scrubbed is not None and NATIONAL_ID.encode() not in scrubbed
    data = json.loads(scrubbed)
    value = data["entry"][0]["changes"][0]["value"]
    assert value["message"] == "Blåbær ******42649" and data["entry"][0]["id"] == "123456789012345"
    scrubbed.decode("ascii")


@pytest.mark.parametrize(
    "body",
    [
        b'{"id":"123456789012345_678901234567890","message":"hei"}',
        b"not json 05099242649",
        b"\xff\xfe",
        b'{"message":"ordre 12345678901"}',
    ],
)
def test_bodies_without_a_number_or_not_json_are_left_as_they_are(body: bytes) -> None:
    assert scrub_json_body(body) is None
