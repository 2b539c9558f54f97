"""Template context: the crisis banner on every console page while a crisis is active
(PU-12), and whether the menu shows the crisis page (one query per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ordstyrer.crisis.selectors import crisis_banner


def crisis(request: HttpRequest) -> dict[str, Any]:
    municipality = getattr(request, "municipality", None)
    user = getattr(request, "user", None)
    if municipality is None or user is None or not user.is_authenticated:
        return {}
    active, menu = crisis_banner(user=getattr(request, "actor", user), municipality=municipality)
    return {"active_crisis": active, "crisis_menu": menu}
