"""The call log and the stored connection's connector settings (infrastructure).

* `connection_config(channel)`: the stored connection — account id, the encrypted Page
  token (decrypted only inside the connector), the Graph host and version from the
  settings, and the app secret so every call carries `appsecret_proof`
  (`ORDSTYRER_CONNECTORS["CONFIG"]`).
* `record_call(...)`: writes one `ConnectorCall` row (outcome, duration, error) and
  returns it. What an outcome means for the connection (a dead token) is decided by the
  caller, `platforms.health.recorder_for`; this module calls nothing above it.

Both are used from tasks only (never inside a request or a transaction).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from ordstyrer.connectors.base import ConnectorError
from ordstyrer.connectors.graph.client import DEFAULT_BASE_URL
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import redact_text
from ordstyrer.platforms.models import (
    CallOutcome,
    ConnectionStatus,
    ConnectorCall,
    Platform,
    PlatformConnection,
)

logger = logging.getLogger("ordstyrer.platforms")

ACCOUNT_KEYS = {Platform.FACEBOOK: "page_id", Platform.INSTAGRAM: "ig_user_id"}
NAME_KEYS = {Platform.FACEBOOK: "page_name", Platform.INSTAGRAM: "username"}
MAX_MESSAGE = 1000


def graph_settings() -> dict[str, Any]:
    """Where the Graph API is (the stand-in in tests) and the app secret, if set."""
    out: dict[str, Any] = {
        "base_url": getattr(settings, "META_GRAPH_BASE_URL", "") or DEFAULT_BASE_URL,
        "graph_version": settings.META_GRAPH_VERSION,
    }
    secret = getattr(settings, "META_APP_SECRET", "")
    if secret:
        out["app_secret"] = SecretToken(secret)
    return out


def live_connection(channel: Any) -> PlatformConnection | None:
    if channel.kind not in ACCOUNT_KEYS:
        return None
    return (
        PlatformConnection.objects.filter(channel_id=channel.pk)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .first()
    )


def connection_config(channel: Any) -> dict[str, Any]:
    """Connector settings from the channel's stored connection ({} for other kinds)."""
    if channel.kind not in ACCOUNT_KEYS:
        return {}
    config = graph_settings()
    connection = live_connection(channel)
    if connection is None:
        return config
    config[ACCOUNT_KEYS[channel.kind]] = connection.account_id
    if connection.token_encrypted:
        config["token_encrypted"] = connection.token_encrypted
    if connection.account_name:
        config[NAME_KEYS[channel.kind]] = connection.account_name
    return config


def safe_message(error: ConnectorError | None) -> str:
    if error is None:
        return ""
    # ConnectorError texts never carry tokens; masking `key=value` credentials again
    # costs nothing and guards against a future message that quotes a URL.
    return redact_text(str(error.message))[:MAX_MESSAGE]


def record_call(
    *,
    channel_id: int,
    outcome: str,
    capability: Any,
    operation: str,
    duration: float,
    error: ConnectorError | None,
) -> ConnectorCall:
    """Store one connector call on the channel and return the row (the outcome)."""
    now = timezone.now()
    call = ConnectorCall.objects.create(
        channel_id=channel_id,
        at=now,
        capability=str(getattr(capability, "value", capability))[:30],
        operation=str(operation)[:60],
        outcome=CallOutcome.OK if outcome == "ok" else CallOutcome.ERROR,
        duration_ms=max(0, round(duration * 1000)),
        error_code=str(error.code or "")[:30] if error is not None else "",
        error_message=safe_message(error),
        permanent=error.permanent if error is not None else None,
    )
    return call
