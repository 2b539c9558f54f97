"""Errors services raise for the interfaces (views, API, CLI) to show to people."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A write was refused for a reason the user can act on.

    `message` is a (lazily) translated sentence in the user's language; `rule`
    names the guideline rule behind the refusal where there is one.
    """

    def __init__(self, message: str, *, rule: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.rule = rule
        self.code = code


class AccessDenied(PermissionDenied):
    """The person is a member of the municipality but lacks the role for this."""
