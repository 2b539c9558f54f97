"""Two requests with one Idempotency-Key at the same moment on an act that locks its
object (hiding a comment, api.md "Idempotency"): the second waits for the first and
replays its answer — it used to run into the first's lock and answer 409 "already
hidden", so a client retrying a slow request was told its own act had failed."""

from __future__ import annotations

import pytest
from django.db import connection

from ordstyrer.api.models import IdempotencyRecord
from ordstyrer.moderation.models import ModerationAction
from tests.api.conftest import ApiClient, citizen_comment, send_together, token_for
from tests.moderation.conftest import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_hides_with_one_key_both_get_the_first_answer():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite's in-memory test database (shared cache) reports a locked table instead "
            "of waiting; CI runs this on PostgreSQL."
        )
    world = make_world("samtidigskjul")
    item = citizen_comment(world.channel, "Dette er reklame for billige solbriller")
    secret = token_for(world.p.communications, world.municipality)
    url = f"/api/v1/m/samtidigskjul/inbox/items/{item.pk}/moderation"
    results = send_together(url, secret, {"action": "hide"}, "skjul-1")
    assert [status for status, _body in results] == [202, 202], results
    assert results[0][1] == results[1][1]
    assert ModerationAction.objects.filter(item=item, kind="hide").count() == 1


def test_a_refused_act_leaves_the_key_free():
    """The claim is rolled back with a refusal: the same key may be sent again."""
    world = make_world("skjulnekt")
    item = citizen_comment(world.channel, "Når kommer brøytebilen til Heggvika?")
    secret = token_for(world.p.communications, world.municipality)
    api = ApiClient(secret)
    url = f"/api/v1/m/skjulnekt/inbox/items/{item.pk}/moderation"
    refused = api.post(
        url,
        {"action": "delete", "ground": "ingen-slik-grunn", "reason": "x"},
        headers={"Idempotency-Key": "nekt-1"},
    )
    assert refused.status_code == 422
    assert not IdempotencyRecord.objects.filter(key="nekt-1").exists()
    hidden = api.post(url, {"action": "hide"}, headers={"Idempotency-Key": "nekt-1"})
    assert hidden.status_code == 202
    record = IdempotencyRecord.objects.get(key="nekt-1")
    assert (record.status, record.body) == (202, hidden.json())
