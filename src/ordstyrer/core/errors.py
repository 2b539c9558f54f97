"""The domain errors, as the apps import them. They live in the pure `ordstyrer.errors`
(no Django) so that libraries and interfaces share them; this module re-exports them
and adds `lazy_interpolate` for their messages.

A refusal's message is written lazily — `gettext_lazy("…")`, or
`lazy_interpolate(gettext_lazy("… %(n)s …"), {"n": n})` where it has values — so that
an interface can render the same refusal in a language other than the person's: the API
answers with the English `detail` beside the Bokmål `detail_nb` (api.md "Errors")."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language

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
    "finding_text",
    "lazy_interpolate",
]


def _interpolate(message: Any, values: Any) -> str:
    return str(message) % values


# `message % values`, done each time the text is rendered, in the language active then
# (a lazy translation's `%` would translate at once, in the language active when raised).
lazy_interpolate = lazy(_interpolate, str)


def _finding_text(finding: Any) -> str:
    """A policy finding's message (a `Finding` or its dict) in the language active now:
    Nynorsk where it has one, English, else Bokmål."""

    def get(name: str) -> Any:
        return finding.get(name) if isinstance(finding, dict) else getattr(finding, name, "")

    field = {"nn": "message_nn", "en": "message_en"}.get((get_language() or "nb")[:2])
    return str((get(field) if field else "") or get("message_nb") or "")


# A finding's message inside a refusal, in the language of whoever reads the refusal.
finding_text = lazy(_finding_text, str)
