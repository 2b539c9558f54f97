"""Login throttling (issue #18): django-axes counts failed logins per username and per
client address and refuses further attempts for a cool-off period.

* `LoginThrottleBackend` is axes' backend, first in AUTHENTICATION_BACKENDS: it refuses a
  login while the username or the address is locked out — the right password included.
  Called without a request (Django's test client, a shell) there is no address to
  count, so it steps aside and the next backend decides; every login over HTTP (the
  login form, single sign-on) passes its request.
* `lockout_parameters` (AXES_LOCKOUT_PARAMETERS) counts a single sign-on attempt, which
  names no username, against its address only.
* `lockout_response` answers a locked-out attempt with the login page, status 429 and
  a Norwegian message that says how long to wait — the same for an unknown username,
  so it does not tell which usernames exist.
* `log_failed_login` writes one structured line per failed login (username, address;
  never the password: Django passes the credentials cleansed, and only the username
  is read from them).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger("ordstyrer.auth")


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the socket's address, or behind `PROXY_COUNT` proxies the
    address the outermost of them saw — the N-th entry from the right of X-Forwarded-For,
    which the proxies wrote (entries a client adds itself sit further left)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies][:64]


def lockout_parameters(
    request_or_attempt: Any, credentials: dict[str, Any] | None = None
) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: per username and per address for a login that names a
    username (the login form); per address only for one that names none (a single
    sign-on callback: the person is known only once the provider has answered). With
    "username" in the list such an attempt was counted under username NULL, which every
    callback shares: ten failed callbacks from anywhere locked everyone's SSO login
    everywhere, and each refused login renewed the lockout (django-axes 8.3.1
    `AxesDatabaseHandler.get_failures` sums the matching rows of every parameter)."""
    if isinstance(request_or_attempt, HttpRequest):
        username = get_client_username(request_or_attempt, credentials)
    else:  # an AccessAttempt (axes' cache handler): its own username
        username = getattr(request_or_attempt, "username", None)
    return ["username", "ip_address"] if username else ["ip_address"]


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None  # nothing to count without a request; see the module docstring
        return super().authenticate(request, *args, **kwargs)


class _LockedOutForm(AuthenticationForm):
    """The login form as posted, showing the lockout as its error (never validated: that
    would try the password again)."""

    def __init__(self, request: HttpRequest, message: str) -> None:
        super().__init__(request, data=request.POST or None)
        self._errors = ErrorDict()
        self._errors["__all__"] = self.error_class([message], error_class="nonfield")


def lockout_message(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    if not minutes:
        return _("For mange mislykkede innlogginger. Kontakt en administrator.")
    return ngettext(
        "For mange mislykkede innlogginger. Vent %(minutes)s minutt og prøv igjen.",
        "For mange mislykkede innlogginger. Vent %(minutes)s minutter og prøv igjen.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page with the lockout message, 429."""
    message = lockout_message(request)
    context = {
        "form": _LockedOutForm(request, message),
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }
    return render(request, "registration/login.html", context, status=429)


def log_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """`user_login_failed` receiver: who tried, from where — without the password."""
    username = credentials.get("username") if isinstance(credentials, dict) else None
    address = client_ip(request) if request is not None else None
    logger.warning(
        "login failed",
        extra={
            "username": str(username or "")[:150],
            "client_ip": address,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )
