"""Scale QA of the archive browser: no page reads the whole archive.

At 500,000 records the list cost 0.8–1.7 s on PostgreSQL: an uncounted COUNT(*) for the
page numbers (and an OFFSET for deep pages), a SELECT DISTINCT over every record for the
channel filter, and a search with no index. Now: keyset paging on the record number
(newer/older, stable when records are appended), a count capped at COUNT_CAP as the
inbox counts, the channel filter from the channels table, and trigram indexes for the
search on PostgreSQL (migration 0006; nothing on SQLite).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ordstyrer.archive import selectors, views
from ordstyrer.archive.entry import Person
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
from ordstyrer.channels.models import Channel
from ordstyrer.core import queries
from tests.archive.conftest import deleted_comment, inquiry, make_channel
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
SEARCH_INDEXES = {
    "archive_search_title_trgm",
    "archive_search_text_trgm",
    "archive_search_author_trgm",
    "archive_search_channel_trgm",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def append_inquiries(p, channel, n: int, start: int = 0) -> None:
    for index in range(start, start + n):
        archive_append(
            actor=None,
            entry=inquiry(p, channel, text=f"Spørsmål {index}", item_id=f"1_{index}"),
            backdated_to=DAY + timedelta(minutes=index),
        )


def shown(response) -> list[int]:
    """The record numbers the page lists, in its order (their links)."""
    return [int(n) for n in re.findall(r'href="/m/[^/]+/arkiv/(\d+)/"', response.content.decode())]


def pager_link(html: str, name: str) -> str | None:
    """The query string of the «Nyere poster» (nyere) or «Eldre poster» (eldre) link."""
    found = re.search(rf'href="\?([^"]*\b{name}=\d+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client: Client, url: str, direction: str) -> list[list[int]]:
    """Every page from `url` on, following the pager's `direction` link."""
    pages = []
    base = url.split("?")[0]
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(shown(response))
        link = pager_link(response.content.decode(), direction)
        url = f"{base}?{link}" if link else ""
        assert len(pages) < 50, "the pager does not end"
    return pages


def test_paging_reaches_every_record_once_both_ways(personas, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    p = personas
    channel = make_channel(p)
    append_inquiries(p, channel, 11)
    client = client_for(p.archivist)
    url = reverse("archive:list", args=[p.municipality.slug])

    older = walk(client, url, "eldre")
    assert older == [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1]]
    first = client.get(url).content.decode()
    assert pager_link(first, "nyere") is None  # the newest page has nothing newer

    last = f"{url}?eldre=4"  # the last page's address, as the walk above found it
    assert pager_link(client.get(last).content.decode(), "eldre") is None
    newer = walk(client, last, "nyere")
    assert newer == [[3, 2, 1], [7, 6, 5, 4], [11, 10, 9, 8]]

    # A filter is kept on the pager's links.
    filtered = walk(client, url + "?kind=journal_inbound&q=Sp%C3%B8rsm%C3%A5l", "eldre")
    assert sum(filtered, []) == list(range(11, 0, -1))
    html = client.get(url + "?kind=journal_inbound").content.decode()
    assert "kind=journal_inbound" in (pager_link(html, "eldre") or "")


