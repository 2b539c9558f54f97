"""Helpers shared by every app's console views: the municipality in view, a refused
service call shown as the page's error message.

In `core` (not `web`) so that the feature apps' views import downwards only
(`.importlinter`, contract "apps-layers"; docs/architecture.md, "Layers")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from ordstyrer.core.permissions import actor_in


def municipality_view(need: str = "read") -> Callable[..., Any]:
    """Resolve `slug` through the central access helper and put it on the request, with
    the person acting there (`request.actor`: their roles, looked up once)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            request.actor = actor_in(user=request.user, slug=slug, need=need)
            request.municipality = request.actor.municipality
            return view(request, request.municipality, *args, **kwargs)

        return wrapper

    return decorate


def fail_message(request: HttpRequest, exc: Exception) -> None:
    """Show a refused service call (`ServiceError` and the domain errors) as the page's
    error message, with its rule id when the text does not name it already."""
    message = str(getattr(exc, "message", None) or exc)
    rule = getattr(exc, "rule", None)
    if rule and rule not in message:
        message = f"{message} ({rule})"
    messages.error(request, message)
