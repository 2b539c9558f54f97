"""Background tasks of publishing: each takes ids and calls one function.

Enqueued with `transaction.on_commit` (`core.services.after_commit`), so no platform
call happens for a decision that was rolled back; the `publishing` sweep runs what a
lost task left behind.
"""

from __future__ import annotations

from django_tasks import task

from ordstyrer.core.mail import mail_task


@task()
def post_deliver(post_channel_id: int) -> str:
    """Publish (or hand to the platform's scheduler) one post on one channel."""
    from ordstyrer.publishing.delivery import delivery_run

    return delivery_run(post_channel_id=post_channel_id)


@task()
def post_cancel_scheduled(post_channel_id: int) -> str:
    """Cancel a post scheduled on the platform's own scheduler (paused or withdrawn)."""
    from ordstyrer.publishing.delivery import cancel_run

    return cancel_run(post_channel_id=post_channel_id)


@task()
def post_take_down(post_channel_id: int) -> str:
    """Delete a published post on the platform (consent withdrawn, PU-6); the sweep runs
    it instead if this task is lost (`delivery.take_down_queued`), never both."""
    from ordstyrer.publishing.delivery import take_down_queued

    return take_down_queued(post_channel_id=post_channel_id)


@mail_task
def post_rejected_notify(post_id: int) -> str:
    """Tell the author why the post was sent back."""
    from ordstyrer.publishing.notifications import rejected_notify

    return rejected_notify(post_id=post_id)


@mail_task
def post_awaiting_notify(post_id: int) -> str:
    """Tell the approvers the channel names that a post waits for them."""
    from ordstyrer.publishing.notifications import awaiting_notify

    return awaiting_notify(post_id=post_id)


@mail_task
def post_pulled_back_notify(post_id: int) -> str:
    """Tell the author that a post on its way was stopped and is a draft again."""
    from ordstyrer.publishing.notifications import pulled_back_notify

    return pulled_back_notify(post_id=post_id)
