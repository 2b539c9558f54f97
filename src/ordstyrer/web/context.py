"""Template context for the console shell: the municipality in view.

The menu (`web.templatetags.console_menu`) asks for the person's roles and other
municipalities itself, only where a page draws it: fragments rendered with the request
(the live checks, who else is writing) pay nothing for it (#14)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ordstyrer.sso.backend import configured as sso_configured


def shell(request: HttpRequest) -> dict[str, Any]:
    municipality = getattr(request, "municipality", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_municipality": municipality, "sso_enabled": sso_configured()}
    return {"current_municipality": municipality}
