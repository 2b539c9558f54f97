"""Structured (JSON lines) logging. Never pass tokens, passwords or authors' personal data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: _plain(v) for k, v in vars(record).items() if k not in _STANDARD})
        if "request_id" not in entry:
            # Django logs a 4xx/5xx response (django.request's log_response in
            # BaseHandler.get_response) after the whole middleware chain has returned, so
            # after RequestIdMiddleware has reset its context variable and RequestIdFilter
            # finds nothing; the request on the record still carries the id.
            request_id = getattr(getattr(record, "request", None), "request_id", None)
            if isinstance(request_id, str):
                entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(_masked(entry), ensure_ascii=False, default=str)


def _plain(value: Any) -> Any:
    """An extra as it may be logged: a request (Django's `extra={"request": …}`) is its
    method and path. Its repr would carry the query string, which can hold a token
    (Meta's `hub.verify_token`, an OAuth `code`)."""
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    return value


def _masked(entry: dict[str, Any]) -> dict[str, Any]:
    """National ID numbers never reach a log (PU-1, issue #18): a comment's text in an
    exception message or an extra is shown as `******12345`. Platform ids (keys ending
    in `id`) are digits by nature and left alone."""
    from ordstyrer.language.masking import mask_national_ids

    out: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, str) and not key.endswith("id") and len(value) >= 11:
            value = mask_national_ids(value)
        out[key] = value
    return out
