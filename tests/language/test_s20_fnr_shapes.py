"""PU-1 (norwegian-standards §4.2): a fødselsnummer glued to the word before it by a full
stop or a comma («Mitt f.nr.05099242649», «Kari Hansen,05099242649»), or spaced with a
no-break space (U+00A0) or a narrow no-break space (U+202F) — as phones, word
processors and pasted forms write it — is found, masked and blocks a post.

Before, the detector's look-behind refused any number after "." or ",", and only ASCII
spaces separated its groups: such numbers were never detected, never masked, gave no
«Skjul straks» and let a post draft through. A number glued to a digit and a separator
(«1.05099242649», part of another number) is still no fødselsnummer.

Pure: no database.
"""

from __future__ import annotations

import json

import pytest

from ordstyrer.language.masking import mask_national_ids, national_id_spans, scrub_json_body
from ordstyrer.language.numbers import find_id_and_account_numbers
from ordstyrer.policy import CheckContext, Draft, check, load_policy

FNR = "05099242649"  # valid check digits (the masking tests' number)
MASKED = "******42649"
NBSP, NNBSP = "\u00a0", "\u202f"

# (text, the number as written in it): each must be found and masked.
FOUND = [
    (f"Mitt f.nr.{FNR}", FNR),
    (f"Kari Hansen,{FNR}", FNR),
    (f"Fødselsnummer:{FNR}.", FNR),
    (f"Se vedlegg.{FNR}", FNR),
    (f"050992{NBSP}42649", f"050992{NBSP}42649"),
    (f"050992{NNBSP}42649", f"050992{NNBSP}42649"),
    (f"fnr 050992{NBSP}{NBSP}42649", f"050992{NBSP}{NBSP}42649"),
    (f"fnr 05.09.92{NBSP}42649", f"05.09.92{NBSP}42649"),
    (f"fnr 05{NBSP}09{NBSP}92{NBSP}42649", f"05{NBSP}09{NBSP}92{NBSP}42649"),
    (f"fnr 050992{NNBSP}426{NNBSP}49", f"050992{NNBSP}426{NNBSP}49"),
    (f"fnr 050{NBSP}992{NBSP}426{NBSP}49", f"050{NBSP}992{NBSP}426{NBSP}49"),
    (f"fnr 050992.{NBSP}42649", f"050992.{NBSP}42649"),
    (f"Kari Hansen,050992{NBSP}42649", f"050992{NBSP}42649"),
    # Unchanged: the shapes found before.
    (f"fnr {FNR}", FNR),
    ("fnr 050992 42649", "050992 42649"),
    ("fnr 05.09.92 42649", "05.09.92 42649"),
]

# Not a fødselsnummer: glued to a digit and a separator (part of another number), or
# with digits on either side.
NOT_FOUND = [
    f"1.{FNR}",
    f"3,{FNR}",
    f"Beløpet er 12,{FNR} kroner",
    f"9{FNR}",
    f"{FNR}7",
    f"{FNR}.5",
    f"050992{NBSP}426490",
]


@pytest.mark.parametrize(("text", "written"), FOUND)
def test_pu_1_the_fodselsnummer_is_found_and_masked(text: str, written: str) -> None:
    hits = [h for h in find_id_and_account_numbers(text) if h.type == "national_id"]
    assert [text[h.start : h.end] for h in hits] == [written]
    start = text.index(written)
    assert national_id_spans(text) == [(start, start + len(written))]
    assert mask_national_ids(text) == text.replace(written, MASKED)


@pytest.mark.parametrize("text", NOT_FOUND)
def test_pu_1_a_number_glued_to_another_number_is_no_fodselsnummer(text: str) -> None:
    assert national_id_spans(text) == []
    assert mask_national_ids(text) == text


@pytest.mark.parametrize(("text", "written"), FOUND)
def test_pu_1_a_post_draft_with_the_number_is_blocked(text: str, written: str) -> None:
    findings = [
        f
        for f in check(Draft(f"Hei! {text}"), load_policy("indre-fosen"), CheckContext())
        if f.rule == "PU-1"
    ]
    assert any(f.severity == "block" for f in findings)


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize(("text", "written"), FOUND)
def test_pu_1_a_stored_webhook_body_loses_the_number(
    text: str, written: str, ensure_ascii: bool
) -> None:
    """The pre-filter (`masking._CANDIDATE`) reads a no-break space written as itself
    and as JSON's escape (`\\u00a0`, `\\u202f`), as Meta sends it."""
    body = json.dumps({"message": text, "id": "1"}, ensure_ascii=ensure_ascii).encode()
    scrubbed = scrub_json_body(body)
    assert scrubbed is not None
    assert json.loads(scrubbed)["message"] == text.replace(written, MASKED)
