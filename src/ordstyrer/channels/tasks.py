"""Background tasks of the channel registry: each takes ids and calls one function.

Enqueued with `transaction.on_commit` by the services, so a platform call or an
e-mail never happens for a change that was rolled back.
"""

from __future__ import annotations

from django_tasks import task

from ordstyrer.core.mail import mail_task


@mail_task
def channel_notify(channel_id: int, event: str) -> int:
    """E-mail the people a channel event concerns (CH-1); returns how many got it."""
    from ordstyrer.channels.notifications import notify_channel_event

    return notify_channel_event(channel_id=channel_id, event=event)


@task()
def closure_platform_close(closure_id: int) -> str:
    """Switch comments off on the platform for a closure that began (CH-9)."""
    from ordstyrer.channels.closures import closure_apply_platform_close

    return closure_apply_platform_close(closure_id=closure_id)


@task()
def closure_platform_reopen(closure_id: int) -> str:
    """Switch comments on again for a closure that ended (CH-9)."""
    from ordstyrer.channels.closures import closure_apply_platform_reopen

    return closure_apply_platform_reopen(closure_id=closure_id)


@task()
def closure_hide_comment(hidden_id: int, post_id: str = "") -> bool:
    """Hide a comment that arrived during a closure (CH-9); where comments were switched
    off, switch off the post it came on as well."""
    from ordstyrer.channels.closures import closure_hide_comment_on_platform

    return closure_hide_comment_on_platform(hidden_id=hidden_id, post_id=post_id)


@task()
def closure_post_switch_off(closure_id: int, post_id: str) -> bool:
    """Switch comments off on a post published during a closure (CH-9)."""
    from ordstyrer.channels.closures import closure_post_switch_off as switch_off

    return switch_off(closure_id=closure_id, post_id=post_id)


@mail_task
def review_remind(review_id: int) -> int:
    """Remind the main administrators of a review that is due (CH-6)."""
    from ordstyrer.channels.notifications import notify_review_due

    return notify_review_due(review_id=review_id)
