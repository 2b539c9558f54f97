"""The item detail's log in the API masks national ID numbers as the console does
(PU-1, docs/api.md "Personal data"): a note or a reason naming a fødselsnummer comes
back as `******12345`."""

from __future__ import annotations

from ordstyrer.inbox.services import item_note
from tests.api.conftest import ApiClient, citizen_comment, token_for

NUMBER = "15076500565"  # a valid test fødselsnummer


def test_a_note_with_a_national_id_number_is_masked_in_the_item_detail(world):
    """PU-1: `events[].text` is masked with inbox:read, as in the console's log."""
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    item_note(actor=world.editor, item=item, text=f"Inneholder fnr {NUMBER}")
    api = ApiClient(token_for(world.p.communications, world.municipality, ["inbox:read"]))

    response = api.get(f"/api/v1/m/apiby/inbox/items/{item.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert NUMBER not in response.content.decode()
    notes = [e["text"] for e in body["events"] if e["action"] == "note"]
    assert notes == ["Inneholder fnr ******00565"]
