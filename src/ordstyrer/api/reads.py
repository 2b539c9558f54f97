"""Reads of personal data and of the archive through a token, in the audit log.

api.md "Authentication": every use of a token is attributable in the audit log. Writes
are (`writes.api_write`); a read of citizens' text (inbox items, an item's thread) or
of the archive (its records, an export's file) writes one `api_read` entry: the
person as actor, the token's prefix, the method and path, and how many items it
returned — never the query string, whose filter values may carry personal data. One
insert per request; reads of nothing personal (`/me`, channels, the crisis state, the
chain verification) are not logged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ordstyrer.api.models import ApiToken
from ordstyrer.core.audit import audit_record


def api_read(request: HttpRequest, *, municipality: Any, count: int) -> None:
    """Record the token's read of `count` items (1 for one object or one file)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    audit_record(
        actor=token.user,
        action="api_read",
        municipality=municipality,
        data={
            "token": token.prefix,
            "method": request.method,
            "path": request.path,
            "count": count,
        },
    )
