"""One result per intent: the key a form carries so a replayed post does nothing twice.

A deliberate act (a reply, a deletion, a ban, a bulk action) is posted from a form that
carries a fresh `intent_key`, made when the form is rendered. The service stores the key
on the row it writes, under a unique constraint; a second post with the same key — a
double click, Back + submit, a retried request — returns the first result instead of
acting again. The constraint, not a read, is what makes it hold when two posts race
(PostgreSQL blocks the second insert until the first commits, then refuses it).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

MAX_LENGTH = 64
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_intent_key() -> str:
    """A fresh key for one rendered form."""
    return uuid.uuid4().hex


def clean_intent_key(value: object) -> str:
    """The key as posted, or "" when it is missing or not one of ours (then the post is
    an ordinary, unguarded one: nothing is refused for a bad key)."""
    text = str(value or "").strip()
    return text if _VALID.fullmatch(text) else ""


class Replayed(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a service's transaction when the intent was carried out already;
    the service rolls back its own writes and returns `first`."""

    def __init__(self, first: object) -> None:
        super().__init__("intent replayed")
        self.first = first


def first_on_replay(service: Callable[P, R]) -> Callable[P, R]:
    """Run `service`; when it raises `Replayed` (its transaction has rolled back), return
    the intent's first result instead."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except Replayed as replay:
            first: Any = replay.first
            return first

    return run
