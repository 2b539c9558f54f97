"""Every API write: attributed to its token in the audit log, and idempotent on a key.

`api_write` runs the service call, the audit entry naming the token, and the stored
first response of an `Idempotency-Key` in ONE transaction: a replay within 24 hours
returns the stored response and does nothing again; two concurrent requests with the
same key cannot both commit (unique (token, key)), so the loser rolls back its write —
including the platform tasks, which are queued only after commit — and answers with
the winner's response. A refused request (4xx from a service) stores nothing: trying
again is harmless because nothing happened.

The key belongs to one request: another method, path or body (its fingerprint) is a
422, never the first response — a client that reused a key for a second reply must not
believe it was sent (draft-ietf-httpapi-idempotency-key-header, "Error Scenarios").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.api.models import ApiToken, IdempotencyRecord
from ordstyrer.api.problems import Problem
from ordstyrer.core.audit import audit_record

REPLAY_WINDOW = timedelta(hours=24)
MAX_KEY = 255
# The record keeps the path cut to its column (500 characters): a replay compares the
# same cut, and a longer path is bound whole into the fingerprint (`_fingerprint`).
MAX_PATH: int = IdempotencyRecord._meta.get_field("path").max_length or 500


def _stored_path(request: HttpRequest) -> str:
    return request.path[:MAX_PATH]


def json_response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        raise Problem(
            422,
            code="idempotency-key-invalid",
            detail="Idempotency-Key must be 1–255 printable ASCII characters.",
            detail_nb=_("Idempotency-Key må være 1–255 synlige ASCII-tegn."),
            errors=[{"loc": ["header", "Idempotency-Key"], "msg": "invalid", "type": "value"}],
        )
    return key


def _fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the body as JSON parsed and dumped again (sorted keys, no insignificant
    whitespace), so a retry that serialises the same document differently still replays;
    of the raw bytes when the body is not JSON. No body at all counts as `{}`: the API
    reads a left-out body as the empty object (publish, approve). A path longer than the
    record keeps (`MAX_PATH`) is hashed with it, so that two such paths alike in their
    first 500 characters (`/items/000…0001/replies`, `/items/000…0002/replies`) are
    not taken for one request. A query string is hashed with it too."""
    raw = request.body
    if not raw.strip():
        raw = b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
        canonical = raw
    else:
        # "surrogatepass": JSON may carry a lone surrogate ("\\ud800"), which strict
        # UTF-8 cannot encode (it was a 500); fingerprints of other bodies are unchanged.
        canonical = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(canonical)
    if len(request.path) > MAX_PATH:
        digest.update(b"\0" + request.path.encode("utf-8"))
    if request.GET:
        # The query belongs to the request (`DELETE …/crisis?id=N` ends that crisis),
        # in any order; only added when there is one, so earlier fingerprints stand.
        query = json.dumps(sorted(request.GET.lists()), ensure_ascii=False)
        digest.update(b"\0?" + query.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _another_request() -> Problem:
    return Problem(
        422,
        code="idempotency-key-reused",
        detail="This Idempotency-Key was used for another request within 24 hours.",
        detail_nb=_("Denne Idempotency-Key er brukt på en annen forespørsel siste døgn."),
    )


def _replay(record: IdempotencyRecord, request: HttpRequest, fingerprint: str) -> HttpResponse:
    # The stored path is cut to MAX_PATH: compare the same cut, or a path longer than
    # that never replays (it was always refused as another request).
    if record.method != request.method or record.path != _stored_path(request):
        raise _another_request()
    # A record stored before fingerprints existed has none: it replays as it always did.
    if record.fingerprint and record.fingerprint != fingerprint:
        if len(request.path) > MAX_PATH:
            # The fingerprint holds the whole path too: the path may be what differs.
            raise _another_request()
        raise Problem(
            422,
            code="idempotency-key-reused",
            detail="This Idempotency-Key was used for a request with another body within "
            "24 hours; nothing was done. Send a new key for a new request.",
            detail_nb=_(
                "Denne Idempotency-Key er brukt på en forespørsel med annet innhold siste "
                "døgn, så ingenting ble gjort. Bruk en ny nøkkel for en ny forespørsel."
            ),
        )
    return json_response(record.status, record.body, replayed=True)


def api_write(
    request: HttpRequest,
    *,
    municipality: Any,
    action: str,
    run: Callable[[], tuple[int, dict[str, Any]]],
) -> HttpResponse:
    """Run `run()` (which calls one service and returns (status, body)) as the token's
    write: audit entry `api_<action>` with the token's id, and the idempotency record."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    key = _key(request)
    fingerprint = _fingerprint(request) if key is not None else ""
    now = timezone.now()
    try:
        with transaction.atomic():
            claim = None
            if key is not None:
                record = IdempotencyRecord.objects.filter(token=token, key=key).first()
                if record is not None and record.created_at > now - REPLAY_WINDOW:
                    return _replay(record, request, fingerprint)
                if record is not None:  # older than 24 h: the key is free again
                    record.delete()
                # Claim the key before the act: a second request with it, sent while this
                # one runs, waits on the unique (token, key) row until this transaction
                # ends and then replays its answer (IntegrityError below) instead of
                # running into this request's locks and answering 409. A refusal rolls
                # the claim back with everything else, so the key stays free.
                claim = IdempotencyRecord.objects.create(
                    token=token,
                    key=key,
                    method=request.method or "",
                    path=_stored_path(request),
                    status=0,
                    body={},
                    fingerprint=fingerprint,
                    created_at=now,
                )
            status, body = run()
            audit_record(
                actor=token.user,
                action=f"api_{action}",
                municipality=municipality,
                data={
                    "token": token.prefix,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "id": body.get("id"),
                    **({"idempotency_key": key} if key else {}),
                },
            )
            body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            if claim is not None:
                claim.status, claim.body = status, body
                claim.save(update_fields=["status", "body"])
    except IntegrityError:
        if key is None:
            raise
        record = IdempotencyRecord.objects.filter(token=token, key=key).first()
        if record is None:
            raise
        # The winner's record: the loser's body must match it too, or the loser's
        # request (rolled back) would be reported as done.
        return _replay(record, request, fingerprint)
    return json_response(status, body)


def idempotency_sweep(*, now: Any) -> int:
    """Forget first responses older than the replay window."""
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=now - REPLAY_WINDOW).delete()
    return deleted
