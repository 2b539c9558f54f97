"""«Registrer at beskjeden er gitt» only for a notice that failed (MO-4, AR-3).

A notice sent again (`notice_retry`) is queued on the platform. Recording it as given
by hand meanwhile left the queued op in place: it then posted the public notice, set
the state back to `sent` and archived a second outgoing record after the by-hand one.
A notice being sent is the platform's until it is sent or fails, as `notice_retry`
itself treats it (moved on)."""

from __future__ import annotations

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import Conflict
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation import notice_followup, services
from tests.moderation.conftest import citizen_comment, messages_off_next

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
NOTE = "Ringt 5. mai, forklarte hvorfor."


def public_notices(channel) -> list[str]:
    with channel_connector(channel) as connector:
        return [
            c["text"]
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and "Vi har slettet" in c["text"]
        ]


def test_a_notice_being_sent_again_cannot_be_recorded_as_given_by_hand(
    world, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)  # the private notice fails for good
    with django_capture_on_commit_callbacks(execute=True):
        action = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY
        )
    action.refresh_from_db()
    assert (action.status, action.notice_state) == ("done", "failed")
    assert not ArchiveRecord.objects.filter(kind="journal_outbound").exists()

    # Sent again publicly: queued, its op runs after commit (not yet).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notice_followup.notice_retry(actor=world.admin, action=action, private=False)
    action.refresh_from_db()
    assert action.notice_state == "queued" and queued

    with pytest.raises(Conflict, match="Beskjeden er på vei til forfatteren") as refused:
        notice_followup.notice_mark_delivered(actor=world.admin, action=action, note=NOTE)
    assert (refused.value.code, refused.value.rule) == ("notice_queued", "MO-4")
    action.refresh_from_db()
    assert action.notice_state == "queued" and action.notice_note == ""

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the notice's op runs
            callback()
    action.refresh_from_db()
    assert (action.notice_state, action.notice_via) == ("sent", "public_reply")
    assert len(public_notices(world.channel)) == 1
    (record,) = ArchiveRecord.objects.filter(kind="journal_outbound")
    assert NOTE not in record.canonical  # the record is of the notice sent, nothing by hand

    # Sent: nothing to record by hand any more.
    with pytest.raises(Conflict, match="ingen beskjed som venter"):
        notice_followup.notice_mark_delivered(actor=world.admin, action=action, note=NOTE)
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1
