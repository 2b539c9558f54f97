"""Periodic sweeps of the platform connection, registered with the worker (core.worker)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from ordstyrer.core.worker import Sweep

WEBHOOK_RETENTION_SWEEP_SECONDS = 3600.0
TOKEN_SWEEP_SECONDS = 3600.0
CALL_LOG_SWEEP_SECONDS = 3600.0
CALL_LOG_RETENTION = timedelta(days=90)
HISTORY_STALE_SWEEP_SECONDS = 300.0


def drain_webhooks(*, now: datetime) -> int:  # noqa: ARG001 — each claim reads the clock
    from ordstyrer.platforms.webhooks import deliveries_drain

    return deliveries_drain()


def sweep_webhook_retention(*, now: datetime) -> int:
    from ordstyrer.platforms.webhooks import deliveries_forget

    return deliveries_forget(now=now)


def sweep_dead_letter_retention(*, now: datetime) -> int:
    from ordstyrer.platforms.deadletters import dead_letters_forget

    return dead_letters_forget(now=now)


def sweep_tokens(*, now: datetime) -> int:
    from ordstyrer.platforms.connections import (
        disconnected_tokens_forget,
        retired_connections_disconnect,
    )
    from ordstyrer.platforms.health import checks_sweep

    retired_connections_disconnect(now=now)
    disconnected_tokens_forget(now=now)
    return checks_sweep(now=now)


def sweep_call_log(*, now: datetime) -> int:
    from ordstyrer.platforms.models import ConnectorCall

    deleted, _ = ConnectorCall.objects.filter(at__lt=now - CALL_LOG_RETENTION).delete()
    return deleted


def sweep_stale_history(*, now: datetime) -> int:
    from ordstyrer.platforms.history import history_jobs_fail_stale

    return history_jobs_fail_stale(now=now)


SWEEPS = (
    # The stored webhook deliveries are a queue: polled in a thread of its own, so a
    # comment is in the inbox within about WORKER_INTERVAL of its arrival.
    Sweep("platforms.webhooks", drain_webhooks, every=settings.WORKER_INTERVAL, own_thread=True),
    Sweep(
        "platforms.webhook_retention",
        sweep_webhook_retention,
        every=WEBHOOK_RETENTION_SWEEP_SECONDS,
    ),
    # Dead letters nobody can see after 30 days, any after 90 (`deadletters`, privacy.md).
    Sweep(
        "platforms.dead_letter_retention",
        sweep_dead_letter_retention,
        every=WEBHOOK_RETENTION_SWEEP_SECONDS,
    ),
    # Each connection's token is checked once a day; the sweep claims the due ones.
    Sweep("platforms.tokens", sweep_tokens, every=TOKEN_SWEEP_SECONDS),
    Sweep("platforms.call_log", sweep_call_log, every=CALL_LOG_SWEEP_SECONDS),
    # A history job left running by a worker that died is failed, its export emptied.
    Sweep("platforms.history_stale", sweep_stale_history, every=HISTORY_STALE_SWEEP_SECONDS),
)
