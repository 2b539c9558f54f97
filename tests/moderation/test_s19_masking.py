"""Moderation pages mask national ID numbers in a justification and a rejection reason
(PU-1, issue #18), as the inbox log does: a reason that names a fødselsnummer is shown
as `******12345` to a moderator without the audited reveal (`reveal_national_id`)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from stdnum.no import fodselsnummer

from ordstyrer.moderation.models import ModerationSettings
from ordstyrer.moderation.services import comment_delete, deletion_reject
from tests.moderation.conftest import citizen_comment, client_for

pytestmark = pytest.mark.django_db

NUMBER = "15038545660"  # a valid synthetic fødselsnummer
MASKED = "******45660"
COMMENT = f"Naboen min heter Per og har fnr {NUMBER}."
WHY = f"Inneholder fnr {NUMBER} til en tredjeperson"
REJECTED = f"Ikke slett ennå: politiet vil se {NUMBER} først"


def item_url(world, item) -> str:
    return reverse("inbox:detail", args=[world.municipality.slug, item.pk])


def mod_url(world, name: str, *args) -> str:
    return reverse(f"moderation:{name}", args=[world.municipality.slug, *args])


def test_a_waiting_deletions_reasons_are_masked_on_the_item_approval_and_action_pages(
    world, django_capture_on_commit_callbacks
):
    """PU-1: communications asks to delete with a reason naming the number; the channel's
    administrator (no reveal right) sees it masked on the item page, the approval page and,
    once they reject with a reason naming it too, the action page."""
    assert fodselsnummer.is_valid(NUMBER)
    ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
    item = citizen_comment(world.channel, COMMENT)
    with django_capture_on_commit_callbacks(execute=True):
        action = comment_delete(
            actor=world.p.communications, item=item, ground="privacy_breach", justification=WHY
        )
    assert action.status == "pending_approval"
    admin = client_for(world.admin)

    for page in (
        admin.get(item_url(world, item)),
        admin.get(mod_url(world, "approve", action.pk), {"next": item_url(world, item)}),
    ):
        html = page.content.decode()
        assert page.status_code == 200
        assert "Sletting venter på godkjenning" in html or "Godkjenn sletting" in html
        assert NUMBER not in html
        assert f"Inneholder fnr {MASKED} til en tredjeperson" in html

    with django_capture_on_commit_callbacks(execute=True):
        deletion_reject(actor=world.admin, action=action, reason=REJECTED)
    page = admin.get(mod_url(world, "action", action.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert NUMBER not in html
    assert f"Inneholder fnr {MASKED} til en tredjeperson" in html
    assert f"Ikke slett ennå: politiet vil se {MASKED} først" in html


def test_the_deletion_confirmation_shows_the_justification_masked(world):
    """PU-1: the confirmation repeats the justification masked; the form still carries
    what the person wrote, so the action keeps it as written."""
    item = citizen_comment(world.channel, COMMENT)
    page = client_for(world.admin).post(
        mod_url(world, "delete", item.pk), {"ground": "privacy_breach", "justification": WHY}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Bekreft sletting" in html
    shown = re.search(r"Begrunnelsen din:</span>([^<]*)</p>", html)
    assert shown is not None
    assert shown.group(1).strip() == f"Inneholder fnr {MASKED} til en tredjeperson"
    assert f'name="justification" value="{WHY}"' in html
