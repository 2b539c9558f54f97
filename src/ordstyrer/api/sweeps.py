"""Periodic work of the API, run beside every worker (core.worker)."""

from __future__ import annotations

from ordstyrer.api.writes import idempotency_sweep
from ordstyrer.core.worker import Sweep

SWEEPS = (Sweep("api_idempotency_expiry", idempotency_sweep, every=3600),)
