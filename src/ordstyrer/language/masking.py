"""Masking of national identity numbers where they need not be kept in clear (PU-1;
issue #18): the console shows `******12345` unless someone with the need asks to see
it, stored webhook bodies lose them once processed, and log lines never carry them.

Pure: no Django. The numbers are found by `numbers.find_id_and_account_numbers`
(check digits validated), so order numbers and dates are left alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ordstyrer.language import numbers

MASK = "******"
KEEP = 5  # the individual number and control digits stay visible, as on a letter
# Eleven digits standing alone (Graph's ids are longer, so an ordinary body is not
# parsed again), or right after a JSON escape such as `\u00e6` (whose hex may end in a
# digit), with up to two separators between two digits — every way the detector
# (`numbers._ID_SHAPE`) accepts one written: "150385 45660", "15.03.85 45660",
# "15-03-85-45660", "150385  45660", "150 385 456 60", and "/" as JSON may escape it
# (`15\/03\/85`). A space may be a no-break or narrow no-break space, as the detector
# reads it (U+00A0, U+202F), written as itself or as JSON's escape (`\u00a0`). Looser
# than the detector, which then decides.
_SEPARATOR = r"(?:[ \u00a0\u202f.\-]|\\?/|\\u00[aA]0|\\u202[fF])"
_CANDIDATE = re.compile(
    rf"(?:(?<!\d)|(?<=\\u[0-9a-fA-F]{{4}}))\d(?:{_SEPARATOR}{{0,2}}\d){{10}}(?!\d)"
)


def national_id_spans(text: str) -> list[tuple[int, int]]:
    """Where the fødselsnummer / D-numbers / H-numbers in `text` are, recall first: an
    account number written as an identity number whose digits pass its check counts too
    ("kontonr 15038545660"); one in the account shape ("1234.56.78903") does not."""
    if not isinstance(text, str):
        return []
    return [
        (hit.start, hit.end)
        for hit in numbers.find_id_and_account_numbers(text)
        if hit.type == "national_id"
        or (hit.type == "bank_account" and numbers.may_be_national_id(text[hit.start : hit.end]))
    ]


def mask_national_ids(text: str) -> str:
    """`text` with each national ID number shown as `******12345`."""
    spans = national_id_spans(text)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        digits = [c for c in text[start:end] if c.isdigit()]
        out.append(text[last:start])
        out.append(MASK + "".join(digits[-KEEP:]))
        last = end
    out.append(text[last:])
    return "".join(out)


def has_national_id(text: str) -> bool:
    return bool(national_id_spans(text))


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_national_ids(value)
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    return value


def scrub_json_body(raw: bytes) -> bytes | None:
    """The JSON body with every national ID number in its strings masked, or None when
    it holds none (or is not JSON: then it is left as it is). Serialised as Meta sends
    it (ASCII-escaped, compact). Callers keep the depth limit: the body was checked at
    receipt."""
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not _CANDIDATE.search(text):  # digits are never escaped in JSON
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    masked = _mask_value(data)
    if masked == data:
        return None
    return json.dumps(masked, ensure_ascii=True, separators=(",", ":")).encode("ascii")
