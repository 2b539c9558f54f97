"""A bank account written with a no-break space, or right after a word's comma or full
stop, is found as an account (PU-1; norwegian-standards §4.2).

Session 20 taught the identity number's shape the boundaries people write (846fd53): a
no-break or narrow no-break space between the groups, and a number straight after
«f.nr.» or «Hansen,». The account shape kept the old ones, so «9710 24 83514» with
U+00A0 and «Hansen,9710.24.83514» were not found at all: no PU-1 finding on a draft, and
the public title of an archive record showed the account in clear. It now reads the same
boundaries. An account shape is never taken for an identity number, even when its digits
pass that check, and a number glued to a digit and a separator is still part of another.
"""

from __future__ import annotations

import pytest

from ordstyrer.language.masking import has_national_id, mask_national_ids
from ordstyrer.language.numbers import is_bank_account, national_id_kind
from ordstyrer.language.pii import find_personal_data

ACCOUNT = "97102483514"  # mod 11 holds; no identity number
AS_ID = "21117910048"  # passes the fødselsnummer check (and so the account check)
NBSP, NNBSP = "\u00a0", "\u202f"


def _shape(digits: str, sep: str) -> str:
    return f"{digits[:4]}{sep}{digits[4:6]}{sep}{digits[6:]}"


def found(text: str) -> list[tuple[str, str]]:
    hits = find_personal_data(text, types=["national_id", "bank_account", "phone"])
    return [(p.type, p.text) for p in hits]


def test_the_numbers_are_what_they_say() -> None:
    assert is_bank_account(ACCOUNT) and national_id_kind(ACCOUNT) is None
    assert is_bank_account(AS_ID) and national_id_kind(AS_ID) == "fødselsnummer"


ACCOUNTS = [
    pytest.param(f"Gaven kan sendes til {_shape(ACCOUNT, NBSP)} innen jul", id="nbsp"),
    pytest.param(f"Innsamlingen har kontonummer {_shape(ACCOUNT, NNBSP)}", id="narrow-nbsp"),
    pytest.param(f"Refusjon til Kari Hansen,{_shape(ACCOUNT, '.')}", id="after-comma"),
    pytest.param(f"Husleie til kontonr.{_shape(ACCOUNT, '.')} hver måned", id="after-stop"),
    pytest.param(f"Husleie til kontonr.{_shape(ACCOUNT, ' ')} hver måned", id="after-stop-space"),
]


@pytest.mark.parametrize("text", ACCOUNTS)
def test_pu1_an_account_with_the_id_boundaries_is_found_as_an_account(text: str) -> None:
    """Found, once, as an account (not a phone number, not an identity number), and
    left in clear by the national ID masking."""
    (hit,) = found(text)
    assert hit[0] == "bank_account"
    assert "".join(c for c in hit[1] if c.isdigit()) == ACCOUNT
    assert not has_national_id(text)
    assert mask_national_ids(text) == text


@pytest.mark.parametrize("sep", [NBSP, NNBSP, ".", " "])
def test_pu1_an_account_shape_whose_digits_pass_the_id_check_stays_an_account(sep: str) -> None:
    """Recall first masks an identity number written as one after an account word; the
    account shape is an account, whichever space it is written with."""
    text = f"Leie for båtplassen betales til {_shape(AS_ID, sep)}"
    assert found(text) == [("bank_account", _shape(AS_ID, sep))]
    assert mask_national_ids(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f"Summen ble 1.{_shape(ACCOUNT, '.')} etter avrunding",
        f"Tallene 3,{_shape(ACCOUNT, NBSP)} står i tabellen",
        f"Kontonr {_shape(ACCOUNT[:10] + '5', NBSP)} er feil",  # check digit broken
    ],
)
def test_pu1_glued_to_another_number_or_a_broken_check_digit_is_no_account(text: str) -> None:
    assert found(text) == []


def test_pu1_an_id_after_a_comma_is_still_an_id_beside_an_account() -> None:
    """The identity number keeps its own boundaries next to an account read with them."""
    text = f"Kari Hansen,{AS_ID}, lønn til {_shape(ACCOUNT, NBSP)}"
    assert found(text) == [("national_id", AS_ID), ("bank_account", _shape(ACCOUNT, NBSP))]
    assert mask_national_ids(text) == text.replace(AS_ID, "******10048")
