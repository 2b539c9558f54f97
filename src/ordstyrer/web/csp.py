"""The Content-Security-Policy middleware (django-csp) with one thing read per request:
the origin of Meta's login dialog (`META_DIALOG_BASE_URL`) is a form target too, since
"Logg inn hos Meta" posts to `platforms.login_start`, which redirects there, and browsers
apply `form-action` to the redirect. Read from the settings at request time, so a test
(or an operator) pointing the dialog elsewhere is followed."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def dialog_origin() -> str | None:
    parts = urlsplit(getattr(settings, "META_DIALOG_BASE_URL", "") or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = dialog_origin()
        if origin is not None and not report_only:
            update = dict(parts.update or {})
            targets = list(update.get("form-action") or [])
            update["form-action"] = [*targets, origin]
            parts.update = update
        return parts
