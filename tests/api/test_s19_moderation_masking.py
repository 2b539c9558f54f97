"""The item detail's `moderation[]` in the API masks national ID numbers in a
justification as the console does (PU-1, docs/api.md "Personal data"): a reason that
names a fødselsnummer comes back as `******12345`."""

from __future__ import annotations

from stdnum.no import fodselsnummer

from ordstyrer.moderation.services import comment_delete
from tests.api.conftest import ApiClient, citizen_comment, token_for

NUMBER = "15038545660"  # a valid synthetic fødselsnummer
WHY = f"Inneholder fnr {NUMBER} til en tredjeperson"


def test_a_deletion_reason_with_a_national_id_number_is_masked_in_the_item_detail(
    world, django_capture_on_commit_callbacks
):
    """PU-1: `moderation[].justification` is masked for a moderator without the reveal
    right (the channel's administrator), and an editor sees no moderation at all."""
    assert fodselsnummer.is_valid(NUMBER)
    item = citizen_comment(world.channel, f"Naboen min har fnr {NUMBER}.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(
            actor=world.p.communications, item=item, ground="privacy_breach", justification=WHY
        )

    admin = ApiClient(token_for(world.admin, world.municipality, ["inbox:read"]))
    response = admin.get(f"/api/v1/m/apiby/inbox/items/{item.pk}")
    assert response.status_code == 200, response.content
    assert NUMBER not in response.content.decode()
    reasons = [a["justification"] for a in response.json()["moderation"] if a["kind"] == "delete"]
    assert reasons == ["Inneholder fnr ******45660 til en tredjeperson"]

    editor = ApiClient(token_for(world.editor, world.municipality, ["inbox:read"]))
    seen = editor.get(f"/api/v1/m/apiby/inbox/items/{item.pk}")
    assert seen.status_code == 200, seen.content
    assert NUMBER not in seen.content.decode()
