"""The moderation pages honour the item page's «Vis fødselsnummer» (PU-1, MO-1; #18).

A comment may be deleted for a breach of confidentiality or privacy (MO-1): the
moderator has to see what it says. National ID numbers are masked in the console
(`******12345`); communications and the archive may show them for one item, audited
(`inbox_national_id_shown`), for ten minutes. The moderation pages — the deletion's
confirmation, the second approver's page, the form shown again, the action page and the
item's moderation panel — kept them masked even then. They now show what this person
revealed on the item's page, through the same `inbox.privacy` session and audit, and
nothing by default. The action page's note on how the author was told (MO-4,
`notice_note`) is masked like the justification beside it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from stdnum.no import fodselsnummer

from ordstyrer.core.models import AuditEntry
from ordstyrer.moderation import notice_followup
from ordstyrer.moderation.models import ModerationSettings
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, client_for, messages_off_next

pytestmark = pytest.mark.django_db

NUMBER = "15038545660"  # a valid synthetic fødselsnummer
MASKED = "******45660"
COMMENT = f"Naboen min heter Per og har fnr {NUMBER}."
WHY = f"Inneholder fnr {NUMBER} til en tredjeperson"
NOTE = f"Ringt 5. mai; han leste opp fnr {NUMBER} selv."
HINT = "Vis fødselsnummer på kommentarens side"


def _url(world, name: str, *args) -> str:
    return reverse(name, args=[world.municipality.slug, *args])


def _reveal(client, world, item) -> None:
    """«Vis fødselsnummer» on the item's page (the inbox's own, audited)."""
    response = client.post(_url(world, "inbox:reveal_ids", item.pk))
    assert response.status_code == 302


def _shown(world) -> int:
    return AuditEntry.objects.filter(
        municipality=world.municipality, action="inbox_national_id_shown"
    ).count()


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_pu1_the_approval_page_and_the_panel_show_what_was_revealed_on_the_item_page(world, run):
    """MO-1, PU-1: the channel's administrator asks to delete; communications, the second
    approver, sees the comment masked with the way to show it, shows it on the item's
    page (audited once), and then sees it — comment and justification — on the approval
    page and in the item's moderation panel. The main administrator, who has shown
    nothing, still sees it masked."""
    assert fodselsnummer.is_valid(NUMBER)
    ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
    item = citizen_comment(world.channel, COMMENT)
    action = run(
        comment_delete, actor=world.admin, item=item, ground="privacy_breach", justification=WHY
    )
    assert action.status == "pending_approval"
    communications = client_for(world.p.communications)
    approve = _url(world, "moderation:approve", action.pk)
    item_page = _url(world, "inbox:detail", item.pk)

    before = _html(communications.get(approve, {"next": item_page}))
    assert NUMBER not in before and MASKED in before
    assert HINT in before and f'href="{item_page}#thread-heading"' in before
    assert _shown(world) == 0

    _reveal(communications, world, item)
    assert _shown(world) == 1

    after = _html(communications.get(approve, {"next": item_page}))
    assert COMMENT in after
    assert f"Begrunnelse:</span> {WHY}</p>" in after
    assert "Fødselsnummer vises i klartekst for deg" in after and HINT not in after
    panel = _html(communications.get(item_page))
    assert f"Begrunnelse:</span> {WHY}</p>" in panel
    assert _shown(world) == 1  # the reveal is audited once, where it is made

    # Never shown by default: the main administrator showed nothing.
    other = _html(client_for(world.main_admin).get(approve, {"next": item_page}))
    assert NUMBER not in other and MASKED in other


def test_pu1_the_confirmation_shows_only_the_item_that_was_revealed(world):
    """PU-1: the reveal is for one item. Communications showed the numbers of the first
    comment: the deletion's confirmation of the second is masked, of the first shown."""
    revealed = citizen_comment(world.channel, COMMENT)
    other = citizen_comment(
        world.channel,
        f"Kari har fnr {NUMBER}, bare så dere vet det.",
        author=("sim-user-902", "Ivar Berg"),
    )
    communications = client_for(world.p.communications)
    _reveal(communications, world, revealed)
    posted = {"ground": "privacy_breach", "justification": WHY}

    masked = _html(communications.post(_url(world, "moderation:delete", other.pk), posted))
    assert "Bekreft sletting" in masked
    # Only the form's hidden field carries the justification as written.
    assert masked.count(NUMBER) == 1 and f'name="justification" value="{WHY}"' in masked
    assert HINT in masked

    shown = _html(communications.post(_url(world, "moderation:delete", revealed.pk), posted))
    assert COMMENT in shown and f"Begrunnelsen din:</span> {WHY}</p>" in shown


def test_pu1_the_form_shown_again_honours_the_reveal(world):
    """PU-1: a deletion form posted without a ground comes back on a page of its own with
    the comment above it: masked, and shown once revealed on the item's page. (The form
    keeps what the person typed as typed; here it names no number.)"""
    item = citizen_comment(world.channel, COMMENT)
    communications = client_for(world.p.communications)
    url = _url(world, "moderation:delete", item.pk)
    posted = {"justification": "Et fødselsnummer til en tredjeperson."}

    response = communications.post(url, posted)
    assert response.status_code == 400
    assert NUMBER not in response.content.decode()

    _reveal(communications, world, item)
    response = communications.post(url, posted)
    assert response.status_code == 400
    assert COMMENT in response.content.decode()


def test_mo4_the_note_on_how_the_author_was_told_is_masked_on_the_action_page(world, run):
    """MO-4, PU-1: the note typed when the author was told another way may hold what the
    comment said; the action page masks it as it masks the justification, and shows it
    to one who revealed the item's numbers."""
    item = citizen_comment(world.channel, COMMENT)
    messages_off_next(world.channel)  # the private notice fails for good
    action = run(
        comment_delete, actor=world.admin, item=item, ground="privacy_breach", justification=WHY
    )
    assert (action.status, action.notice_state) == ("done", "failed")
    notice_followup.notice_mark_delivered(actor=world.admin, action=action, note=NOTE)
    page = _url(world, "moderation:action", action.pk)

    for client in (client_for(world.admin), client_for(world.p.communications)):
        html = _html(client.get(page))
        assert NUMBER not in html
        assert f"Ringt 5. mai; han leste opp fnr {MASKED} selv." in html

    communications = client_for(world.p.communications)
    _reveal(communications, world, item)
    html = _html(communications.get(page))
    assert NOTE in html and WHY in html
