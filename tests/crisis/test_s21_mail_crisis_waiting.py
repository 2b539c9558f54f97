"""PU-12: the e-mail that a post waits for the crisis leader goes to those who may
approve it.

`crisis_own_text_check` refuses a deputy's approval of a post they wrote, changed or sent
in (`publishing.access.hands_on`), but the e-mail (`notify_crisis_waiting`) left out only
the post's author: a deputy who changed and sent in someone else's post was asked to
approve it, and refused. The e-mail now leaves out the same hands
(`crisis.selectors.own_text_refused`), the crisis leader kept: they approve all
information, their own too.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis.services import crisis_approve, crisis_declare, crisis_deputy_add
from ordstyrer.publishing.access import hands_on
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish, post_update
from tests.publishing.conftest import make_world as make_publishing_world

pytestmark = pytest.mark.django_db

DRAFT = "Kokevarsel for Elvdalen. Les mer på https://indrefosen.kommune.no/vann"
CHANGED = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)
SUBJECT = "Et innlegg venter på godkjenning fra kriseleder"


@pytest.fixture
def pub(db):
    return make_publishing_world("s21krise")


def _told(mailoutbox) -> set[str]:
    return {to for m in mailoutbox if m.subject == SUBJECT for to in m.to}


def test_pu12_a_deputy_who_changed_and_sent_in_the_post_is_not_asked_to_approve_it(
    pub, django_capture_on_commit_callbacks, mailoutbox
):
    """PU-12: the editor drafts, communications — a deputy — changes the text and sends
    it in during the crisis. Communications may not approve it (`hands_on`) and is not
    told it waits; the crisis leader and another deputy are."""
    m = pub.municipality
    deputy, other = pub.p.communications, pub.p.employee
    crisis_deputy_add(municipality=m, user=deputy, actor=pub.p.crisis_leader)
    crisis_deputy_add(municipality=m, user=other, actor=pub.p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader)
    post = post_create(actor=pub.editor, municipality=m, channel_ids=[pub.page.pk], text=DRAFT)
    post_update(actor=deputy, post_id=post.pk, text=CHANGED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=deputy, post_id=post.pk, now=timezone.now())
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert deputy.pk in hands_on(post) and post.author_id == pub.editor.pk

    told = _told(mailoutbox)
    assert deputy.email not in told
    assert pub.editor.email not in told
    assert {pub.p.crisis_leader.email, other.email} <= told
    # The one rule: the service refuses whom the e-mail leaves out.
    with pytest.raises(NotPermitted):
        crisis_approve(municipality=m, kind="post", object_id=post.pk, actor=deputy)


def test_pu12_the_crisis_leader_is_told_of_their_own_waiting_post(
    pub, django_capture_on_commit_callbacks, mailoutbox
):
    """PU-12: the crisis leader approves all information, theirs too: their own post
    waits for them and they are told, as is a deputy."""
    m = pub.municipality
    leader = pub.p.crisis_leader
    channel_services.channel_role_set(
        actor=pub.p.employee, channel=pub.page, user=leader, role=ChannelRole.EDITOR
    )
    crisis_deputy_add(municipality=m, user=pub.p.communications, actor=leader)
    crisis_declare(municipality=m, name="Flom", actor=leader)
    post = post_create(actor=leader, municipality=m, channel_ids=[pub.page.pk], text=CHANGED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=leader, post_id=post.pk, now=timezone.now())
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL

    assert {leader.email, pub.p.communications.email} <= _told(mailoutbox)
