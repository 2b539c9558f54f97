"""`GET /healthz`: for load balancers and monitoring (no login, no secrets).

200 `{"status": "ok", "database": "ok", "worker": "ok"|"late"}`; 503 with
`"database": "error"` when the database does not answer. The worker is "late" when no
worker has stamped its heartbeat (`core.worker.worker_heartbeat`, every 30 s) in the
last two minutes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ordstyrer.core.models import WorkerHeartbeat

logger = logging.getLogger("ordstyrer.health")
LATE_AFTER = timedelta(minutes=2)


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
