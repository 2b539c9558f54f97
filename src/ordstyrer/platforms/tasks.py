"""Background tasks of the platform connection: each takes ids and calls one function.

Enqueued with `transaction.on_commit` by the services (django-tasks, database worker).
"""

from __future__ import annotations

from django_tasks import task

from ordstyrer.core.mail import mail_task


@task()
def webhook_process(sha256: str) -> str:
    """Parse one stored webhook delivery (keyed by its body's SHA-256, which the view
    knows without reading the row back) and ingest its comments into the inbox."""
    from ordstyrer.platforms.webhooks import delivery_process

    return delivery_process(sha256=sha256)


@task()
def connection_verify(connection_id: int) -> str:
    """Learn a new connection's tasks and permissions, check it, subscribe webhooks."""
    from ordstyrer.platforms.health import connection_verify as verify

    return verify(connection_id=connection_id)


@task()
def connection_check_task(connection_id: int) -> str:
    """The daily token health check of one connection."""
    from ordstyrer.platforms.health import connection_check

    return connection_check(connection_id=connection_id)


@mail_task
def reauth_notify(channel_id: int) -> int:
    """Tell the channel's main administrators that the platform must be reconnected."""
    from ordstyrer.platforms.notices import notify_reauth

    return notify_reauth(channel_id=channel_id)


@mail_task
def policy_block_notify(channel_id: int) -> int:
    """Tell the channel's main administrators that Meta stopped its writes (368)."""
    from ordstyrer.platforms.notices import notify_policy_block

    return notify_policy_block(channel_id=channel_id)


@task()
def history_run(job_id: int) -> str:
    """Run a queued backfill or import."""
    from ordstyrer.platforms.history import job_run

    return job_run(job_id=job_id)


@task()
def connection_unsubscribe(connection_id: int) -> str:
    """After a disconnect: take the app off the Page, then forget the token."""
    from ordstyrer.platforms.connections import connection_unsubscribe as unsubscribe

    return unsubscribe(connection_id=connection_id)
