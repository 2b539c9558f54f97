"""Ids as URLs, forms and callers give them."""

from __future__ import annotations

from typing import Any

# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """An id: ASCII decimal digits in 1..2**63-1, else None.

    `str.isdigit` is not enough before `int()`: it says "²" is a digit, which `int()`
    refuses (a server error); "١" (an Arabic-Indic one) is read as 1 (another record);
    and a larger number overflows the database in the lookup."""
    if isinstance(value, bool):
        return None
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
