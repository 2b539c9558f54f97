"""`DELETE …/crisis?id=N` ends crisis N only: a request made for a crisis that has
ended since never ends a newer one (PU-12), as the console's confirmation carries the
crisis it showed."""

from __future__ import annotations

import pytest

from ordstyrer.crisis.models import Crisis
from tests.api.conftest import ApiClient, token_for
from tests.publishing.conftest import make_world

CRISIS = "/api/v1/m/apislutt/crisis"


@pytest.fixture
def leader(db) -> ApiClient:
    pub = make_world("apislutt")
    return ApiClient(token_for(pub.p.crisis_leader, pub.municipality))


def end(api: ApiClient, query: str = "", key: str | None = None):
    headers = api._headers({"Idempotency-Key": key} if key else None)
    return api.client.delete(f"{CRISIS}{query}", headers=headers)


def test_ending_a_crisis_by_id_never_ends_one_declared_since(leader):
    """PU-12."""
    flood = leader.post(CRISIS, {"name": "Flom"}).json()["id"]
    assert leader.get(CRISIS).json()["id"] == flood
    assert end(leader, f"?id={flood}").status_code == 200
    storm = leader.post(CRISIS, {"name": "Storm"}).json()["id"]
    # The flood's confirmation, sent again (a retry without a key, a second tab).
    stale = end(leader, f"?id={flood}")
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
    problem = stale.json()
    assert problem["rule"] == "PU-12" and problem["detail_nb"] and problem["detail"]
    assert Crisis.objects.get(pk=storm).ended_at is None
    assert leader.get(CRISIS).json()["active"] is True
    ended = end(leader, f"?id={storm}")
    assert ended.status_code == 200 and ended.json()["id"] == storm


def test_the_id_belongs_to_the_idempotency_key(leader):
    """A key replays the request it was first sent with, query string included."""
    flood = leader.post(CRISIS, {"name": "Flom"}).json()["id"]
    first = end(leader, f"?id={flood}", key="slutt-1")
    assert first.status_code == 200
    again = end(leader, f"?id={flood}", key="slutt-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    storm = leader.post(CRISIS, {"name": "Storm"}).json()["id"]
    other = end(leader, f"?id={storm}", key="slutt-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Crisis.objects.get(pk=storm).ended_at is None


def test_without_an_id_the_active_crisis_ends_and_a_bad_id_is_422(leader):
    leader.post(CRISIS, {"name": "Flom"})
    assert end(leader, "?id=0").status_code == 422
    assert end(leader, "?id=abc").status_code == 422
    assert end(leader).status_code == 200
    assert end(leader).status_code == 409  # no crisis
