"""CH-3/CH-4 conformance: no preset makes each post wait for approval by default.

Midt-Telemark (002 «Publisering»: «Bare oppnevnte hovedadministrator/administratorer/
redaktører skal publisere, svare og kommentere på vegne av enheten/avdelingen.») and
Gausdal (004: «Enhetsleder er ansvarlig for driften av offisielle enhetskontoer.») give
the unit leader responsibility for the unit's channels, not a pre-approval of every
post. A unit page's posts therefore go out as the appointed editor publishes them,
unless the municipality turns approval on for the channel.
"""

from __future__ import annotations

import pytest

from ordstyrer.publishing import rules
from ordstyrer.publishing.models import ChannelPublishing, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_channel, make_world

pytestmark = pytest.mark.django_db

TEXT = "Konserten starter klokka sju i kveld. Velkommen!"


def test_the_default_is_no_approval():
    assert rules.default_approval() == "none"


@pytest.mark.parametrize(
    "preset", ["midt-telemark", "gausdal", "indre-fosen", "rennebu", "birkenes"]
)
def test_a_unit_pages_post_goes_out_without_approval_by_default(preset):
    w = make_world(f"ch4k{preset[:5]}", preset)
    unit_page = make_channel(w.p, name="Kulturskolen", unit=w.unit, editor=w.editor)
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[unit_page.pk], text=TEXT
    )
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Nettsaken kommer.")
    assert post.status == PostStatus.PUBLISHING
    assert post.approval == "none"


@pytest.mark.parametrize("preset", ["midt-telemark", "gausdal"])
def test_a_municipality_still_turns_approval_on_per_channel(preset):
    w = make_world(f"ch4p{preset[:5]}", preset)
    unit_page = make_channel(w.p, name="Kulturskolen", unit=w.unit, editor=w.editor)
    ChannelPublishing.objects.create(channel=unit_page, approval="unit_leader")
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[unit_page.pk], text=TEXT
    )
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Nettsaken kommer.")
    assert post.status == PostStatus.AWAITING_APPROVAL
