"""Two requests with one Idempotency-Key at the same moment: one reply, one answer
(the key is claimed in the reply's own transaction before the reply is made)."""

from __future__ import annotations

import pytest
from django.db import connection

from ordstyrer.inbox.models import Reply
from tests.api.conftest import citizen_comment, send_together, token_for
from tests.moderation.conftest import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_requests_with_one_key_make_one_reply():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite's in-memory test database (shared cache) reports a locked table instead "
            "of waiting; the embedded default's file database queues writers (IMMEDIATE, "
            "20 s timeout). CI runs this on PostgreSQL."
        )
    world = make_world("samtidig")
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    secret = token_for(world.p.communications, world.municipality)
    url = f"/api/v1/m/samtidig/inbox/items/{item.pk}/replies"
    results = send_together(
        url, secret, {"text": "Hei! Svømmehallen åpner mandag. Hilsen Kari"}, "samtidig-1"
    )
    assert [status for status, _body in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert Reply.objects.filter(item=item).count() == 1
