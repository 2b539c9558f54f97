"""The NinjaAPI of /api/v1 and the one place that maps errors to problem documents."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ordstyrer.api import routes_archive, routes_core, routes_crisis, routes_inbox, routes_posts
from ordstyrer.api.auth import TokenAuth
from ordstyrer.api.problems import Problem, from_problem, in_english, problem_response
from ordstyrer.errors import Conflict, NotFound, NotPermitted, PolicyBlocked, ServiceError
from ordstyrer.policy import PolicyError

logger = logging.getLogger("ordstyrer.api")

DESCRIPTION = """\
The HTTP API of Ordstyrer: the same services, permission checks, policy findings and
audit log as the console. See docs/api.md for tokens, paging and idempotency.

Authentication: `Authorization: Bearer <token>` (`ordstyrer api-token create`). A token
belongs to one person and one municipality; paths of any other municipality answer 404.

Errors are RFC 9457 `application/problem+json`: `type`, `title`, `status`, `detail` in
English, `detail_nb` in Norwegian Bokmål (for refusals: the sentence the console shows),
`findings` where the policy blocks, `errors` with the fields of a 422, `rule` naming the
guideline rule. 429 carries `Retry-After`.
"""

api = NinjaAPI(
    title="Ordstyrer API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", routes_core.router)
api.add_router("", routes_inbox.router)
api.add_router("", routes_archive.router)
api.add_router("", routes_posts.router)
api.add_router("", routes_crisis.router)


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return from_problem(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(401, headers={"WWW-Authenticate": 'Bearer realm="ordstyrer"'})


# The domain errors (ordstyrer.errors) as problem documents: the API's one mapping. The
# console's is core.middleware. Django's Http404 / PermissionDenied, raised by the
# framework itself, answer the same.


@api.exception_handler(NotFound)
@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same document whatever the reason: another municipality's object never shows.
    return problem_response(404)


@api.exception_handler(NotPermitted)
@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = exc.message if isinstance(exc, NotPermitted) else exc
    return problem_response(403, detail=in_english(message), detail_nb=str(message) or None)


@api.exception_handler(ServiceError)  # Conflict and PolicyBlocked too (by their class)
def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    status = 409 if isinstance(exc, Conflict) else 422
    findings = exc.findings if isinstance(exc, PolicyBlocked) else getattr(exc, "findings", None)
    detail = in_english(exc.message)
    if detail is None:
        detail = "The request was refused by the municipality's guideline or the object's state."
        if findings:
            detail = "The policy check found problems; see findings."
        elif exc.rule:
            detail = f"Refused by rule {exc.rule} of the municipality's guideline; see detail_nb."
    return problem_response(
        status,
        code=exc.code if exc.code != "invalid" else None,
        detail=detail,
        detail_nb=str(exc.message),
        rule=exc.rule,
        findings=[f if isinstance(f, dict) else f.to_dict() for f in findings]
        if findings
        else None,
    )


@api.exception_handler(PolicyError)
def _bad_draft(request: HttpRequest, exc: PolicyError) -> HttpResponse:
    return problem_response(
        422, detail="The draft is not valid; see detail_nb.", detail_nb=str(exc)
    )


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in errors
    ]


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        422,
        code="validation",
        detail="Some fields are missing or invalid; see errors.",
        detail_nb="Noen felt mangler eller er ugyldige; se errors.",
        errors=_field_errors(exc.errors),
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(413)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, RequestDataTooBig):
        return problem_response(413)
    return problem_response(exc.status_code)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A number or text the database cannot hold (an id past 64 bits, a NUL byte): the
    # client's input, so 422 and never a 500. The schema's bounds catch most of these.
    return problem_response(
        422,
        code="out_of_range",
        detail="A value is outside what can be stored (e.g. an id larger than 2^63-1).",
        detail_nb="En verdi er utenfor det som kan lagres (for eksempel en for stor id).",
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("api error", extra={"path": request.path})
    return problem_response(500)
