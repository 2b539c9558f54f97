"""Background tasks of the inbox: each takes ids and calls one function.

Enqueued with `transaction.on_commit` by the services and sweeps, so a platform call
or an e-mail never happens for a change that was rolled back.
"""

from __future__ import annotations

from django_tasks import task

from ordstyrer.core.mail import mail_task


@task()
def reply_deliver(reply_id: int) -> str:
    """Send a reply through the channel's connector (DI-2 … DI-9)."""
    from ordstyrer.inbox.replies import reply_deliver as deliver

    return deliver(reply_id=reply_id)


@mail_task
def reply_failed_notify(reply_id: int) -> int:
    """Tell the reply's author that the platform refused it for good."""
    from ordstyrer.inbox.notifications import notify_reply_failed

    return notify_reply_failed(reply_id=reply_id)


@mail_task
def daily_digest(user_id: int, at: str) -> int:
    """One person's daily digest of items near or past their deadline (#15)."""
    from ordstyrer.inbox.digest import send_digest

    return send_digest(user_id=user_id, at=at)


@mail_task
def referral_notify(referral_id: int) -> int:
    """E-mail the people a referral or an escalation concerns (DI-8, DI-10)."""
    from ordstyrer.inbox.notifications import notify_referral

    return notify_referral(referral_id=referral_id)


@mail_task
def unwanted_report_notify(report_id: int) -> int:
    """E-mail the channel's administrators about an employee's report (DI-11)."""
    from ordstyrer.inbox.notifications import notify_unwanted_report

    return notify_unwanted_report(report_id=report_id)


@task()
def channel_poll(channel_id: int) -> int:
    """Pull new comments from one channel's CommentSource into the inbox."""
    from ordstyrer.inbox.polling import poll_channel

    return poll_channel(channel_id=channel_id)
