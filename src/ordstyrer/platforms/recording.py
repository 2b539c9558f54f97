"""What this app plugs into the one place connectors are built (`channels.platform`).

* `connection_config(channel)`: the stored connection — account id, the encrypted Page
  token (decrypted only inside the connector), the Graph host and version from the
  settings, and the app secret so every call carries `appsecret_proof`.
* `recorder_for(channel)`: the connectors' `CallRecorder`, which writes one
  `ConnectorCall` row per call (outcome, duration, error) and flags the connection
  "needs re-authorisation" the moment a call says the token is dead (Graph 190/102/10).

Both are called from tasks only (never inside a request or a transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from ordstyrer.connectors.base import ConnectorError, ErrorCode
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
    if error is not None and error.code == ErrorCode.NEEDS_REAUTH:
        from ordstyrer.platforms.connections import connection_flag_reauth

        connection_flag_reauth(channel_id=channel_id, message=safe_message(error), now=now)
    return call


def recorder_for(channel: Any) -> Callable[..., None] | None:
    """The `CallRecorder` for one channel (the connectors call it once per call)."""
    channel_id = channel.pk

    def record(
        *,
        outcome: str,
        capability: Any,
        operation: str,
        duration: float,
        error: ConnectorError | None,
    ) -> None:
        record_call(
            channel_id=channel_id,
            outcome=outcome,
            capability=capability,
            operation=operation,
            duration=duration,
            error=error,
        )

    return record
