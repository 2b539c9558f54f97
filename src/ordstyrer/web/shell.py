"""Helpers shared by console views: the municipality in view, errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from ordstyrer.core.permissions import access_municipality


def municipality_view(need: str = "read") -> Callable[..., Any]:
    """Resolve `slug` through the central access helper and put it on the request."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            request.municipality = access_municipality(user=request.user, slug=slug, need=need)
            return view(request, request.municipality, *args, **kwargs)

        return wrapper

    return decorate
