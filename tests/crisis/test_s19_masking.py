"""The crisis page masks national ID numbers in the comment a waiting reply answers
(PU-1, issue #18): the crisis leader, deputies and the chief administrator have no
audited reveal, so they see `******12345` as the inbox shows it (PU-12 queue)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from stdnum.no import fodselsnummer

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.inbox.models import ReplyStatus
from ordstyrer.inbox.replies import reply_send
from tests.moderation.conftest import T0, citizen_comment, make_world

NUMBER = "15038545660"  # a valid synthetic fødselsnummer
MASKED = "******45660"


@pytest.fixture
def world(db):
    with time_machine.travel(T0, tick=False):
        yield make_world("krmask")


def test_the_crisis_queue_and_its_confirmation_mask_the_answered_comments_number(
    world, django_capture_on_commit_callbacks
):
    """PU-1: a reply waiting for the crisis leader quotes the citizen's comment masked."""
    assert fodselsnummer.is_valid(NUMBER)
    with time_machine.travel(T0, tick=False):
        item = citizen_comment(world.channel, f"Sønnen min har fnr {NUMBER}, får han plass?")
        crisis_declare(
            municipality=world.municipality, name="Flom", actor=world.p.crisis_leader, now=T0
        )
        with django_capture_on_commit_callbacks(execute=True):
            reply = reply_send(
                actor=world.editor, item=item, text="Vi tar kontakt på telefon, hilsen Sigrid."
            )
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL

    client = Client()
    client.force_login(world.p.crisis_leader)
    base = f"/m/{world.municipality.slug}/krise/"
    pages = {
        "queue": client.get(base),
        "confirmation": client.get(f"{base}godkjenning/reply/{reply.pk}/?action=approve"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "Vi tar kontakt på telefon" in html, name  # the waiting reply is there
        assert NUMBER not in html, name
        assert f"Sønnen min har fnr {MASKED}, får han plass?" in html, name
