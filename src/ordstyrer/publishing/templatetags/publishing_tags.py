"""Template helpers for the console shell: whether to show the publishing menu link."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_publish_in(context: Any, municipality: Any) -> bool:
    """Whether the signed-in person publishes on any channel of `municipality` (CH-3)."""
    from ordstyrer.publishing.access import may_publish_here

    request = context.get("request")
    user = getattr(request, "user", None)
    if municipality is None or user is None or not user.is_authenticated:
        return False
    return may_publish_here(getattr(request, "actor", user), municipality)
