"""A replayed or late hide/unhide never overwrites a newer hidden state (DI-1, MO-1).

A webhook delivery that failed is retried later with the time it was first received
(`platforms.webhooks`, the dead letters' «Prøv igjen»): its hide or unhide is applied
only when it is newer than the hidden state the item shows — whether a platform event
or the municipality's own moderation set that state.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from ordstyrer.connectors.base import Author, ChangeEvent
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.selectors import inbox_page, parse_filter
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_hide, comment_unhide
from ordstyrer.platforms.webhooks import inbox_record
from tests.inbox.conftest import TUESDAY, comment, ingest
from tests.moderation.conftest import T0, citizen_comment, on_platform
from tests.moderation.conftest import make_world as make_mod_world

T1 = TUESDAY + timedelta(minutes=1)
T2 = TUESDAY + timedelta(minutes=2)
T3 = TUESDAY + timedelta(minutes=3)


def _change(verb: str, comment_id: str = "c1") -> ChangeEvent:
    """A Graph feed change about a citizen's comment, as `parse_events` gives it."""
    return ChangeEvent(
        platform="facebook",
        channel_id="page-1",
        item="comment",
        verb=verb,
        post_id="post-1",
        comment_id=comment_id,
        author=Author(id="user-1", name="Kari Nordmann"),
        text="Når åpner svømmehallen igjen etter ferien?",
        created_at=TUESDAY,
        raw={"item": "comment", "verb": verb, "comment_id": comment_id, "post_id": "post-1"},
    )


def _deliver(channel, verb: str, at, comment_id: str = "c1") -> InboxItem:
    """The change through the webhook's own normalisation, received at `at`."""
    record = inbox_record(_change(verb, comment_id))
    assert record is not None
    item = inbox_ingest(channel=channel, comment=record[0], received_at=at, kind=record[1])
    assert item is not None
    item.refresh_from_db()
    return item


def test_a_stale_hide_after_a_newer_unhide_leaves_the_comment_shown(world):
    ingest(world.channel, comment("c1"))
    _deliver(world.channel, "unhide", T2)
    item = _deliver(world.channel, "hide", T1)  # received earlier, processed later
    assert item.hidden is False
    # Still waiting for an answer, so it is counted (hidden items are not).
    page = inbox_page(
        user=world.editor, municipality=world.municipality, filters=parse_filter({}), now=T3
    )
    assert page.open_count == 1


def test_a_stale_unhide_after_a_newer_hide_leaves_the_comment_hidden(world):
    ingest(world.channel, comment("c1"))
    _deliver(world.channel, "hide", T2)
    assert _deliver(world.channel, "unhide", T1).hidden is True


def test_a_repeated_hide_counts_from_its_own_time(world):
    ingest(world.channel, comment("c1"))
    _deliver(world.channel, "hide", T1)
    _deliver(world.channel, "hide", T3)  # hidden again on the platform, after an unhide
    assert _deliver(world.channel, "unhide", T2).hidden is True


@pytest.mark.parametrize(
    ("verbs", "hidden"),
    [
        (["hide"], True),
        (["hide", "unhide"], False),
        (["hide", "unhide", "hide"], True),
        (["unhide", "hide"], True),
    ],
)
def test_hide_and_unhide_in_order_still_apply(world, verbs, hidden):
    ingest(world.channel, comment("c1"))
    at = TUESDAY
    for verb in verbs:
        at += timedelta(minutes=1)
        item = _deliver(world.channel, verb, at)
    assert item.hidden is hidden


def test_hide_and_unhide_in_one_delivery_apply_in_order(world):
    """Changes of one delivery share its receipt time: the later in it wins."""
    ingest(world.channel, comment("c1"))
    _deliver(world.channel, "hide", T1)
    assert _deliver(world.channel, "unhide", T1).hidden is False


def test_a_hide_before_the_add_keeps_the_comment_hidden(world):
    _deliver(world.channel, "hide", T2)
    ingest(world.channel, comment("c1"), T1)  # the add comes late
    assert InboxItem.objects.get(channel=world.channel, platform_id="c1").hidden is True


# --- against the municipality's own moderation --------------------------------------------


@pytest.fixture
def mod_world(db):
    return make_mod_world("s17-skjul")


def _run(capture, fn, **kwargs):
    with capture(execute=True):
        action = fn(**kwargs)
    action.refresh_from_db()
    return action


def test_a_stale_hide_does_not_undo_the_moderators_unhide(
    mod_world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0, tick=False) as clock:
        item = citizen_comment(mod_world.channel, "Dette er helt håpløst, kommune!")
        assert _run(capture, comment_hide, actor=mod_world.admin, item=item).status == (
            ActionStatus.DONE
        )
        clock.move_to(T0 + timedelta(minutes=2))
        shown = _run(capture, comment_unhide, actor=mod_world.admin, item=item)
        assert shown.status == ActionStatus.DONE
        assert on_platform(mod_world.channel, item.platform_id)["hidden"] is False

        # The platform's webhook for the moderator's hide, received a minute after it
        # but processed only now (a retried delivery).
        clock.move_to(T0 + timedelta(minutes=5))
        item = _deliver(mod_world.channel, "hide", T0 + timedelta(minutes=1), item.platform_id)
        assert item.hidden is False

        # Shown on the platform and here: hiding it again is not refused as done.
        again = _run(capture, comment_hide, actor=mod_world.admin, item=item)
        assert again.status == ActionStatus.DONE
        item.refresh_from_db()
        assert item.hidden is True


def test_a_hide_after_the_moderators_unhide_still_applies(
    mod_world, django_capture_on_commit_callbacks
):
    """Hidden again on the platform (by hand on Facebook) after the unhide: applied."""
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0, tick=False) as clock:
        item = citizen_comment(mod_world.channel, "Dette er helt håpløst, kommune!")
        _run(capture, comment_hide, actor=mod_world.admin, item=item)
        clock.move_to(T0 + timedelta(minutes=2))
        _run(capture, comment_unhide, actor=mod_world.admin, item=item)
        item = _deliver(mod_world.channel, "hide", T0 + timedelta(minutes=3), item.platform_id)
        assert item.hidden is True
