"""The Meta webhook endpoint (spec §2.2–§2.4): tiny and fast on purpose.

GET answers the subscription handshake. POST verifies `X-Hub-Signature-256` over the
raw body bytes before anything else (Meta signs the ASCII-escaped body, so æ, ø, å
arrive as `\\u00e6`…; the bytes are never re-serialised), stores them with one insert,
and answers 200; parsing and ingestion happen in a worker. A missing or wrong signature
gets 403 and nothing is stored. App secret and verify token come from the environment
(`META_APP_SECRET`, `META_VERIFY_TOKEN`); without them every request is refused.

`accept` is the POST, whoever calls it: this view (Django's request cycle: the test
client, any WSGI server given Django's own application) or `receipt_wsgi`, which the
served application (`config.wsgi`) puts in front of Django so that Meta's POSTs skip
the middleware, URL resolution and response machinery — 0.43 → 0.23 ms of CPU a
delivery measured in-process (docs/connectors.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signals
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from ordstyrer.connectors.graph.webhooks import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    body_problem,
    verify_handshake,
    verify_signature,
)
from ordstyrer.platforms.webhooks import webhook_receive

logger = logging.getLogger("ordstyrer.platforms")

WEBHOOK_PATH = "/webhooks/meta/"  # urls_root: the one URL Meta is given
_SIGNATURE_ENVIRON = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
_STATUS = {
    200: "200 OK",
    403: "403 Forbidden",
    400: "400 Bad Request",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
}


def accept(body: bytes, signature: str | None) -> int:
    """Verify one POST and store it durably; the HTTP status to answer.

    200 once the delivery is committed (Meta may forget it then), 403 when the signature
    does not match, 400 when the JSON nests deeper than `MAX_DEPTH`, 413 when the body is
    over `MAX_BODY_BYTES` — nothing is stored then.
    """
    if not verify_signature(body, signature, settings.META_APP_SECRET):
        logger.warning("webhook signature refused", extra={"bytes": len(body)})
        return 403
    # Issue #18: a body Meta never sends (nested too deep for the parser, too big) is
    # refused before it is stored, so it can never stall the queue.
    problem = body_problem(body)
    if problem is not None:
        logger.warning("webhook body refused", extra={"bytes": len(body), "reason": problem})
        return 413 if len(body) > MAX_BODY_BYTES else 400
    webhook_receive(body=body)
    return 200


@csrf_exempt
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        challenge = verify_handshake(request.GET, settings.META_VERIFY_TOKEN)
        if challenge is None:
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    return HttpResponse(
        b"",
        status=accept(request.body, request.headers.get(SIGNATURE_HEADER)),
        content_type="text/plain",
    )


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def receipt_wsgi(application: WSGIApp) -> WSGIApp:
    """`application` with POST `WEBHOOK_PATH` answered by `accept` before Django.

    Everything else — the GET handshake included — goes to `application`. Django's
    `request_started`/`request_finished` signals are sent as for any request, so the
    database connection is kept or closed exactly as Django would (`CONN_MAX_AGE`, a
    broken connection). A body over `DATA_UPLOAD_MAX_MEMORY_SIZE` gets 413, a failure
    500 with an empty body (Meta retries); neither stores anything.
    """

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != WEBHOOK_PATH:
            return application(environ, start_response)
        signals.request_started.send(sender=receipt_wsgi, environ=environ)
        try:
            status = _receipt(environ)
        finally:
            signals.request_finished.send(sender=receipt_wsgi)
        start_response(_STATUS[status], [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]

    return app


def _receipt(environ: dict[str, Any]) -> int:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 400
    if length < 0:
        return 400
    limit = min(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_BODY_BYTES, MAX_BODY_BYTES)
    if length > limit:
        logger.warning("webhook body too large", extra={"bytes": length})
        return 413
    try:
        return accept(environ["wsgi.input"].read(length), environ.get(_SIGNATURE_ENVIRON))
    except Exception:
        logger.exception("webhook receipt failed")
        return 500
