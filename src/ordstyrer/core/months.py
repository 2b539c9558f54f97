"""Norwegian month names as they stand in running text (lower case), the same in Bokmål
and Nynorsk. Pure, no Django: the closure notice is plain text written whatever the
request's language, so Django's translated `MONTHS` would not do."""

from __future__ import annotations

MONTHS: tuple[str, ...] = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
