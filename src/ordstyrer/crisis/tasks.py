"""Background tasks of crisis mode: each takes ids and calls one function; enqueued
after commit by the services."""

from __future__ import annotations

from ordstyrer.core.mail import mail_task


@mail_task
def reply_crisis_rejected_notify(reply_id: int) -> int:
    """Tell a reply's author that the crisis leader stopped it, and why (PU-12)."""
    from ordstyrer.crisis.notifications import notify_reply_rejected

    return notify_reply_rejected(reply_id=reply_id)


@mail_task
def crisis_waiting_notify(kind: str, object_id: int) -> int:
    """Tell the crisis approvers that a post or reply waits for them (PU-12); queued by
    the publishing and inbox services after commit when an item starts to wait."""
    from ordstyrer.crisis.notifications import notify_crisis_waiting

    return notify_crisis_waiting(kind=kind, object_id=object_id)


@mail_task
def post_copy_left_notify(post_channel_id: int) -> int:
    """Tell the crisis approvers that a paused post's copy is still on the platform's
    scheduler and could not be deleted there (PU-12); queued once per copy by
    `publishing.delivery` after commit."""
    from ordstyrer.crisis.notifications import notify_copy_left

    return notify_copy_left(post_channel_id=post_channel_id)
