"""OpenID Connect discovery: the provider's endpoints from
`{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4), fetched
on first use through the one outgoing HTTP session and kept for an hour."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ordstyrer.core.http import HttpTransportError, default_session

CACHE_SECONDS = 3600.0


class DiscoveryError(Exception):
    """The identity provider's configuration could not be read or is not usable."""


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


_cache: dict[str, tuple[float, ProviderConfig]] = {}
_lock = threading.Lock()


def discover(issuer: str, *, now: float | None = None) -> ProviderConfig:
    """The configuration of `issuer` (cached); raises `DiscoveryError`."""
    issuer = issuer.rstrip("/")
    moment = time.monotonic() if now is None else now
    with _lock:
        hit = _cache.get(issuer)
        if hit and moment - hit[0] < CACHE_SECONDS:
            return hit[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = default_session().request("GET", url)
    except HttpTransportError as exc:
        raise DiscoveryError(str(exc)) from None
    if response.status_code != 200:
        raise DiscoveryError(f"{url} svarte {response.status_code}")
    try:
        document = response.json()
    except ValueError:
        raise DiscoveryError(f"{url} svarte ikke med JSON") from None
    if not isinstance(document, dict):
        raise DiscoveryError(f"{url} svarte ikke med et JSON-objekt")
    # §4.3: the issuer in the document must be the one we asked (no mix-up attacks).
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError("utsteder (issuer) i konfigurasjonen stemmer ikke")
    fields = {}
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise DiscoveryError(f"konfigurasjonen mangler {name}")
        fields[name] = value
    end_session = document.get("end_session_endpoint")
    config = ProviderConfig(
        issuer=issuer,
        end_session_endpoint=end_session if isinstance(end_session, str) else None,
        **fields,
    )
    with _lock:
        _cache[issuer] = (moment, config)
    return config


def forget() -> None:
    """Drop the cache (tests, or after the provider's configuration changed)."""
    with _lock:
        _cache.clear()
