"""Lazy registry: channel kind → connector class (imported only when first used).

The Django side calls `get_connector(channel.kind, config, recorder=...)`; a new
platform is one new module and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol

from ordstyrer.connectors.base import CallRecorder, ConnectorError, ErrorCode

CONNECTORS: dict[str, str] = {
    "simulated": "ordstyrer.connectors.simulated.connector:SimulatedConnector",
    "facebook": "ordstyrer.connectors.facebook.connector:FacebookConnector",
    "instagram": "ordstyrer.connectors.instagram.connector:InstagramConnector",
}


def kinds() -> list[str]:
    return sorted(CONNECTORS)


class ConnectorClass(Protocol):
    """What the registry asks of a connector class: one built from a channel's settings."""

    def from_config(
        self, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
    ) -> Any: ...


def connector_class(kind: str) -> ConnectorClass:
    try:
        dotted = CONNECTORS[kind]
    except KeyError:
        raise ConnectorError(
            f"Ukjent kanaltype «{kind}». Kjente typer: {', '.join(kinds())}.",
            permanent=True,
            code=ErrorCode.UNSUPPORTED,
        ) from None
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def get_connector(
    kind: str, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
) -> Any:
    """Build the connector for a channel kind from its settings.

    Each class documents its keys in `from_config`; bad settings raise a permanent
    `ConnectorError(code="bad_request")`.
    """
    return connector_class(kind).from_config(config, recorder=recorder)
