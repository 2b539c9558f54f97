"""The canonical form of a record and its place in the chain (AR-3).

A record's body is a JSON object serialised with sorted keys, no whitespace and
ASCII-only escapes (so any text a platform sends — NUL bytes and lone surrogates
included — is stored and hashed exactly, and PostgreSQL's `text` accepts it).
The chain hash is `sha256(prev_hash + canonical)`, hex; the first record of a
municipality follows 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

CANONICAL_VERSION = 1
TITLE_LIMIT = 300  # titles and the author's name in the search columns

# Characters PostgreSQL text columns and XML 1.0 cannot hold; copies of the text in
# search columns and exports get U+FFFD instead (the canonical keeps the original).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Made once: json.dumps makes a new encoder on every call, and an append makes three
# texts (canonical form, column fingerprint, the platform's JSON).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":"))
_COMPACT = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2)


def canonical_json(body: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(body)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_text(text: str) -> str:
    """`text` without characters a database column or an XML document cannot hold."""
    return _UNSAFE.sub("\ufffd", text)


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC (naive ones are refused: ruff DTZ)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime in an archive entry")
    return value.astimezone(UTC).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# The search columns in a fixed order; their fingerprint is part of the body, so
# `verify` checks the columns against the hashed body without parsing it.
COLUMNS = (
    "sequence",
    "kind",
    "title",
    "public_title",
    "text",
    "author_name",
    "channel_id",
    "channel_name",
    "platform",
    "ground",
    "action",
    "journal",
    "direction",
    "confidential",
    "actor_id",
    "refers_to_sequence",
    "idempotency_key",
    "archived_at",
    "occurred_at",
)
TIME_COLUMNS = frozenset({"archived_at", "occurred_at"})
FINGERPRINT_KEY = '"columns":"'


def time_text(value: str | datetime | None) -> str | None:
    """A UTC time as comparable text: from the canonical ISO form, PostgreSQL's text
    form (session time zone UTC) or a naive UTC datetime (Django's SQLite adapter)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        value = value.isoformat()
    text = value.replace(" ", "T")
    for suffix in ("+00:00", "+00", "Z"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def column_fingerprint(values: Any) -> str:
    """SHA-256 of `fingerprint_text(values)`."""
    return sha256_hex(fingerprint_text(values).encode())


def fingerprint_text(values: Any) -> str:
    """The columns' values in `COLUMNS` order (times as `time_text`, flags as
    booleans), however the database returned them, as ASCII JSON."""
    normal = [
        time_text(value)
        if name in TIME_COLUMNS
        else (bool(value) if name in ("journal", "confidential") else value)
        for name, value in zip(COLUMNS, values, strict=True)
    ]
    return _COMPACT.encode(normal)


def stored_fingerprint(canonical: str) -> str:
    """The fingerprint written in a canonical body (top-level key, sorted before any
    nested object that could hold the same characters)."""
    start = canonical.find(FINGERPRINT_KEY)
    if start < 0:
        return ""
    start += len(FINGERPRINT_KEY)
    return canonical[start : start + 64]


def raw_text(raw: Any) -> str | None:
    """The platform's JSON as text: kept exactly when given as text or bytes."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="surrogateescape")
    if isinstance(raw, str):
        return raw
    return _PRETTY.encode(raw)


def raw_bytes(raw: str | None) -> bytes | None:
    if raw is None:
        return None
    return raw.encode("utf-8", errors="surrogateescape")


def seal(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The record's search columns, and its canonical form with their fingerprint."""
    columns = record_columns(body)
    body["columns"] = column_fingerprint(columns[name] for name in COLUMNS)
    return columns, canonical_json(body)


def record_columns(body: dict[str, Any]) -> dict[str, Any]:
    """The search and filter columns of a record, derived from its body only — so
    `verify` can recompute them and notice a column changed behind the chain's back."""
    author = body.get("author") or {}
    where = body["where"]
    refers = body.get("refers_to")
    actor = body.get("actor")
    return {
        "sequence": body["sequence"],
        "kind": body["kind"],
        "archived_at": parse_iso(body["archived_at"]),
        "occurred_at": parse_iso(body["when"]["created"]),
        "title": body["title"],
        "public_title": body["public_title"],
        "text": safe_text(body["said"]["text"]),
        "author_name": safe_text(author.get("name", ""))[:TITLE_LIMIT],
        "channel_id": where["channel_id"],
        "channel_name": safe_text(where["channel_name"])[:200],
        "platform": where["platform"][:30],
        "ground": body["ground"],
        "action": body["action"],
        "journal": body["journal"]["journal"],
        "direction": body["journal"]["direction"],
        "confidential": body["confidentiality"] is not None,
        "actor_id": actor["id"] if actor else None,
        "refers_to_sequence": refers["sequence"] if refers else None,
        "idempotency_key": body["idempotency_key"],
    }


MASK = "[skjermet]"


def mask_personal_data(text: str) -> str:
    """`text` with every span of personal data replaced by «[skjermet]» (PU-1; the
    public title must not reveal who wrote or was named, norwegian-standards HS-06).

    Its national ID numbers are the ones `language.masking.national_id_spans` finds, the
    one definition the exports and the deposit check read (recall first: «kontonr
    15038545660» counts, which `language.pii` reports as an account), besides every span
    `language.pii` reports. Overlapping spans are masked as one: an address read as
    «Storgata 1503» leaves nothing of «150385 45660» after it."""
    from ordstyrer.language.masking import national_id_spans
    from ordstyrer.language.pii import find_personal_data

    spans = [(p.start, p.end) for p in find_personal_data(text)]
    return _masked(text, [*spans, *national_id_spans(text)])


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if end <= last:
            continue
        if start >= last:
            out.append(text[last:start])
            out.append(MASK)
        last = end  # an overlapping span extends the mask before it
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=4096)
def public_title_text(text: str) -> str:
    """The public title as a record stores it: safe for the column and XML
    (`safe_text`), personal data masked (`mask_personal_data`), at most `TITLE_LIMIT`
    characters — and no national ID number left that `language.masking` finds in that
    stored text, which is what the exports and the deposit check read (PU-1, AR-2).

    The detector weighs the words before a number, so masking can bring one out: «Ordre
    fra a@b.no og c@d.no: 15038545660» is an order number, but once the addresses are
    «[skjermet]» the word «Ordre» is too far back and the number reads as a fødselsnummer.
    The cut can leave eleven digits of a longer number. Each such number is masked too;
    every round shortens the text (eleven digits or more become ten characters)."""
    from ordstyrer.language.masking import national_id_spans

    stored = mask_personal_data(safe_text(text))[:TITLE_LIMIT]
    while spans := national_id_spans(stored):
        stored = _masked(stored, spans)
    return stored
