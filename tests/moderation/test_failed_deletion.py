"""A deletion the platform refuses for good (MO-2, MO-4).

A private reply needs the comment to exist (the Graph stand-in and the simulated page
refuse one to a deleted comment), so a private notice cannot wait for the deletion.
The deletion therefore runs capture (archived) → hide → private notice → delete: the
author is told only once the comment is archived and hidden from the public. When the
delete then fails for good, the comment stays hidden, the item goes back to the work
list with the reason, and a second try deletes it without a second private reply.
Without a private reply, the notice waits for the delete and is never sent."""

from __future__ import annotations

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import ActionStatus, ModerationAction, OpKind, OpStatus
from ordstyrer.moderation.services import comment_delete
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import make_personas
from tests.moderation.conftest import (
    citizen_comment,
    fail_next,
    on_platform,
    platform_events,
    public_notices,
)
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
REFUSED = "Siden mangler tillatelsen til å slette."


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and then everything it queued (tasks run at once after commit)."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        result.refresh_from_db()
        return result

    return call


def private_replies(channel) -> dict:
    with channel_connector(channel) as connector:
        return dict(connector.platform.state.get("private_replies", {}))


def steps(action: ModerationAction) -> list[tuple[str, str]]:
    return [(op.kind, op.status) for op in action.ops.order_by("pk")]


def test_the_author_is_told_privately_only_after_the_comment_is_hidden(world, run):
    item = citizen_comment(world.channel, SPAM)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE and action.notice_state == "sent"
    assert steps(action) == [
        (OpKind.CAPTURE, OpStatus.DONE),
        (OpKind.HIDE, OpStatus.DONE),
        (OpKind.PRIVATE_NOTICE, OpStatus.DONE),
        (OpKind.DELETE, OpStatus.DONE),
    ]
    hide, notice, delete = (action.ops.get(kind=kind) for kind in ("hide", "private", "delete"))
    assert notice.after_id == hide.pk and delete.after_id == notice.pk
    assert platform_events(world.channel, item.platform_id, "hide") == 1
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    assert list(private_replies(world.channel)) == [item.platform_id]
    item.refresh_from_db()
    assert item.status == "closed" and item.close_reason == "moderated"


def test_a_refused_delete_keeps_the_comment_hidden_and_the_item_in_the_work_list(world, run):
    item = citizen_comment(world.channel, SPAM)
    fail_next(
        world.channel,
        "delete_comment",
        code=ErrorCode.PERMISSION,
        permanent=True,
        message=REFUSED,
    )
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED and REFUSED in action.error
    # Archived before anything happened on the platform (MO-2), and the failure noted.
    record = action.archive_record
    assert record.kind == "deleted_comment" and record.text == SPAM
    note = ArchiveRecord.objects.get(kind="moderation_note")
    assert note.text.startswith("Slettingen på plattformen feilet")
    # Not deleted, but hidden from the public since before the author was told.
    shown = on_platform(world.channel, item.platform_id)
    assert shown["removed"] is False and shown["hidden"] is True
    assert action.notice_state == "sent"
    # The item is back in the work list with the reason, not "Lukket – Moderert".
    item.refresh_from_db()
    assert item.open and item.status == "reopened" and item.close_reason == ""
    assert item.hidden and item.listed
    reopened = item.events.get(action="reopen")
    assert reopened.text.startswith("Slettingen feilet på plattformen")
    assert REFUSED in reopened.text

    # Tried again: deleted, and the author, told already, gets no second message.
    again = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert again.status == ActionStatus.DONE
    assert steps(again) == [(OpKind.CAPTURE, OpStatus.DONE), (OpKind.DELETE, OpStatus.DONE)]
    assert again.notice_state == "sent" and again.notice_error == ""
    assert again.notice_text == action.notice_text
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    assert list(private_replies(world.channel)) == [item.platform_id]
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1
    assert not ModerationAction.objects.filter(notice_state="failed").exists()
    item.refresh_from_db()
    assert item.status == "closed" and item.close_reason == "moderated"


def test_a_refused_hide_tells_nobody_and_deletes_nothing(world, run):
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "hide_comment", code=ErrorCode.PERMISSION, permanent=True)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    assert steps(action) == [
        (OpKind.CAPTURE, OpStatus.DONE),
        (OpKind.HIDE, OpStatus.FAILED),
        (OpKind.PRIVATE_NOTICE, OpStatus.CANCELLED),
        (OpKind.DELETE, OpStatus.CANCELLED),
    ]
    assert action.notice_state == "" and not private_replies(world.channel)
    assert not ArchiveRecord.objects.filter(kind="journal_outbound").exists()
    note = ArchiveRecord.objects.get(kind="moderation_note")
    assert note.text.startswith("Skjulingen på plattformen feilet")
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    item.refresh_from_db()
    assert item.open and item.close_reason == ""


def test_a_comment_its_author_removed_before_the_hide_gets_no_notice(world, run):
    item = citizen_comment(world.channel, SPAM)
    # Removed by its author between the capture and the hide.
    fail_next(world.channel, "hide_comment", code=ErrorCode.NOT_FOUND, permanent=True)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert action.ops.get(kind=OpKind.PRIVATE_NOTICE).status == OpStatus.CANCELLED
    assert action.notice_state == "" and not private_replies(world.channel)


def test_a_refused_delete_with_a_public_notice_tells_nobody(world, run):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "delete_comment", code=ErrorCode.PERMISSION, permanent=True)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    assert steps(action)[-1] == (OpKind.NOTICE, OpStatus.CANCELLED)
    assert action.notice_state == ""  # never sent, and not waiting either
    item.refresh_from_db()
    assert item.open and item.close_reason == ""
    again = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert again.status == ActionStatus.DONE and again.notice_state == "sent"
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1


# --- on a Facebook Page served by the Graph API stand-in -----------------------------------


def test_on_facebook_a_refused_delete_leaves_it_hidden_and_a_retry_sends_nothing_twice(
    graph: FakeGraph, run
):
    from ordstyrer.platforms.connections import connection_connect_system

    p = make_personas("grafby", "indre-fosen")
    fb_page = graph.add_page("Grafby kommune")
    channel = make_channel(p, name="Grafby på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Skolestart", check_duplicate=False)
    comment = graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=SPAM,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, platform_id=comment.id)

    # Graph 200: the Page lacks the permission for this deletion (permanent).
    graph.inject(200, path=comment.id, method="DELETE", message="Permissions error")
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    stored = graph.store.objects[comment.id]
    assert stored.is_hidden and not stored.deleted
    assert graph.store.private_replies[comment.id]["to"] == "5550001"
    item.refresh_from_db()
    assert item.open and item.hidden

    again = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    assert again.status == ActionStatus.DONE and again.notice_state == "sent"
    assert graph.store.objects[comment.id].deleted
    messages = [path for method, path in graph.store.requests if path.endswith("/messages")]
    assert len(messages) == 1  # the second try asked for no second private reply
