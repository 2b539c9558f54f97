"""A request id on every request and every log line written while serving it, and one
structured access line per request (issue #14, item 5).

The TLS proxy's `X-Request-ID` is kept when it is a plain token (so a request can be
followed from the proxy's log into ours); otherwise one is made. The id is returned in
the response's `X-Request-ID`. The access line carries method, path without the query
string (a query can hold a verify token), status, duration and the user's id — never a
name or a comment author's data. The user is the session's, or, for the HTTP API, the
person of the bearer token (`identify`, called by `api.tokens.token_authenticate`): the
id only, never the token.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# The user a request is made by when no session says so (an API token's person).
_identified: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "request_user_id", default=None
)
access = logging.getLogger("ordstyrer.access")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records written while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def identify(user_id: int | None) -> None:
    """Name the user the request being served is made by, for its access line (deploy.md
    §8): an authentication that is not the session's calls it with the person's id."""
    _identified.set(user_id)


def _user_id(request: HttpRequest) -> int | None:
    identified = _identified.get()
    if identified is not None:
        return identified
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return int(user.pk)
    return None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _VALID.match(offered) else uuid.uuid4().hex
        # An attribute of ours, not Django's, so HttpRequest's types do not declare it.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current.set(request_id)
        nobody = _identified.set(None)  # never the previous request's user on this thread
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            access.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            _identified.reset(nobody)
            current.reset(token)
