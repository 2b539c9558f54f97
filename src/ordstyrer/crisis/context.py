"""Template context: the crisis banner on every console page while a crisis is active
(PU-12), and whether the menu shows the crisis page (one query per page; while a crisis
is active, the municipality's PU-12 settings are read too, for what the banner says)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ordstyrer.crisis.selectors import crisis_banner, crisis_settings


def crisis(request: HttpRequest) -> dict[str, Any]:
    municipality = getattr(request, "municipality", None)
    user = getattr(request, "user", None)
    if municipality is None or user is None or not user.is_authenticated:
        return {}
    active, menu = crisis_banner(user=getattr(request, "actor", user), municipality=municipality)
    if active is None:
        return {"active_crisis": None, "crisis_menu": menu}
    # What waits for the crisis leader here (PU-12 `approve_posts`, `approve_replies`):
    # the banner never says replies wait where the municipality lets them through.
    settings = crisis_settings(municipality=municipality)
    waits = {"posts": settings["approve_posts"], "replies": settings["approve_replies"]}
    return {"active_crisis": active, "crisis_menu": menu, "crisis_waits": waits}
