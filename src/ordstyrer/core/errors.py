"""The domain errors, as the apps import them. They live in the pure `ordstyrer.errors`
(no Django) so that libraries and interfaces share them; this module only re-exports."""

from __future__ import annotations

from ordstyrer.errors import (
    Conflict,
    DomainError,
    NotFound,
    NotPermitted,
    PolicyBlocked,
    ServiceError,
)

# The former name of `NotPermitted`, while the apps move over (issue #17).
AccessDenied = NotPermitted

__all__ = [
    "AccessDenied",
    "Conflict",
    "DomainError",
    "NotFound",
    "NotPermitted",
    "PolicyBlocked",
    "ServiceError",
]
