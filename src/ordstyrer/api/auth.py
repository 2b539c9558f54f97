"""Bearer-token authentication, rate limits, and the municipality a request may touch.

`TokenAuth` is the NinjaAPI's `auth`: a valid token puts the `ApiToken` on
`request.auth` (ninja's own attribute; nothing is stuck on the user). Limits:

- per token: `API_RATE_PER_MINUTE` requests a minute (fixed window), then 429 with
  Retry-After;
- per client address: `API_AUTH_FAILURES_PER_IP` guesses in ten minutes (a bearer value
  no token has: malformed, an unknown prefix, a wrong secret), then every further guess
  from it gets 429 until the window ends (guessing tokens is hopeless with 256-bit
  secrets; the limit keeps the logs quiet). The token is verified first: a live token is
  never refused for another's failures (one address may be a shared host or a
  municipality's NAT), and a known token that has expired or been revoked is a 401 that
  counts as no guess, so a forgotten integration does not lock its neighbours out.

The counters live in Django's cache: per process with the default local-memory cache,
shared when several web processes are given a shared cache (docs/api.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from ordstyrer.api.models import ApiToken
from ordstyrer.api.problems import Problem
from ordstyrer.api.tokens import token_check, token_touch
from ordstyrer.core.permissions import actor_in, not_found
from ordstyrer.tenants.models import Municipality
from ordstyrer.web import throttle

FAILURE_WINDOW = 600


def rate_per_minute() -> int:
    return int(getattr(settings, "API_RATE_PER_MINUTE", 600))


def failures_per_ip() -> int:
    return int(getattr(settings, "API_AUTH_FAILURES_PER_IP", 20))


def _window(name: str, window: int) -> tuple[str, float]:
    now = time.time()
    start = int(now // window) * window
    return f"ordstyrer-api:{name}:{start}", start + window - now


def _count(name: str, window: int) -> tuple[int, float]:
    """Count one event in the current window; (events so far, seconds left)."""
    key, left = _window(name, window)
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count, left


def _peek(name: str, window: int) -> tuple[int, float]:
    key, left = _window(name, window)
    return int(cache.get(key) or 0), left


def _too_many(left: float, *, detail: str, detail_nb: str) -> Problem:
    return Problem(
        429,
        detail=detail,
        detail_nb=detail_nb,
        headers={"Retry-After": str(max(1, int(left) + 1))},
    )


def client_ip(request: HttpRequest) -> str:
    """The client's address, read as the login form reads it (`web.throttle.client_ip`,
    behind `ORDSTYRER_PROXY_COUNT` trusted proxies)."""
    return throttle.client_ip(request) or ""


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ord_…` → the live `ApiToken`, or None (→ 401)."""

    openapi_bearerFormat = "ord_<id>_<secret>"  # noqa: N815 — ninja reads openapi_* names

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:  # unused
        return None

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        translation.activate("nb")  # detail_nb and findings' messages in Bokmål
        header = request.headers.get("Authorization") or ""
        scheme, _sep, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        ip = client_ip(request)
        check = token_check(raw.strip())
        token = check.token
        if token is None:
            if check.guess:
                _guessed(ip)
            return None
        used, left = _count(f"token:{token.pk}", 60)
        if used > rate_per_minute():
            raise _too_many(
                left,
                detail="This token has made too many requests this minute.",
                detail_nb=_("Denne API-nøkkelen har sendt for mange forespørsler."),
            )
        token_touch(token, ip=ip or None)
        return token


def _guessed(ip: str) -> None:
    """Count a guess from `ip`; past the limit, 429 until the window ends."""
    failures, left = _peek(f"fail:{ip}", FAILURE_WINDOW)
    if failures >= failures_per_ip():
        raise _too_many(
            left,
            detail="Too many failed token attempts from this address.",
            detail_nb=_("For mange mislykkede forsøk med API-nøkkel fra denne adressen."),
        )
    _count(f"fail:{ip}", FAILURE_WINDOW)


def municipality_for(
    request: HttpRequest, slug: str, *, scope: str | None = None, need: str = "read"
) -> Municipality:
    """The municipality of the URL if the token is for it and its person may `need`
    there (404 otherwise: another municipality's existence never shows), narrowed by the
    token's `scope` (403)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if slug != token.municipality.slug:
        raise not_found()
    request.actor = actor_in(user=token.user, slug=slug, need=need)  # type: ignore[attr-defined]
    require_scope(request, scope)
    return request.actor.municipality  # type: ignore[attr-defined]


def require_scope(request: HttpRequest, scope: str | None) -> None:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope is not None and scope not in (token.scopes or []):
        raise Problem(
            403,
            code="scope-missing",
            detail=f"This token does not have the scope {scope}.",
            detail_nb=_("API-nøkkelen mangler tilgangen «%(scope)s».") % {"scope": scope},
            scope=scope,
        )
