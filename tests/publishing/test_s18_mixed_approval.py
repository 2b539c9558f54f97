"""CH-4: a post on a unit's page that asks for the unit leader's approval and on a page
that asks for none is approved by the unit leader — the page without approval asks
nothing of the approver (it waited for ever: nobody could approve it)."""

from __future__ import annotations

import pytest

from ordstyrer.publishing.access import may_approve
from ordstyrer.publishing.models import ChannelPublishing, PostStatus
from ordstyrer.publishing.services import post_approve, post_create, post_publish
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

TEXT = "Skolekonserten er flyttet til torsdag klokka seks."


def _sent_to_both(w):
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, w.school.pk],
        text=TEXT,
    )
    return post_publish(actor=w.editor, post_id=post.pk, override_reason="Nettsaken kommer.")


def test_the_unit_leader_approves_a_post_on_the_unit_page_and_a_page_without_approval():
    w = make_world("blandby")
    ChannelPublishing.objects.filter(channel=w.school).update(approval="unit_leader")
    post = _sent_to_both(w)
    assert post.status == PostStatus.AWAITING_APPROVAL
    assert post.approval == "unit_leader"

    assert may_approve(w.p.unit_leader, post)
    assert not may_approve(w.p.communications, post)  # the unit has its leader (CH-4)
    approved = post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert approved.status != PostStatus.AWAITING_APPROVAL
