"""Who may see and change inbox items (CH-3): outsiders get 404 everywhere, an editor of
another channel is refused, only the channel's administrators and communications reply."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.core.errors import NotPermitted
from ordstyrer.inbox.models import ItemStatus
from ordstyrer.inbox.referrals import item_escalate, item_refer
from ordstyrer.inbox.replies import reply_send
from ordstyrer.inbox.services import item_assign, item_note, item_set_status
from tests.inbox.conftest import comment, ingest


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def item(world):
    return ingest(world.channel, comment("c1"))


def pages(slug: str, pk: int) -> list[tuple[str, str, dict]]:
    base = f"/m/{slug}/innboks/"
    return [
        ("get", base, {}),
        ("get", f"{base}{pk}/", {}),
        ("get", f"{base}rapport/", {}),
        ("get", f"{base}rapport.csv", {}),
        ("get", f"{base}meld/", {}),
        ("post", f"{base}handling/", {"action": "close", "item": pk}),
        ("post", f"{base}{pk}/svar/", {"text": "Hei"}),
        ("post", f"{base}{pk}/status/", {"action": "acknowledge"}),
        ("post", f"{base}{pk}/tildel/", {"assignee": ""}),
        ("post", f"{base}{pk}/notat/", {"text": "Notat"}),
        ("post", f"{base}{pk}/henvis/", {"kind": "formal"}),
        ("post", f"{base}{pk}/eskaler/", {"note": "Omdømme"}),
        ("post", f"{base}meld/", {"channel": "1", "text": "Stygg kommentar"}),
    ]


def test_outsider_gets_404_on_every_page(world, item):
    client = client_for(world.p.outsider)
    for method, url, data in pages(world.municipality.slug, item.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


def test_item_of_another_municipality_through_my_own_url_is_404(world, item, db):
    from tests.inbox.conftest import make_world

    mine = make_world("egenby")
    client = client_for(mine.p.communications)
    response = client.get(f"/m/{mine.municipality.slug}/innboks/{item.pk}/")
    assert response.status_code == 404


def test_editor_of_another_channel_is_refused(world, item):
    client = client_for(world.other_editor)
    base = f"/m/{world.municipality.slug}/innboks/"
    assert client.get(f"{base}{item.pk}/").status_code == 403
    for url, data in (
        (f"{base}{item.pk}/svar/", {"text": "Hei"}),
        (f"{base}{item.pk}/status/", {"action": "acknowledge"}),
        (f"{base}{item.pk}/notat/", {"text": "x"}),
    ):
        assert client.post(url, data).status_code == 403
    listed = client.get(base)
    assert listed.status_code == 200 and item.text not in listed.content.decode()
    for call in (
        lambda: reply_send(actor=world.other_editor, item=item, text="Hei"),
        lambda: item_set_status(actor=world.other_editor, item=item, action="acknowledge"),
        lambda: item_assign(actor=world.other_editor, item=item, assignee=None),
        lambda: item_note(actor=world.other_editor, item=item, text="x"),
        lambda: item_refer(actor=world.other_editor, item=item, kind="formal"),
        lambda: item_escalate(actor=world.other_editor, item=item, note="x"),
    ):
        with pytest.raises(NotPermitted):
            call()
    # Bulk: refused per item, nothing changes.
    response = client.post(f"{base}handling/", {"action": "close", "item": item.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


def test_cannot_assign_to_someone_who_cannot_reply_on_the_channel(world, item):
    from ordstyrer.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        item_assign(actor=world.editor, item=item, assignee=world.other_editor)
    assert refused.value.rule == "CH-3"


def test_chief_administrator_reads_every_channel_but_does_not_reply(world, item):
    client = client_for(world.p.chief_administrator)
    assert client.get(f"/m/{world.municipality.slug}/innboks/{item.pk}/").status_code == 200
    with pytest.raises(NotPermitted):
        reply_send(actor=world.p.chief_administrator, item=item, text="Hei")


def test_communications_replies_on_every_channel(world, item):
    item_set_status(actor=world.p.communications, item=item, action="acknowledge")
    item.refresh_from_db()
    assert item.status == ItemStatus.ACKNOWLEDGED


def test_employee_without_channel_roles_sees_an_empty_inbox_but_may_report(world, item):
    client = client_for(world.p.archivist)
    base = f"/m/{world.municipality.slug}/innboks/"
    listed = client.get(base)
    assert listed.status_code == 200 and listed.context["page"].items == []
    assert client.get(f"{base}{item.pk}/").status_code == 403
    assert client.get(f"{base}meld/").status_code == 200
