"""Background tasks of crisis mode: each takes ids and calls one function; enqueued
after commit by the services."""

from __future__ import annotations

from django_tasks import task


@task()
def reply_crisis_rejected_notify(reply_id: int) -> int:
    """Tell a reply's author that the crisis leader stopped it, and why (PU-12)."""
    from ordstyrer.crisis.notifications import notify_reply_rejected

    return notify_reply_rejected(reply_id=reply_id)
