"""`GET /healthz`: for load balancers and monitoring (no login, no secrets).

200 `{"status": "ok", "database": "ok", "worker": "ok"|"late"}`; 503 with
`"database": "error"` when the database does not answer. The worker is "late" when no
worker has stamped its heartbeat (`core.worker.worker_heartbeat`, every 30 s) in the
last two minutes.

Answered by `HealthzMiddleware` before Django's host check (`ALLOWED_HOSTS`, in
`CommonMiddleware`): a probe from inside the network (`curl 127.0.0.1:8000/healthz`)
names no public host, and would otherwise get 400 and an ERROR line with a traceback.
The answer is the same whoever asks, and holds nothing but the three words above.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ordstyrer.core.models import WorkerHeartbeat

logger = logging.getLogger("ordstyrer.health")
LATE_AFTER = timedelta(minutes=2)
PATH = "/healthz"  # config.urls


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        fresh = WorkerHeartbeat.objects.filter(beat_at__gte=timezone.now() - LATE_AFTER).exists()
    except DatabaseError:
        logger.warning("healthz: database unavailable")
        return JsonResponse(
            {"status": "error", "database": "error", "worker": "unknown"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "worker": "ok" if fresh else "late"})


class HealthzMiddleware:
    """`GET /healthz` whatever the Host header says. Placed after the request id and the
    security headers and before anything that reads the host (settings.MIDDLEWARE);
    the HTTPS redirect skips this path (SECURE_REDIRECT_EXEMPT)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
