"""Template context for the console shell: the municipality in view and the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ordstyrer.core.permissions import municipalities_for, roles_in
from ordstyrer.sso.backend import configured as sso_configured


def shell(request: HttpRequest) -> dict[str, Any]:
    municipality = getattr(request, "municipality", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_municipality": municipality, "sso_enabled": sso_configured()}
    return {
        "current_municipality": municipality,
        # The menu only asks whether there is more than one (the switcher's link): ids,
        # two at most, no municipality objects (#14, the list page's CPU).
        "my_municipalities": list(
            municipalities_for(user).order_by().values_list("pk", flat=True)[:2]
        ),
        "my_roles": sorted(roles_in(getattr(request, "actor", user), municipality))
        if municipality
        else [],
    }
