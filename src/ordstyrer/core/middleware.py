"""The console's one mapping of domain errors to HTTP (house style, "HTTP in services").

Services, selectors and access helpers raise `NotFound` and `NotPermitted`
(`ordstyrer.errors`); here they become Django's own 404 and 403 responses — the same
pages (`404.html`, `403.html`, which shows the exception's sentence naming the role
needed), logging and signals as an `Http404` or `PermissionDenied` raised in a view.
The API maps the same errors to problem documents in `api.main`; the CLI in
`ordstyrer.cli`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from ordstyrer.errors import NotFound, NotPermitted


def as_http(exc: BaseException) -> Exception | None:
    """The Django exception that answers `exc` in the console, or None."""
    if isinstance(exc, NotFound):
        return Http404(str(exc.message) if exc.message else "")
    if isinstance(exc, NotPermitted):
        return PermissionDenied(str(exc.message) if exc.message else "")
    return None


class DomainErrorMiddleware:
    """Answer a view's `NotFound` with the 404 page and `NotPermitted` with the 403 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        mapped = as_http(exc)
        if mapped is None:
            return None
        mapped.__cause__ = exc
        return response_for_exception(request, mapped)
