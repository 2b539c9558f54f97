"""Expired login sessions are deleted (PU-1; GDPR art. 5(1)(e); docs/privacy.md).

A session holds which items the person chose to show ID numbers for and, after a single
sign-on login, the identity provider's ID token (name, e-mail, groups). Django never
deletes a database session whose expiry has passed unless `clearsessions` runs: the
worker runs the same thing as a sweep (`core.worker.SWEEPS`)."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from django.conf import settings

SESSIONS_SWEEP_SECONDS = 3600.0


def sessions_clear_expired(*, now: datetime) -> int:
    """Delete the sessions that have expired, as `manage.py clearsessions` does; running
    it again deletes nothing more. Expiry is measured on the wall clock (the engine's
    `clear_expired`), which is what the session middleware checks a session against."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0  # clear_expired() reports no count
