"""A request id on every request and every log line written while serving it, and one
structured access line per request (issue #14, item 5).

The TLS proxy's `X-Request-ID` is kept when it is a plain token (so a request can be
followed from the proxy's log into ours); otherwise one is made. The id is returned in
the response's `X-Request-ID`. The access line carries method, path without the query
string (a query can hold a verify token), status, duration and the user's id — never a
name or a comment author's data.
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
access = logging.getLogger("ordstyrer.access")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records written while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _VALID.match(offered) else uuid.uuid4().hex
        # An attribute of ours, not Django's, so HttpRequest's types do not declare it.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            user = getattr(request, "user", None)
            access.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": (
                        user.pk
                        if user is not None and getattr(user, "is_authenticated", False)
                        else None
                    ),
                },
            )
            return response
        finally:
            current.reset(token)
