"""Issue #18 / PU-1: national ID numbers in comments are masked in the console
(`******12345`); "Vis fødselsnummer" is for the roles that need it, audited; the item
is suggested hidden at once and not triaged as spam; outsiders get 404."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from tests.inbox.conftest import comment, ingest

NATIONAL_ID = "05099242649"  # valid check digits
TEXT = f"Venter på svar om sosialhjelp … fødselsnummeret mitt er {NATIONAL_ID}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def item(world) -> InboxItem:
    return ingest(world.channel, comment("c-fnr", TEXT))


def _url(world, item, suffix: str = "") -> str:
    return f"/m/{world.municipality.slug}/innboks/{item.pk}/{suffix}"


def test_the_comment_is_suggested_hidden_and_not_spam(world, item) -> None:
    assert item.action == "hide"
    assert item.category != "spam" and "spam" not in item.categories
    assert any(mark["type"] == "national_id" for mark in item.personal_data)
    assert item.triage["action_text"].startswith("Skjul straks")


@pytest.mark.parametrize("who", ["editor", "communications"])
def test_the_number_is_masked_on_the_item_page_and_in_the_list(world, item, who) -> None:
    user = world.editor if who == "editor" else world.p.communications
    client = client_for(user)
    page = client.get(_url(world, item)).content.decode()
    assert NATIONAL_ID not in page and "******42649" in page
    listing = client.get(f"/m/{world.municipality.slug}/innboks/").content.decode()
    assert NATIONAL_ID not in listing


def test_an_editor_may_not_show_it(world, item) -> None:
    client = client_for(world.editor)
    assert "Vis fødselsnummer" not in client.get(_url(world, item)).content.decode()
    assert client.post(_url(world, item, "vis-fodselsnummer/")).status_code == 403
    assert not AuditEntry.objects.filter(action="inbox_national_id_shown").exists()


def test_communications_shows_it_audited_for_a_while(world, item) -> None:
    client = client_for(world.p.communications)
    assert "Vis fødselsnummer" in client.get(_url(world, item)).content.decode()
    response = client.post(_url(world, item, "vis-fodselsnummer/"))
    assert response.status_code == 302
    page = client.get(_url(world, item)).content.decode()
    assert NATIONAL_ID in page and "Visningen er logget" in page
    entry = AuditEntry.objects.get(action="inbox_national_id_shown")
    assert entry.actor == world.p.communications and entry.object_id == str(item.pk)
    assert NATIONAL_ID not in str(entry.data)
    # Another person still sees it masked.
    other = client_for(world.p.archivist).get(_url(world, item)).content.decode()
    assert NATIONAL_ID not in other


def test_an_outsider_gets_404(world, item) -> None:
    client = client_for(world.p.outsider)
    assert client.get(_url(world, item)).status_code == 404
    assert client.post(_url(world, item, "vis-fodselsnummer/")).status_code == 404
    assert not AuditEntry.objects.filter(action="inbox_national_id_shown").exists()
