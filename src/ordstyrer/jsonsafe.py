"""Untrusted JSON and input, bounded (issue #18): how deep a JSON text nests, found
without parsing it, and input read up to a limit; lone UTF-16 surrogates replaced.

`json.loads` recurses once per level of nesting; a body of a few hundred thousand `[`
exhausts Python's recursion limit (RecursionError) or the C stack. Every reader of
untrusted JSON — the webhook receipt and queue, the CLI — measures the depth first.
Pure: no Django.
"""

from __future__ import annotations

import json
import re
import sys
from itertools import accumulate
from typing import IO, Any

MAX_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_STRING_TEXT = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
# A UTF-16 surrogate left alone: JSON's `\\ud800` escapes are valid JSON, and
# `json.loads` pairs only a high surrogate followed by a low one. In the raw text: such
# an escape (either case), a surrogate encoded as bytes (ED A0–BF, which `json.loads`
# reads with "surrogatepass"), or one already in a decoded string (surrogateescape).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_IN_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE_IN_TEXT = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class TooDeep(ValueError):
    """The JSON nests deeper than allowed."""


class TooBig(ValueError):
    """The input is bigger than allowed."""


def json_depth(raw: bytes | str, *, limit: int = MAX_DEPTH) -> int:
    """How deep the arrays and objects of this JSON text nest, without parsing it.

    Brackets inside strings do not count. Linear in the size and done in C for the most
    part; an ordinary text (no more brackets than `limit` in all) costs two counts."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    opens = data.count(b"[") + data.count(b"{")
    if opens <= limit:
        return opens  # an upper bound, and within the limit
    structural = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in structural), default=0)


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing (TooDeep) a text nested deeper than `max_depth` before it
    is parsed; a JSON error is the usual `json.JSONDecodeError`.

    A lone UTF-16 surrogate in a string or key (a broken emoji, `"\\ud83d"`) comes back
    as U+FFFD: Python would hold a string that cannot be written as UTF-8, and the
    command echoing it (`ordstyrer triage`, `check`), a database or a log fails on it."""
    if json_depth(raw, limit=max_depth) > max_depth:
        raise TooDeep(f"nested deeper than {max_depth} levels")
    try:
        data = json.loads(raw)
    except RecursionError:  # a guard, should the limit be set too high
        raise TooDeep(f"nested deeper than {max_depth} levels") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError:
        # An integer of more digits than Python converts (`sys.get_int_max_str_digits`,
        # 4,300): not a JSON error to `json`, but one to every reader here, which
        # reports the line and goes on with the next (`ordstyrer triage`, `check`).
        raise _too_many_digits(raw) from None
    if isinstance(raw, str):
        found = _SURROGATE_IN_TEXT.search(raw) is not None
    else:
        found = _SURROGATE_IN_BYTES.search(raw) is not None
    return without_lone_surrogates(data) if found else data


def _too_many_digits(raw: bytes | str) -> json.JSONDecodeError:
    """The JSON error for an integer too long to convert, at the number when it is
    found (outside the strings)."""
    limit = sys.get_int_max_str_digits()
    if isinstance(raw, str):
        doc = raw
    else:
        data = bytes(raw)
        doc = data.decode(json.detect_encoding(data), "surrogatepass")
    blanked = _JSON_STRING_TEXT.sub(lambda m: " " * len(m.group()), doc)
    found = re.search(rf"(?<!\d)-?\d{{{limit + 1},}}(?![\d.eE])", blanked) if limit else None
    return json.JSONDecodeError(
        f"Integer with more than {limit} digits", doc, found.start() if found else 0
    )


def without_lone_surrogates(value: Any) -> Any:
    """`value` (decoded JSON: dicts, lists, strings, numbers) with every lone UTF-16
    surrogate in its strings and keys replaced by U+FFFD. A valid pair (an intact
    emoji) is already one character after `json.loads` and is kept. Containers are
    copied, strings only when they change."""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _LONE_SURROGATE.sub(REPLACEMENT, value)
        return value
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(v) for v in value]
    return value


def read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """At most `limit` bytes of `stream`; TooBig (after reading `limit` + 1) if there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooBig(f"over {limit} bytes")
    return data
