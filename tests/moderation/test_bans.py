"""Bans: an allowed ground and a justification (MO-1), archived as a note (X), the author
told (MO-4); Instagram has no ban API and says so (the connector's own words)."""

from __future__ import annotations

import json

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.instagram import BLOCKING_UNSUPPORTED_NB
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation.bans import author_ban, author_unban, ban_in_force
from ordstyrer.moderation.models import ActionStatus, OpKind, PlatformOp
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, make_world, public_notices

pytestmark = pytest.mark.django_db
WHY = "Gjentatt spam på ti innlegg samme dag."
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"


def blocked(channel) -> list[str]:
    with channel_connector(channel) as connector:
        return list(connector.platform.state["blocked"])


def test_ban_after_delete_blocks_records_and_tells(world, django_capture_on_commit_callbacks):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    with django_capture_on_commit_callbacks(execute=True):
        ban = author_ban(actor=world.admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    deleted.refresh_from_db()
    assert ban.status == ActionStatus.DONE
    assert blocked(world.channel) == ["sim-user-901"]
    assert ban_in_force(world.channel, "sim-user-901") == ban
    record = ban.archive_record
    assert (record.kind, record.direction, record.action, record.ground) == (
        "moderation_note",
        "X",
        "ban",
        "spam",
    )
    assert record.refers_to_sequence == deleted.archive_record.sequence
    assert "Ola Nordmann (sim-user-901) er utestengt fra Skolen" in record.text
    assert json.loads(record.canonical)["actor"]["id"] == world.admin.pk
    assert "Du kan ikke lenger kommentere på Skolen" in ban.notice_text
    assert ArchiveRecord.objects.filter(kind="journal_outbound", text=ban.notice_text).count() == 1
    with pytest.raises(ServiceError, match="allerede utestengt"):
        author_ban(actor=world.admin, item=item, ground="spam", justification=WHY)

    with django_capture_on_commit_callbacks(execute=True):
        lifted = author_unban(actor=world.admin, item=item, justification="Lovet å holde seg.")
    lifted.refresh_from_db()
    assert lifted.status == ActionStatus.DONE and blocked(world.channel) == []
    assert ban_in_force(world.channel, "sim-user-901") is None
    assert lifted.archive_record.refers_to_sequence == record.sequence


def test_ban_needs_an_allowed_ground_and_the_right_person(world):
    item = citizen_comment(world.channel, SPAM)
    with pytest.raises(ServiceError) as caught:
        author_ban(actor=world.admin, item=item, ground="harassment", justification=WHY)
    assert caught.value.rule == "MO-1"
    with pytest.raises(NotPermitted):
        author_ban(actor=world.editor, item=item, ground="spam", justification=WHY)
    with pytest.raises(ServiceError, match="begrunnelse"):
        author_ban(actor=world.admin, item=item, ground="spam", justification="")
    assert not PlatformOp.objects.exists() and not ArchiveRecord.objects.exists()


def test_instagram_has_no_ban_api_and_says_so(db, clock, django_capture_on_commit_callbacks):
    world = make_world("igby", "indre-fosen", kind="instagram")
    from ordstyrer.inbox.ingest import inbox_ingest
    from tests.inbox.conftest import comment

    item = inbox_ingest(
        channel=world.channel,
        comment=comment("ig-c1", SPAM, author="ig-user-7", name="Rask Gevinst", post="ig-media-1"),
        received_at=world.channel.created_at,
    )
    with pytest.raises(ServiceError) as caught:
        author_ban(actor=world.admin, item=item, ground="spam", justification=WHY)
    assert caught.value.code == "unsupported"
    assert str(caught.value.message) == BLOCKING_UNSUPPORTED_NB
    assert not PlatformOp.objects.exists()

    # Blocked by hand in the Instagram app: the ban is recorded and the author told.
    with django_capture_on_commit_callbacks(execute=False):
        ban = author_ban(
            actor=world.admin, item=item, ground="spam", justification=WHY, manual=True
        )
    assert ban.status == ActionStatus.RECORDED
    # Told privately first: Instagram allows a private reply to the comment (#15).
    assert list(ban.ops.values_list("kind", flat=True)) == [OpKind.PRIVATE_NOTICE]
    assert "Utestengt i plattformens egen app" in ban.archive_record.text
