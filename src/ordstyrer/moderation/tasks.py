"""Background tasks of moderation: each takes ids and calls one function.

Enqueued with `transaction.on_commit`, so a platform call never happens for a decision
that was rolled back; the `moderation.outbox` sweep runs what a lost task left behind.
"""

from __future__ import annotations

from django_tasks import task

from ordstyrer.core.mail import mail_task


@task()
def platform_op_run(op_id: int) -> str:
    """Carry one outbox op to the platform (hide, delete, ban, notice; MO-2, MO-4)."""
    from ordstyrer.moderation.outbox import op_run

    return op_run(op_id=op_id)


@mail_task
def notice_held_notify(action_id: int) -> int:
    """Tell the crisis leader and the deputies that a notice waits for them (PU-12)."""
    from ordstyrer.moderation.crisis_notices import notify_notice_held

    return notify_notice_held(action_id=action_id)
