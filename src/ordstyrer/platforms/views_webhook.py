"""The Meta webhook endpoint (spec §2.2–§2.4): tiny and fast on purpose.

GET answers the subscription handshake. POST verifies `X-Hub-Signature-256` over the
raw body bytes before anything else (Meta signs the ASCII-escaped body, so æ, ø, å
arrive as `\\u00e6`…; the bytes are never re-serialised), stores them with one insert,
and answers 200; parsing and ingestion happen in a task. A missing or wrong signature
gets 403 and nothing is stored. App secret and verify token come from the environment
(`META_APP_SECRET`, `META_VERIFY_TOKEN`); without them every request is refused.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from ordstyrer.connectors.graph.webhooks import (
    SIGNATURE_HEADER,
    verify_handshake,
    verify_signature,
)
from ordstyrer.platforms.webhooks import webhook_receive

logger = logging.getLogger("ordstyrer.platforms")


@csrf_exempt
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        challenge = verify_handshake(request.GET, settings.META_VERIFY_TOKEN)
        if challenge is None:
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    body = request.body
    if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), settings.META_APP_SECRET):
        logger.warning("webhook signature refused", extra={"bytes": len(body)})
        return HttpResponseForbidden()
    webhook_receive(body=body)
    return HttpResponse(b"", content_type="text/plain")
