"""A citizen's follow-up never reopens a conversation whose comment is gone (DI-1).

A comment the municipality deleted (or is deleting) cannot be answered or moderated any
more: reopening it gave it a new deadline it could only miss, in the overdue counts and
the digests. The follow-up itself is stored in the conversation, as under a comment its
author removed; one that must be moderated is still listed on its own.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from ordstyrer.connectors.base import Author, Comment
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import CloseReason, InboxItem, ItemStatus
from ordstyrer.inbox.selectors import overdue_counts
from ordstyrer.inbox.services import item_set_status
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_delete, comment_hide
from tests.moderation.conftest import T0, citizen_comment
from tests.moderation.conftest import make_world as make_mod_world

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
FOLLOW_AT = T0 + timedelta(hours=1)
DAYS_LATER = T0 + timedelta(days=4)


@pytest.fixture
def mod(db):
    with time_machine.travel(T0, tick=False):
        return make_mod_world("s17-oppfolging")


def _ingest(channel, comment: Comment, at) -> InboxItem:
    with time_machine.travel(at, tick=False):
        item = inbox_ingest(channel=channel, comment=comment, received_at=at)
    assert item is not None
    return item


def _follow_up(mod, root: InboxItem, text: str = "Hvorfor ble dette fjernet?") -> InboxItem:
    """The root's author writes again under it (delivered after the deletion)."""
    return _ingest(
        mod.channel,
        Comment(
            id="follow-1",
            post_id=root.post_id,
            author=Author(id=root.author_platform_id, name=root.author_name),
            text=text,
            created_at=FOLLOW_AT,
            parent_id=root.platform_id,
        ),
        FOLLOW_AT,
    )


def _answer_on_platform(mod, root: InboxItem) -> None:
    """The page answers the citizen directly on the platform."""
    _ingest(
        mod.channel,
        Comment(
            id="page-answer",
            post_id=root.post_id,
            author=None,
            text="Takk, vi ser på saken.",
            created_at=T0,
            parent_id=root.platform_id,
            is_page_author=True,
        ),
        T0,
    )
    root.refresh_from_db()
    assert root.status == ItemStatus.ANSWERED


def _delete(mod, root: InboxItem, capture, *, run_outbox: bool = True):
    with time_machine.travel(T0, tick=False), capture(execute=run_outbox):
        action = comment_delete(actor=mod.admin, item=root, ground="spam", justification=WHY)
    action.refresh_from_db()
    return action


def _not_reopened(mod, root: InboxItem, status: str) -> None:
    root.refresh_from_db()
    assert root.status == status and not root.open
    assert root.reopened_count == 0
    assert not root.events.filter(action="reopen").exists()
    assert root.events.filter(action="follow_up").exists()
    with time_machine.travel(DAYS_LATER, tick=False):
        assert overdue_counts([mod.channel.pk]) == {}


def test_a_follow_up_under_a_deleted_comment_does_not_reopen_it(
    mod, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    action = _delete(mod, root, django_capture_on_commit_callbacks)
    assert action.status == ActionStatus.DONE
    root.refresh_from_db()
    assert root.close_reason == CloseReason.MODERATED and root.removed_at is not None

    follow = _follow_up(mod, root)

    _not_reopened(mod, root, ItemStatus.CLOSED)
    assert root.close_reason == CloseReason.MODERATED
    # The follow-up is kept in the conversation, as under a comment its author removed.
    assert follow.conversation_id == root.pk and not follow.listed and not follow.open


def test_a_follow_up_under_an_answered_then_deleted_comment_does_not_reopen_it(
    mod, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    _answer_on_platform(mod, root)
    assert _delete(mod, root, django_capture_on_commit_callbacks).status == ActionStatus.DONE
    root.refresh_from_db()
    assert root.removed_at is not None

    _follow_up(mod, root)

    _not_reopened(mod, root, ItemStatus.ANSWERED)


def test_a_follow_up_while_the_deletion_runs_does_not_reopen_it(
    mod, django_capture_on_commit_callbacks
):
    """Decided and archived, not yet gone from the platform: it will be."""
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    _answer_on_platform(mod, root)
    action = _delete(mod, root, django_capture_on_commit_callbacks, run_outbox=False)
    assert action.status == ActionStatus.QUEUED
    root.refresh_from_db()
    assert root.removed_at is None

    _follow_up(mod, root)

    _not_reopened(mod, root, ItemStatus.ANSWERED)


def test_a_follow_up_that_must_be_moderated_is_still_listed_on_its_own(
    mod, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    _delete(mod, root, django_capture_on_commit_callbacks)

    follow = _follow_up(mod, root, "Fødselsnummeret mitt er 01010112345, ring meg.")

    root.refresh_from_db()
    assert root.status == ItemStatus.CLOSED and not root.open
    assert follow.listed and follow.open and follow.conversation_id == root.pk


def test_a_follow_up_under_a_comment_only_hidden_still_reopens_it(
    mod, django_capture_on_commit_callbacks
):
    """Hidden and closed as moderated, the comment is still there: it can be answered
    (and shown again), so the citizen's new words open the conversation again (DI-3)."""
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, "Dette er helt håpløst, kommune!")
        with django_capture_on_commit_callbacks(execute=True):
            comment_hide(actor=mod.admin, item=root)
        item_set_status(
            actor=mod.admin, item=root, action="close", close_reason=CloseReason.MODERATED
        )

    _follow_up(mod, root)

    root.refresh_from_db()
    assert root.status == ItemStatus.REOPENED and root.open
