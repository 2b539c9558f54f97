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

__all__ = [
    "Conflict",
    "DomainError",
    "NotFound",
    "NotPermitted",
    "PolicyBlocked",
    "ServiceError",
]
