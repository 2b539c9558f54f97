"""The bulk store gives way when another worker stored one of its comments a moment ago
(issue #14; DI-1: one item per comment): `inbox_ingest_new` stores nothing and returns
no id, and `inbox_ingest` then takes each comment, one at a time. On PostgreSQL the bulk
store is `COPY` (its unique violation must reach the caller as Django's IntegrityError,
as `bulk_create`'s does on SQLite)."""

from __future__ import annotations

from django.db import connection

from ordstyrer.inbox.ingest import Arrival, inbox_ingest, inbox_ingest_new
from ordstyrer.inbox.models import InboxItem
from tests.inbox.conftest import TUESDAY, comment, make_world


def test_a_comment_stored_meanwhile_sends_the_batch_one_at_a_time(db) -> None:
    world = make_world()
    arrivals = [
        Arrival(comment("c1", "Når åpner svømmehallen?"), TUESDAY),
        Arrival(comment("c2", "Takk for god hjelp!", author="u2"), TUESDAY),
    ]
    raced = []

    def another_worker(execute, sql, params, many, context):
        # Just before the bulk store writes (after its reads), c1 arrives by another way.
        writes = "nextval(" in sql or sql.startswith('INSERT INTO "inbox_inboxitem"')
        if writes and not raced:
            raced.append(sql)
            inbox_ingest(channel=world.channel, comment=arrivals[0].comment, received_at=TUESDAY)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_worker):
        assert inbox_ingest_new(channel=world.channel, arrivals=arrivals) == set()
    assert raced
    # Nothing of the batch was stored by the bulk path (c1 went with its transaction).
    assert not InboxItem.objects.filter(channel=world.channel, platform_id="c2").exists()

    for arrival in arrivals:
        inbox_ingest(channel=world.channel, comment=arrival.comment, received_at=TUESDAY)
    items = InboxItem.objects.filter(channel=world.channel)
    assert sorted(items.values_list("platform_id", flat=True)) == ["c1", "c2"]
    assert all(item.triaged_at and item.versions.count() == 1 for item in items)
