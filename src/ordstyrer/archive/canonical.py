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

# Characters PostgreSQL text columns and XML 1.0 cannot hold; copies of the text in
# search columns and exports get U+FFFD instead (the canonical keeps the original).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def canonical_json(body: Mapping[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


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


def raw_text(raw: Any) -> str | None:
    """The platform's JSON as text: kept exactly when given as text or bytes."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="surrogateescape")
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, indent=2)


def raw_bytes(raw: str | None) -> bytes | None:
    if raw is None:
        return None
    return raw.encode("utf-8", errors="surrogateescape")


MASK = "[skjermet]"


@lru_cache(maxsize=4096)
def mask_personal_data(text: str) -> str:
    """`text` with every span of personal data replaced by «[skjermet]» (PU-1; the
    public title must not reveal who wrote or was named, norwegian-standards HS-06)."""
    from ordstyrer.language.pii import find_personal_data

    spans = find_personal_data(text)
    if not spans:
        return text
    out, last = [], 0
    for span in spans:
        if span.start < last:
            continue
        out.append(text[last : span.start])
        out.append(MASK)
        last = span.end
    out.append(text[last:])
    return "".join(out)
