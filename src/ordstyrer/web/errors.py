"""The console's own error views where Django's would be English or break the CSP.

The 400, 403, 404 and 500 pages are Django's views with our templates; the CSRF failure
page needs a view of its own (CSRF_FAILURE_VIEW) because Django's renders
`403_csrf.html` without the request, so without the console's shell.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a missing or stale CSRF token. `reason` is English for the log
    (django.security.csrf has written it) and is not shown."""
    return render(request, "403_csrf.html", status=403)
