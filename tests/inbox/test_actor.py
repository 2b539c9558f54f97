"""The inbox asks for a person's roles once per request (issue #17): the console's
`request.actor` carries them, and a service handed a bare user resolves it once.

Nothing is cached on the user object any more, so each extra role lookup shows here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.services import items_bulk
from tests.inbox.conftest import comment, ingest

ROLE_LOOKUP = '"tenants_roleassignment"."role"'


def role_lookups(queries: CaptureQueriesContext) -> int:
    return sum(ROLE_LOOKUP in q["sql"] for q in queries.captured_queries)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["communications", "editor"])
def test_every_inbox_page_looks_the_roles_up_once(world, who):
    user = world.p.communications if who == "communications" else world.editor
    client = client_for(user)
    item = ingest(world.channel, comment("c1", "Når kommer brøytebilen?"))
    base = f"/m/{world.municipality.slug}/innboks/"
    pages = [
        base,
        f"{base}?mine=1&vis=all",
        f"{base}{item.pk}/",
        f"{base}{item.pk}/?mal=acknowledge",  # the reply box open: presence marked
        f"{base}{item.pk}/skriver/",
        f"{base}rapport/",
        f"{base}rapport.csv",
        f"{base}meld/",
    ]
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        assert role_lookups(queries) == 1, url
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"{base}{item.pk}/status/", {"action": "acknowledge"})
    assert response.status_code == 302
    assert role_lookups(queries) == 1
    item.refresh_from_db()
    assert item.status == ItemStatus.ACKNOWLEDGED


def test_a_bulk_action_for_a_bare_user_looks_the_roles_up_once(world):
    for n in range(4):
        ingest(world.channel, comment(f"b{n}", f"Spørsmål {n}?", author=f"u{n}"))
    ids = list(InboxItem.objects.filter(channel=world.channel).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        result = items_bulk(
            actor=world.editor, municipality=world.municipality, item_ids=ids, action="assign_me"
        )
    assert sorted(result.done) == sorted(ids)
    # "Assign to me" checks the acting person's roles, not the same person's again.
    assert role_lookups(queries) == 1
    assert set(InboxItem.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {
        world.editor.pk
    }
