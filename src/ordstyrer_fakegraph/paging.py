"""Cursor paging with opaque base64 cursors (spec §1.10, §7.4)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from ordstyrer_fakegraph.errors import GraphError, bad_param

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def encode_cursor(item_id: str, position: int) -> str:
    raw = json.dumps({"id": item_id, "pos": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str | None, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return str(data["id"]), int(data["pos"])
    except (ValueError, KeyError, TypeError):
        raise GraphError(100, None, "(#100) Invalid cursor") from None


def _position(items: Sequence[Any], key: Callable[[Any], str], cursor: str) -> int:
    item_id, pos = decode_cursor(cursor)
    for index, item in enumerate(items):
        if key(item) == item_id:
            return index
    return min(pos, len(items))  # the item is gone: fall back to where it was


def paginate(
    items: Sequence[Any],
    params: dict[str, str],
    *,
    key: Callable[[Any], str],
    url: str,
    error_above: int | None = None,
    take_empty_page: Callable[[], bool] = lambda: False,
) -> tuple[list[Any], dict[str, Any] | None]:
    """Slice `items` for `limit`/`after`/`before`; return the slice and `paging`."""
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise bad_param("limit must be an integer") from None
    if limit < 0:
        raise bad_param("limit must be non-negative")
    if error_above is not None and limit > error_above:
        raise bad_param(f"The limit parameter cannot exceed {error_above}")
    limit = min(limit, MAX_LIMIT)
    if limit == 0:
        return [], None
    start = 0
    if params.get("after"):
        start = _position(items, key, params["after"]) + 1
    elif params.get("before"):
        end = _position(items, key, params["before"])
        start = max(0, end - limit)
    if start < len(items) and take_empty_page():
        # Privacy filtering can empty a page that still has more behind it (§1.10).
        marker = encode_cursor(key(items[start - 1]) if start else "", start - 1)
        base = {k: v for k, v in params.items() if k not in {"after", "before"}}
        return [], {"cursors": {}, "next": f"{url}?{urlencode({**base, 'after': marker})}"}
    chunk = list(items[start : start + limit])
    if not chunk:
        return [], {"cursors": {}} if start else None
    base = {k: v for k, v in params.items() if k not in {"after", "before"}}
    first = encode_cursor(key(chunk[0]), start)
    last = encode_cursor(key(chunk[-1]), start + len(chunk) - 1)
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    if start + len(chunk) < len(items):
        paging["next"] = f"{url}?{urlencode({**base, 'after': last})}"
    if start > 0:
        paging["previous"] = f"{url}?{urlencode({**base, 'before': first})}"
    return chunk, paging
