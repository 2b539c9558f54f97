"""PU-12, MO-4: the e-mail that a held notice waits goes to those who may approve it.

During a crisis a deletion's notice to the author waits for the crisis leader or a
deputy (`moderation.crisis_notices`). `notice_crisis_approve` refuses a deputy the
notice of a deletion they requested or approved (`crisis_own_text_check`), but the
e-mail (`notify_notice_held`) went to every crisis approver, that deputy included. It
now leaves out the same people (`notice_hands`), the crisis leader kept.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.moderation.crisis_notices import notice_crisis_approve
from ordstyrer.moderation.models import NoticeState
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db

RUMOUR = "Jeg har hørt at rektor på skolen er tatt for underslag, det vet alle."
WHY = "Rykte om en navngitt person, uten grunnlag."
SUBJECT = "En beskjed til en innbygger venter på godkjenning fra kriseleder"


@pytest.fixture
def world(db, clock):
    return make_world("s21-krisebeskjed", preset="birkenes")


def test_pu12_the_deputy_who_requested_the_deletion_is_not_asked_to_approve_its_notice(
    world, run, mailoutbox
):
    """PU-12 (Birkenes: the crisis leader approves all information): a deputy who is the
    channel's administrator deletes a rumour with a notice during a crisis. The notice is
    held; the crisis leader and another deputy are e-mailed, the deputy who asked for the
    deletion is not (they may not approve it)."""
    m = world.municipality
    deputy = world.admin
    other = world.p.communications
    crisis_deputy_add(municipality=m, user=deputy, actor=world.p.crisis_leader)
    crisis_deputy_add(municipality=m, user=other, actor=world.p.crisis_leader)
    crisis_declare(municipality=m, name="Flom i sentrum", actor=world.p.crisis_leader)
    item = citizen_comment(world.channel, RUMOUR)
    mailoutbox.clear()

    action = run(
        comment_delete, actor=deputy, item=item, ground="rumour", justification=WHY, notify=True
    )

    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    assert action.requested_by_id == deputy.pk
    told = {to for message in mailoutbox if message.subject == SUBJECT for to in message.to}
    assert deputy.email not in told
    assert {world.p.crisis_leader.email, other.email} <= told
    held = reverse("moderation:crisis_notices", args=[m.slug])
    (to_leader,) = [m for m in mailoutbox if m.to == [world.p.crisis_leader.email]]
    assert held in to_leader.body
    # The one rule: the service refuses whom the e-mail leaves out.
    with pytest.raises(NotPermitted):
        notice_crisis_approve(actor=deputy, action=action)
