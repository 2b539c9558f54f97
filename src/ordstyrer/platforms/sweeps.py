"""Periodic sweeps of the platform connection, registered with the worker (core.worker)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ordstyrer.core.worker import register_sweep

WEBHOOK_SWEEP_SECONDS = 10.0
TOKEN_SWEEP_SECONDS = 3600.0
CALL_LOG_SWEEP_SECONDS = 3600.0
CALL_LOG_RETENTION = timedelta(days=90)


def sweep_webhooks(*, now: datetime) -> int:
    from ordstyrer.platforms.webhooks import deliveries_sweep

    return deliveries_sweep(now=now)


def sweep_tokens(*, now: datetime) -> int:
    from ordstyrer.platforms.connections import checks_sweep

    return checks_sweep(now=now)


def sweep_call_log(*, now: datetime) -> int:
    from ordstyrer.platforms.models import ConnectorCall

    deleted, _ = ConnectorCall.objects.filter(at__lt=now - CALL_LOG_RETENTION).delete()
    return deleted


def register() -> None:
    # Deliveries whose task was lost (a killed process) are picked up within seconds.
    register_sweep("platforms.webhooks", sweep_webhooks, every=WEBHOOK_SWEEP_SECONDS)
    # Each connection's token is checked once a day; the sweep claims the due ones.
    register_sweep("platforms.tokens", sweep_tokens, every=TOKEN_SWEEP_SECONDS)
    register_sweep("platforms.call_log", sweep_call_log, every=CALL_LOG_SWEEP_SECONDS)
