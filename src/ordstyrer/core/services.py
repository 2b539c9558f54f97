"""What every write service shares (house style "Where logic lives" 2): who the actor
is on the rows it writes, and the side effects queued for after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ordstyrer.core.actor import ActorLike, user_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def person(actor: ActorLike) -> User | None:
    """The actor as stored on rows (the user of an `Actor`): None for the system (sweeps)
    and anonymous users."""
    user = user_of(actor)
    return user if getattr(user, "is_authenticated", False) else None


def after_commit(task: Any, **kwargs: Any) -> None:
    """Enqueue `task` once the transaction has committed (never a platform call inside)."""
    transaction.on_commit(_enqueuer(task, kwargs))


def _enqueuer(task: Any, kwargs: dict[str, Any]) -> Callable[[], None]:
    def enqueue() -> None:
        task.enqueue(**kwargs)

    return enqueue
