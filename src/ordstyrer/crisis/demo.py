"""The demo municipality's crisis set-up (PU-12): no crisis is active, the chief
administrator is named the crisis leader's deputy. Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from ordstyrer.crisis.services import crisis_deputy_add
from ordstyrer.tenants.models import Municipality

DEPUTY = "radmann"
CRISIS_LEADER = "kriseleder"


def setup_demo_crisis(municipality: Municipality) -> None:
    users = get_user_model().objects.filter(username__in=(DEPUTY, CRISIS_LEADER))
    by_name = {u.username: u for u in users}
    if DEPUTY in by_name and CRISIS_LEADER in by_name:
        crisis_deputy_add(
            municipality=municipality, user=by_name[DEPUTY], actor=by_name[CRISIS_LEADER]
        )
