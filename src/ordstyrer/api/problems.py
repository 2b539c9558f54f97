"""RFC 9457 problem details: every error under /api/v1 (api.md "Errors").

`title` and `detail` are English; `detail_nb` carries the same refusal in Norwegian
Bokmål — for refusals by a service it is the service's own sentence, the one the
console shows. `findings` is present where the policy blocks or warns, `errors` lists
the fields of a 422, `rule` names the guideline rule behind a refusal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ordstyrer.errors import ServiceError

logger = logging.getLogger("ordstyrer.api")

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:ordstyrer:problem:"

# status → (type suffix, English title, English detail, Norwegian detail)
DEFAULTS: dict[int, tuple[str, str, str, str]] = {
    400: (
        "malformed-request",
        "Malformed request",
        "The request body is not valid JSON.",
        "Innholdet i forespørselen er ikke gyldig JSON.",
    ),
    401: (
        "unauthenticated",
        "Authentication required",
        "Send a valid API token: Authorization: Bearer <token>.",
        "Send en gyldig API-nøkkel: Authorization: Bearer <nøkkel>.",
    ),
    403: (
        "forbidden",
        "Forbidden",
        "Your role or the token's scopes do not allow this.",
        "Rollen din eller nøkkelens tilganger gir ikke lov til dette.",
    ),
    404: (
        "not-found",
        "Not found",
        "There is nothing here for this token.",
        "Fant ikke det du ba om.",
    ),
    405: (
        "method-not-allowed",
        "Method not allowed",
        "This path does not accept that method.",
        "Denne adressen tar ikke imot den metoden.",
    ),
    409: (
        "conflict",
        "Conflict",
        "The object is not in a state that allows this.",
        "Objektet er ikke i en tilstand som tillater dette.",
    ),
    413: (
        "too-large",
        "Request too large",
        "The request body is larger than the server accepts.",
        "Forespørselen er større enn serveren tar imot.",
    ),
    422: (
        "invalid",
        "Unprocessable request",
        "The request was understood but refused; see detail_nb and errors or findings.",
        "Forespørselen ble avvist.",
    ),
    429: (
        "rate-limited",
        "Too many requests",
        "Slow down; try again after the number of seconds in Retry-After.",
        "For mange forespørsler; prøv igjen om litt.",
    ),
    500: (
        "server-error",
        "Server error",
        "Something went wrong on our side; it has been logged.",
        "Noe gikk galt hos oss; feilen er logget.",
    ),
}


class Problem(Exception):  # noqa: N818 — it is the RFC's name
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        *,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        detail_nb: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.detail_nb = detail_nb
        self.headers = headers or {}
        self.extra = extra


def in_english(message: Any) -> str | None:
    """A refusal's sentence in English (api.md "Errors": `detail` is English): the lazy
    message rendered again under English (`core.errors` — how the services write their
    refusals), or a plain sentence looked up in the English catalogue (it is its own
    msgid, written in Bokmål). None where neither gives English; the caller then says it
    in general words."""
    written = str(message or "")
    if not written:
        return None  # (the catalogue's "" is its header)
    with translation.override("en"):
        english = str(message) if isinstance(message, Promise) else translation.gettext(written)
    return english if english and english != written else None


def field_refusal(
    loc: Sequence[str | int],
    message: Any,
    *,
    rule: str | None = None,
    code: str = "invalid",
    detail: str | None = None,
) -> Problem:
    """A 422 about one field (api.md "Errors": a refusal about one field names it):
    `message` is the service's sentence, shown as `detail_nb` and as the field's `msg`;
    `rule` the guideline rule behind it, `code` the refusal's, `detail` the English (by
    default the sentence's own English, `in_english`)."""
    field = ".".join(str(part) for part in loc[1:])
    if detail is None:
        detail = in_english(message)
    if detail is None:
        detail = f"The field {field} was refused"
        if rule:
            detail += f" under rule {rule} of the municipality's guideline"
        detail += "; see detail_nb and errors."
    return Problem(
        422,
        code=code,
        detail=detail,
        detail_nb=str(message),
        rule=rule or None,
        errors=[{"loc": list(loc), "msg": str(message), "type": "value"}],
    )


def cursor_refusal() -> Problem:
    """A list's `cursor` that is not one its `next` gave (api.md "Lists"): a 422, never
    silently the first page."""
    return Problem(
        422,
        code="validation",
        detail="The cursor is not one this list gave; follow `next`.",
        detail_nb=_("Ugyldig cursor; bruk adressen i «next»."),
        errors=[{"loc": ["query", "cursor"], "msg": "not a cursor of this list", "type": "value"}],
    )


@contextmanager
def refusals_naming(fields: Mapping[str, Sequence[str | int]]) -> Iterator[None]:
    """A service's refusal of one field's value as the 422 that names the field, chosen
    by the refusal's `code`: a plain `ServiceError` whose code is a key of `fields`
    becomes `field_refusal` at that field, its sentence, rule and code kept (a deletion's
    justification, MO-2, or a ground the guideline does not allow, MO-1). Everything else
    passes through as it was: a conflict (409), the policy's block with its findings, a
    refusal that is not about one field. Where one code covers refusals of several fields
    (the publishing services' "invalid"), only a call that can refuse one field that way
    is wrapped, or the route checks the field first (`routes_posts._check_fields`)."""
    try:
        yield
    except ServiceError as exc:
        if type(exc) is not ServiceError or exc.code not in fields:
            raise
        raise field_refusal(fields[exc.code], exc.message, rule=exc.rule, code=exc.code) from None


def problem_body(
    status: int,
    *,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    detail_nb: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    suffix, d_title, d_detail, d_nb = DEFAULTS.get(status, DEFAULTS[422 if status < 500 else 500])
    body: dict[str, Any] = {
        "type": TYPE_BASE + (code or suffix).replace("_", "-"),
        "title": title or d_title,
        "status": status,
        "detail": detail or d_detail,
        "detail_nb": str(detail_nb) if detail_nb else d_nb,
    }
    if code:
        body["code"] = code.replace("-", "_")
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(
    status: int, *, headers: dict[str, str] | None = None, **fields: Any
) -> HttpResponse:
    with translation.override("nb"):
        body = problem_body(status, **fields)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(exc: Problem) -> HttpResponse:
    return problem_response(
        exc.status,
        headers=exc.headers,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        detail_nb=exc.detail_nb,
        **exc.extra,
    )


@csrf_exempt
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that no operation matches (bad ids included), by any
    method: exempt from the console's CSRF check, which would answer a token's POST with
    an HTML 403 page; it changes nothing, so there is nothing to forge."""
    return problem_response(404)