def test_a_page_does_not_shift_when_records_are_appended(personas, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    p = personas
    channel = make_channel(p)
    append_inquiries(p, channel, 9)
    client = client_for(p.archivist)
    url = reverse("archive:list", args=[p.municipality.slug])
    first = client.get(url)
    assert shown(first) == [9, 8, 7, 6]
    older = pager_link(first.content.decode(), "eldre")
    append_inquiries(p, channel, 3, start=9)  # records 10–12 arrive meanwhile
    second = client.get(f"{url}?{older}")
    assert shown(second) == [5, 4, 3, 2]
    back = client.get(f"{url}?{pager_link(second.content.decode(), 'nyere')}")
    assert shown(back) == [9, 8, 7, 6]
    assert shown(client.get(f"{url}?{pager_link(back.content.decode(), 'nyere')}")) == [12, 11, 10]


def archive_sql(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "archive_archiverecord" in q["sql"]]


def test_no_query_reads_the_whole_archive(personas):
    p = personas
    channel = make_channel(p)
    client = client_for(p.archivist)
    base = reverse("archive:list", args=[p.municipality.slug])
    urls = [
        base,
        f"{base}?eldre=2",
        f"{base}?nyere=1",
        f"{base}?q=Sp%C3%B8rsm%C3%A5l",
        f"{base}?q=finnesikke",
        f"{base}?kind=journal_inbound&ground=&channel={channel.pk}"
        "&since=2020-01-01&until=2030-01-01",
        f"{base}?ground=spam",
    ]
    append_inquiries(p, channel, 3)
    client.get(base)  # warm caches (content types, sessions)

    def run(url: str) -> CaptureQueriesContext:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return captured

    few = {url: len(run(url)) for url in urls}
    append_inquiries(p, channel, 60, start=3)
    for url in urls:
        captured = run(url)
        assert len(captured) == few[url] == few[base], (url, [q["sql"] for q in captured])
        for sql in archive_sql(captured):
            assert "DISTINCT" not in sql.upper(), sql
            assert "OFFSET" not in sql.upper(), sql
            if "COUNT(" in sql.upper():
                # The count reads at most COUNT_CAP + 1 rows.
                assert f"LIMIT {queries.COUNT_CAP + 1}" in sql, sql
            else:
                assert f"LIMIT {selectors.PAGE_SIZE + 1}" in sql, sql
        assert any("COUNT(" in sql.upper() for sql in archive_sql(captured))


def test_filters_and_search_still_find_their_records(personas):
    p = personas
    school = make_channel(p, "Rissa skole")
    library = make_channel(p, "Biblioteket")
    hateful = archive_append(
        actor=None, entry=deleted_comment(p, school, media=()), backdated_to=DAY
    )  # «Innvandrerne er en pest», Ola Nordmann, hate_speech
    spam = archive_append(
        actor=None,
        entry=deleted_comment(
            p,
            library,
            media=(),
            edits=(),
            text="Kjøp billige klokker her",
            author=Person("Rask Gevinst", "777"),
            ground="spam",
            item_id="1_9",
        ),
        backdated_to=DAY + timedelta(days=3),
    )
    asked = archive_append(
        actor=None, entry=inquiry(p, library, text="Når åpner svømmehallen?"), backdated_to=DAY
    )
    client = client_for(p.communications)
    base = reverse("archive:list", args=[p.municipality.slug])

    def found(query: str) -> set[int]:
        response = client.get(f"{base}?{query}")
        assert response.status_code == 200
        return set(shown(response))

    assert found("") == {hateful.sequence, spam.sequence, asked.sequence}
    assert found("q=pest") == {hateful.sequence}  # the text
    assert found("q=svømmehallen") == {asked.sequence}
    assert found("q=PEST") == {hateful.sequence}  # in any case (ASCII letters on SQLite)
    assert found("q=Rask+Gevinst") == {spam.sequence}  # the author
    assert found("q=rissa") == {hateful.sequence}  # the channel's name
    assert found("q=Slettet+kommentar") == {hateful.sequence, spam.sequence}  # the title
    assert found("q=finnesikke") == set()
    assert found("kind=journal_inbound") == {asked.sequence}
    assert found("ground=spam") == {spam.sequence}
    assert found(f"channel={library.pk}") == {spam.sequence, asked.sequence}
    assert found("since=2025-05-18") == {spam.sequence}
    assert found("until=2025-05-17") == {hateful.sequence, asked.sequence}
    assert found(f"channel={library.pk}&q=klokker&ground=spam") == {spam.sequence}
    html = client.get(f"{base}?kind=deleted_comment").content.decode()
    assert "2 arkivposter" in html


def test_the_channel_filter_reads_the_channels_table(personas):
    p = personas
    school = make_channel(p, "Rissa skole")
    gone = make_channel(p, "Gammel side")
    make_channel(p, "Ny side uten poster")
    other = make_personas("annenby")
    make_channel(other, "Nabokanal")
    first = archive_append(actor=None, entry=deleted_comment(p, school, media=()), backdated_to=DAY)
    old = archive_append(actor=None, entry=inquiry(p, gone), backdated_to=DAY)
    Channel.objects.filter(pk=school.pk).update(name="Rissa skole og SFO")  # renamed
    gone_id = gone.pk
    Channel.objects.filter(pk=gone_id).delete()  # deleted: its records stay
    client = client_for(p.archivist)
    base = reverse("archive:list", args=[p.municipality.slug])

    response = client.get(base)
    options = [
        (value, str(label)) for value, label in response.context["form"].fields["channel"].choices
    ]
    # The municipality's channels by their names now, with or without records; not the
    # deleted one (nothing asks for it) and not another municipality's.
    assert [label for _value, label in options] == [
        "Alle",
        "Ny side uten poster",
        "Rissa skole og SFO",
    ]
    assert (str(school.pk), "Rissa skole og SFO") in options
    assert "Nabokanal" not in response.content.decode()

    # The renamed channel finds its records, which keep the name they were archived with.
    renamed = client.get(f"{base}?channel={school.pk}")
    assert shown(renamed) == [first.sequence]
    assert "Rissa skole</td>" in renamed.content.decode()

    # The deleted channel is still filterable by its id, under its archived name.
    deleted = client.get(f"{base}?channel={gone_id}")
    assert deleted.context["form"].is_valid()
    assert shown(deleted) == [old.sequence]
    assert (str(gone_id), "Gammel side") in deleted.context["form"].fields["channel"].choices
    # An id that no record and no channel has is refused as before (all records shown).
    unknown = client.get(f"{base}?channel=999999")
    assert not unknown.context["form"].is_valid()


def test_more_than_the_cap_reads_over(personas, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    monkeypatch.setattr(views, "COUNT_CAP", 5, raising=False)
    p = personas
    channel = make_channel(p)
    append_inquiries(p, channel, 7)
    client = client_for(p.archivist)
    base = reverse("archive:list", args=[p.municipality.slug])
    html = client.get(base).content.decode()
    assert "Over 5 arkivposter" in html and "7 arkivposter" not in html
    assert "Kjeden har 7 poster." in html  # the chain's length stays exact
    assert "1 arkivpost<" in client.get(f"{base}?q=Sp%C3%B8rsm%C3%A5l+3").content.decode()


def test_the_search_has_trigram_indexes_on_postgresql_only(db):
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE %s",
                ["archive_search%"],
            )
            assert cursor.fetchall() == []  # the migration does nothing on SQLite
            return
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'archive_archiverecord'")
        assert SEARCH_INDEXES <= {row[0] for row in cursor.fetchall()}
    # The search's own condition can use them.
    rows = ArchiveRecord.objects.filter(selectors.search_condition("svømmehallen"))
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):  # what a tiny table takes
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan and all(name in plan for name in SEARCH_INDEXES), plan
