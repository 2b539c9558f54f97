"""The work list for real work (#15, item 7): free-text search, the urgency order with
keyset paging that neither skips nor repeats, times on every row, and what counts as
waiting for an answer (DI-1; PU-1 for the search's digits)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.selectors import inbox_page, parse_filter
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db

SEARCH_TEXTS = [
    ("s1", "Når åpner svømmehallen igjen?", "Kari Nordmann"),
    ("s2", "Brøytebilen har ikke vært her.", "Ola Svømmebasseng"),
    ("s3", "Takk for god hjelp i Svømmehallen i går!", "Per Hansen"),
    ("s4", "Hvorfor er biblioteket stengt?", "Liv Berg"),
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def list_url(world, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/m/{world.municipality.slug}/innboks/" + (f"?{query}" if query else "")


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr class="inbox-row[^"]*" data-item="(\d+)"', html)]


def make_search_items(world) -> dict[str, InboxItem]:
    return {
        cid: ingest(world.channel, comment(cid, text, author=f"u-{cid}", name=name))
        for cid, text, name in SEARCH_TEXTS
    }


def test_search_finds_words_in_the_text_or_the_author_name_whatever_the_case(world):
    items = make_search_items(world)
    client = client_for(world.p.communications)
    html = client.get(list_url(world, q="SVØMMEHALLEN")).content.decode()
    assert sorted(row_ids(html)) == sorted([items["s1"].pk, items["s3"].pk])
    # The counts follow the search, like every other filter.
    assert "2 henvendelser venter på svar" in html
    # A word inside a longer word, and the author's name.
    html = client.get(list_url(world, q="svømme")).content.decode()
    assert sorted(row_ids(html)) == sorted([items["s1"].pk, items["s2"].pk, items["s3"].pk])
    # Every word must match, in the text or the name.
    html = client.get(list_url(world, q="hallen+Per")).content.decode()
    assert row_ids(html) == [items["s3"].pk]
    html = client.get(list_url(world, q="finnes-ikke")).content.decode()
    assert row_ids(html) == [] and "0 henvendelser venter på svar" in html
    # The other views search the same way (through the trigram index on PostgreSQL).
    InboxItem.objects.filter(pk=items["s3"].pk).update(open=False, status="answered")
    html = client.get(list_url(world, q="svømmehallen", vis="resolved")).content.decode()
    assert row_ids(html) == [items["s3"].pk]
    html = client.get(list_url(world, q="svømmehallen", vis="all")).content.decode()
    assert sorted(row_ids(html)) == sorted([items["s1"].pk, items["s3"].pk])


def test_search_stays_inside_the_channels_the_person_reads(world):
    """CH-3: an editor's search never reaches another channel's items."""
    mine = ingest(world.channel, comment("e1", "Svømmehallen er stengt", author="a1"))
    ingest(world.other_channel, comment("e2", "Svømmehallen er åpen", author="a2"))
    html = client_for(world.editor).get(list_url(world, q="svømmehallen")).content.decode()
    assert row_ids(html) == [mine.pk]


def test_search_by_a_long_run_of_digits_needs_the_right_to_see_national_ids(world):
    """PU-1 (#18): the list masks national ID numbers as ******12345; a search on their
    hidden digits would reveal them, so only those who may see them search by six or more
    digits in a row."""
    # A valid test fødselsnummer (check digits hold), as the masking tests use.
    item = ingest(world.channel, comment("n1", "Mitt fødselsnummer er 05099242649", author="a"))
    editor = client_for(world.editor).get(list_url(world, q="050992")).content.decode()
    assert row_ids(editor) == []
    assert "forbeholdt dem som kan se fødselsnumre" in editor
    # Fewer digits are not searched in a text that may hold a national ID number either
    # (a few at a time they would reveal it: test_s19_search_mask.py); words are.
    shown = client_for(world.editor).get(list_url(world, q="42649")).content.decode()
    assert row_ids(shown) == []
    words = client_for(world.editor).get(list_url(world, q="fødselsnummer")).content.decode()
    assert row_ids(words) == [item.pk]
    communications = client_for(world.p.communications)
    assert row_ids(communications.get(list_url(world, q="050992")).content.decode()) == [item.pk]


def test_search_and_sort_keep_the_list_s_constant_number_of_queries(world):
    client = client_for(world.p.communications)
    make_search_items(world)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    plain = count(list_url(world))
    assert count(list_url(world, q="svømmehallen")) == plain
    assert count(list_url(world, q="svømmehallen+kari", sorter="hast")) == plain
    assert count(list_url(world, q="svømmehallen", vis="all", frist="passert")) == plain
    for cid in ("x1", "x2", "x3", "x4", "x5", "x6"):
        ingest(world.other_channel, comment(cid, "Svømmehallen?", author=cid))
    assert count(list_url(world, q="svømmehallen", sorter="hast")) == plain


def _tied_items(world, now) -> list[InboxItem]:
    """Fourteen open items: threats/hate and others, three deadlines shared by several."""
    categories = ["question", "hate_speech", "complaint", "harassment", "spam", "praise"]
    items = []
    for i in range(14):
        channel = world.channel if i % 2 else world.other_channel
        items.append(ingest(channel, comment(f"t{i}", f"Spørsmål {i}?", author=f"t{i}")))
    for i, item in enumerate(items):
        InboxItem.objects.filter(pk=item.pk).update(
            category=categories[i % len(categories)],
            due_at=now + timedelta(hours=i % 3),  # ties on every deadline
            received_at=now - timedelta(hours=i % 4),  # and on the arrival
        )
    return list(InboxItem.objects.filter(pk__in=[i.pk for i in items]))


def _walk(world, params: dict[str, str], now, limit: int) -> list[int]:
    seen: list[int] = []
    after = ""
    for _ in range(50):
        filters = parse_filter({**params, "etter": after})
        page = inbox_page(
            user=world.p.communications,
            municipality=world.municipality,
            filters=filters,
            now=now,
            limit=limit,
        )
        seen += [i.pk for i in page.items]
        if not page.next_cursor:
            return seen
        after = page.next_cursor
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_paging_follows_each_order_without_skipping_or_repeating(world, limit):
    now = timezone.now()
    items = _tied_items(world, now)
    urgent = {"hate_speech", "harassment"}
    by_deadline = [i.pk for i in sorted(items, key=lambda i: (i.due_at, i.pk))]
    by_urgency = [
        i.pk for i in sorted(items, key=lambda i: (i.category not in urgent, i.due_at, i.pk))
    ]
    newest = [i.pk for i in sorted(items, key=lambda i: (i.received_at, i.pk), reverse=True)]
    assert _walk(world, {}, now, limit) == by_deadline
    assert _walk(world, {"sorter": "hast"}, now, limit) == by_urgency
    assert _walk(world, {"vis": "all"}, now, limit) == newest
    # The threats and hateful speech come first under «etter hast».
    first = [i for i in items if i.pk in by_urgency[:4]]
    assert {i.category for i in first} == urgent


def test_the_next_link_keeps_the_order_and_the_search(world, monkeypatch):
    # Pages of two: the view asks for the selector's default page size.
    monkeypatch.setattr(inbox_page, "__kwdefaults__", {"limit": 2})
    now = timezone.now()
    items = _tied_items(world, now)
    client = client_for(world.p.communications)
    url = list_url(world, sorter="hast", q="Spørsmål")
    seen: list[int] = []
    for _ in range(20):
        html = client.get(url).content.decode()
        seen += row_ids(html)
        found = re.search(r'<a href="(\?[^"]+)" rel="next">', html)
        if not found:
            break
        assert "sorter=hast" in found.group(1) and "q=Sp" in found.group(1)
        url = list_url(world) + found.group(1).replace("&amp;", "&")
    urgent = {"hate_speech", "harassment"}
    assert seen == [
        i.pk for i in sorted(items, key=lambda i: (i.category not in urgent, i.due_at, i.pk))
    ]


def test_every_row_says_when_it_came_and_how_long_is_left(world):
    for i in range(5):
        ingest(world.channel, comment(f"r{i}", f"Spørsmål {i}?", author=f"r{i}"))
    html = client_for(world.p.communications).get(list_url(world)).content.decode()
    rows = re.findall(r'<tr class="inbox-row.*?</tr>', html, flags=re.S)
    assert len(rows) == 5
    for row in rows:
        assert re.search(r'<p class="received">Mottatt <time datetime="[^"]+" title="[^"]+">', row)
        # The deadline: relative (left, or passed) with the exact time beside it.
        assert re.search(
            r'<time datetime="[^"]+" title="([^"]+)">(om|for) [^<]+</time>'
            r'<span class="exact-time"> \(\1\)</span>',
            row,
        )


def test_spam_hate_hidden_and_closed_items_do_not_wait_for_an_answer(world):
    """#15: the lead's "N venter på svar" counts only what waits for an answer; the
    start page's overdue count links to the list with the same filter (DI-1)."""
    past = timezone.now() - timedelta(days=2)
    kinds = ["question", "spam", "hate_speech", "hidden", "closed"]
    for n, kind in enumerate(kinds):
        item = ingest(world.channel, comment(f"w{n}", "Hva koster det?", author=f"w{n}"))
        changes = {"due_at": past, "category": "question"}
        if kind in ("spam", "hate_speech"):
            changes["category"] = kind
        elif kind == "hidden":
            changes["hidden"] = True
        elif kind == "closed":
            changes.update(open=False, status="closed")
        InboxItem.objects.filter(pk=item.pk).update(**changes)
    client = client_for(world.p.communications)
    html = client.get(list_url(world, frist="passert")).content.decode()
    assert "1 henvendelse venter på svar" in html and "1 er over fristen" in html
    # Spam, hate and hidden items are still listed (to be moderated); the closed one not.
    assert len(row_ids(html)) == 4


def test_a_nul_in_the_list_parameters_is_no_server_error(world):
    """PostgreSQL refuses NUL in text parameters: a hand-made URL with %00 in the
    search, the category or the paging cursor must still give the list, not a 500."""
    client = client_for(world.p.communications)
    for params in ({"q": "svøm\x00mehallen"}, {"kategori": "spam\x00"}, {"etter": "1\x002"}):
        response = client.get(list_url(world, **params))
        assert response.status_code == 200, params
