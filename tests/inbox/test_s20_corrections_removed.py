"""Issue #16, MO-1: an editor's correction of a comment the municipality then deleted is a
training row — those are the harmful comments the model must learn. Only a comment its
author removed (the platform's removal nobody here decided, `inbox.ingest`) is left out
of the export.

Before, every item with `removed_at` was skipped, and the municipality's own deletion
(`moderation.effects`) sets `removed_at` too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ordstyrer.inbox.corrections import corrections_rows, item_correct_categories
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)


def test_mo_1_a_corrected_comment_the_municipality_deleted_is_a_training_row(run):
    with time_machine.travel(T0, tick=False):
        world = make_world("retteby")
        deleted = citizen_comment(world.channel, "Alle dere i kommunen er noen jævla idioter")
        item_correct_categories(actor=world.admin, item=deleted, labels=["harassment"])
        run(
            comment_delete,
            actor=world.admin,
            item=deleted,
            ground="hate_speech",
            justification="Grov trakassering av de ansatte.",
        )
        removed = citizen_comment(world.channel, "Dere er ubrukelige, jeg klager til fylket")
        item_correct_categories(actor=world.admin, item=removed, labels=["complaint"])
        with channel_connector(world.channel) as connector:
            platform = connector.platform
            platform._author_remove(removed.platform_id, platform.now_ts() + 60)
        poll_channel(channel_id=world.channel.pk)
        kept = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
        item_correct_categories(actor=world.admin, item=kept, labels=["question"])

    deleted.refresh_from_db()
    removed.refresh_from_db()
    assert deleted.removed_at is not None and removed.removed_at is not None
    assert removed.events.filter(action="removed").exists()  # the author's own removal

    rows = {row["id"]: row for row in corrections_rows(world.municipality)}
    slug = world.municipality.slug
    assert set(rows) == {f"{slug}-{deleted.pk}", f"{slug}-{kept.pk}"}
    assert rows[f"{slug}-{deleted.pk}"]["labels"] == ["harassment"]
    assert rows[f"{slug}-{deleted.pk}"]["text"] == "Alle dere i kommunen er noen jævla idioter"
