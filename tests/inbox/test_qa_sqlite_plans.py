"""Scale QA: the work list and the start page read the deadline index on SQLite too, and
the start page's counts stop at COUNT_CAP as the inbox's header does.

On SQLite (the embedded default) Django wrote `open=True` as a bare `AND "open"`, which
SQLite's planner does not take as an equality on the `open` column of
`inbox_open_by_due (municipality_id, open, due_at, id) WHERE listed`: it read the whole
municipality and sorted it (238 ms at 31,635 items). The plans are checked with EXPLAIN
QUERY PLAN on SQLite; on PostgreSQL the same tests check the results.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordstyrer.core import queries
from ordstyrer.inbox.models import InboxItem
from ordstyrer.web import needs
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db
SQLITE = connection.vendor == "sqlite"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(world, n: int) -> list[InboxItem]:
    return [
        ingest(
            world.channel if i % 2 else world.other_channel,
            comment(f"c{i}", f"Spørsmål nummer {i}?", author=f"u{i}"),
        )
        for i in range(n)
    ]


def item_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "inbox_inboxitem"' in q["sql"]]


def plan(sql: str) -> str:
    """SQLite's plan for a captured statement (its parameters are written in as literals)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_open_list_reads_the_deadline_index_in_its_order(world):
    items = fill(world, 12)
    now = timezone.now()
    for index, item in enumerate(items):
        due = now + timedelta(hours=index) - timedelta(hours=3, minutes=30)
        InboxItem.objects.filter(pk=item.pk).update(due_at=due)
    client = client_for(world.p.communications)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("inbox:list", args=[world.municipality.slug]))
    assert response.status_code == 200
    # The results, on both databases: every open item, by deadline; four past it.
    page = response.context["page"]
    assert [i.pk for i in page.items] == [i.pk for i in items]
    assert (page.open_count, page.overdue_count) == (12, 4)
    (listed,) = [sql for sql in item_queries(captured) if "LIMIT 51" in sql]
    (counts,) = [sql for sql in item_queries(captured) if "COUNT(*)" in sql]
    if SQLITE:
        used = plan(listed)
        assert "USING INDEX inbox_open_by_due (municipality_id=? AND open=?)" in used, used
        assert "TEMP B-TREE" not in used, used
        used = plan(counts)
        assert "inbox_open_by_due (municipality_id=? AND open=?)" in used, used
        assert "TEMP B-TREE" not in used, used
    # The same condition on PostgreSQL, whose planner took the bare column as well.
    assert '"open" = ' in listed and '"open" = ' in counts


def test_the_start_page_counts_read_the_deadline_indexes(world):
    items = fill(world, 6)
    now = timezone.now()
    late, soon, mine = items[0], items[1], items[2]
    InboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
        warn_at=now + timedelta(days=1), due_at=now + timedelta(days=2)
    )
    InboxItem.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=2))
    InboxItem.objects.filter(pk=soon.pk).update(
        warn_at=now - timedelta(minutes=5), due_at=now + timedelta(hours=1)
    )
    InboxItem.objects.filter(pk=mine.pk).update(assignee=world.p.communications)
    client = client_for(world.p.communications)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("dashboard", args=[world.municipality.slug])).content.decode()
    assert "1 henvendelse har passert fristen." in body
    assert "1 henvendelse nærmer seg fristen." in body
    assert "1 åpen henvendelse er tildelt deg." in body
    counts = [sql for sql in item_queries(captured) if "COUNT(*)" in sql]
    assert len(counts) == 3, counts
    # Capped (issue 3): each count reads at most COUNT_CAP + 1 rows.
    assert all(f"LIMIT {queries.COUNT_CAP + 1}" in sql for sql in counts), counts
    if not SQLITE:
        return
    for sql in counts:
        used = plan(sql)
        assert "_open_by_due (" in used and "open=?" in used, used
        assert "SCAN inbox_inboxitem" not in used, used


def test_the_start_page_says_over_the_cap(world, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(needs, "COUNT_CAP", 3, raising=False)
    items = fill(world, 5)
    now = timezone.now()
    InboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
        due_at=now - timedelta(hours=1), assignee=world.p.communications
    )
    client = client_for(world.p.communications)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("dashboard", args=[world.municipality.slug])).content.decode()
    assert "Over 3 henvendelser har passert fristen." in body
    assert "Over 3 åpne henvendelser er tildelt deg." in body
    assert "5 henvendelser" not in body
    counts = [sql for sql in item_queries(captured) if "COUNT(*)" in sql]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts
    # Under the cap the number is exact.
    InboxItem.objects.filter(pk__in=[i.pk for i in items[:3]]).update(open=False)
    body = client.get(reverse("dashboard", args=[world.municipality.slug])).content.decode()
    assert "2 henvendelser har passert fristen." in body
    assert "2 åpne henvendelser er tildelt deg." in body
