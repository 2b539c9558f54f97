"""Building a `GraphClient` from a channel's settings (shared by Facebook and Instagram)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordstyrer.connectors.base import ConnectorError, ErrorCode, bad_request
from ordstyrer.connectors.graph.client import DEFAULT_BASE_URL, DEFAULT_GRAPH_VERSION, GraphClient
from ordstyrer.connectors.secrets import SecretToken, TokenCipher, TokenDecryptError, TokenKeyError

CLIENT_KEYS = ("session", "throttle", "sleep", "transient_retries", "transient_backoff")


def secret(config: Mapping[str, Any], name: str, *, required: bool) -> SecretToken | None:
    """`name` as a SecretToken, or `name_encrypted` decrypted with ORDSTYRER_TOKEN_KEY."""
    value = config.get(name)
    if isinstance(value, SecretToken):
        return value
    if isinstance(value, str) and value:
        return SecretToken(value)
    encrypted = config.get(f"{name}_encrypted")
    if encrypted:
        try:
            return TokenCipher.from_env().decrypt(str(encrypted))
        except (TokenKeyError, TokenDecryptError) as exc:
            raise ConnectorError(str(exc), permanent=True, code=ErrorCode.NEEDS_REAUTH) from None
    if required:
        raise bad_request(f"Innstillingen «{name}» mangler for kanalen.")
    return None


def require(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    if not value or not isinstance(value, str | int):
        raise bad_request(f"Innstillingen «{name}» mangler for kanalen.")
    return str(value)


def client_from_config(config: Mapping[str, Any], *, throttle_key: str) -> GraphClient:
    extra = {k: config[k] for k in CLIENT_KEYS if k in config}
    return GraphClient(
        token=secret(config, "token", required=True),  # type: ignore[arg-type]
        app_secret=secret(config, "app_secret", required=False),
        base_url=str(config.get("base_url") or DEFAULT_BASE_URL),
        version=str(config.get("graph_version") or DEFAULT_GRAPH_VERSION),
        throttle_key=throttle_key,
        **extra,
    )
