"""Ingestion closes what went with a comment its author removed.

* DI-1: when a citizen removed their own comment, only its item was closed; the other
  citizens' replies under it, which Facebook removes with it, kept running deadlines.
* DI-3: a follow-up that reopened its conversation, then removed by its author, left
  the conversation waiting with a deadline for an answer to nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.inbox.models import ItemEvent
from ordstyrer.inbox.services import item_note
from tests.inbox.conftest import TUESDAY, comment, ingest

pytestmark = pytest.mark.django_db


# --- an author's removal takes the replies under it (DI-1) ---------------------------------


def test_an_authors_removal_closes_the_open_replies_under_it(world) -> None:
    root = ingest(world.channel, comment("root", "Hvorfor er veien ikke brøytet?", author="u1"))
    reply = ingest(
        world.channel,
        comment("reply", "Vet noen når bussen går etter ferien?", author="u2", parent="root"),
    )
    nested = ingest(
        world.channel,
        comment("nested", "Den går klokka åtte, tror jeg?", author="u3", parent="reply"),
    )
    flagged = ingest(
        world.channel,
        comment("flagged", "Fødselsnummeret mitt er 01017012343", author="u4", parent="root"),
    )
    page = ingest(
        world.channel,
        comment("pg", "Vi ser på saken.", author="page", parent="root", page=True),
        at=TUESDAY + timedelta(minutes=5),
    )
    elsewhere = ingest(world.channel, comment("other", "Når åpner biblioteket?", author="u5"))
    assert reply.open and nested.open and flagged.open and flagged.action == "hide"

    removed_at = TUESDAY + timedelta(minutes=10)
    ingest(world.channel, comment("root", "", author="u1", removed=True), at=removed_at)

    for item in (root, reply, nested, flagged, page, elsewhere):
        item.refresh_from_db()
    # The Page answered it on the platform: answered, then removed by its author.
    assert (root.status, root.removed_at) == ("answered", removed_at)
    for gone in (reply, nested):
        assert (gone.open, gone.close_reason) == (False, "parent_removed")
        assert (gone.due_at, gone.first_response_due, gone.resolution_due) == (None, None, None)
        assert gone.first_response_seconds is None  # answered nobody (DI-1)
        event = gone.events.get(action="close")
        assert (event.actor, event.at, event.data["parent_item_id"]) == (None, removed_at, root.pk)
    assert flagged.open  # must still be moderated (PU-1)
    assert page.from_page and page.status == "closed"
    assert elsewhere.open

    # The same removal again changes nothing.
    ingest(world.channel, comment("root", "", author="u1", removed=True), at=removed_at)
    assert ItemEvent.objects.filter(action="close", item__channel=world.channel).count() == 2


def test_an_open_comment_removed_by_its_author_is_closed_with_its_replies(world) -> None:
    root = ingest(world.channel, comment("root", "Hvorfor er veien ikke brøytet?", author="u1"))
    reply = ingest(
        world.channel,
        comment("reply", "Vet noen når bussen går etter ferien?", author="u2", parent="root"),
    )
    ingest(
        world.channel,
        comment("root", "", author="u1", removed=True),
        at=TUESDAY + timedelta(minutes=10),
    )
    root.refresh_from_db()
    reply.refresh_from_db()
    assert (root.open, root.close_reason) == (False, "author_removed")
    assert (reply.open, reply.close_reason, reply.due_at) == (False, "parent_removed", None)


def test_a_removal_of_an_unseen_comment_closes_the_replies_that_came_first(world) -> None:
    reply = ingest(
        world.channel,
        comment("reply", "Vet noen når bussen går?", author="u2", parent="never-seen"),
    )
    assert reply.open
    ingest(
        world.channel,
        comment("never-seen", "", author="u1", removed=True),
        at=TUESDAY + timedelta(minutes=10),
    )
    reply.refresh_from_db()
    assert (reply.open, reply.close_reason) == (False, "parent_removed")


# --- a removed follow-up that reopened its conversation (DI-3) -------------------------------


def _reopened(world):
    root = ingest(world.channel, comment("root", "Når åpner svømmehallen?", author="u1"))
    ingest(
        world.channel,
        comment("pg1", "Den åpner 1. juni.", author="page", parent="root", page=True),
        at=TUESDAY + timedelta(minutes=5),
    )
    root.refresh_from_db()
    assert root.status == "answered"
    follow_up = ingest(
        world.channel,
        comment("fu", "Takk! Og hva med badstua?", author="u1", parent="pg1"),
        at=TUESDAY + timedelta(minutes=10),
    )
    root.refresh_from_db()
    assert (root.status, root.open) == ("reopened", True) and root.due_at is not None
    return root, follow_up


def test_a_removed_follow_up_puts_its_conversation_back_as_it_was(world) -> None:
    root, follow_up = _reopened(world)
    figures = (root.resolved_at, root.resolution_seconds, root.resolution_in_time)
    at = TUESDAY + timedelta(minutes=15)
    ingest(world.channel, comment("fu", "", author="u1", parent="pg1", removed=True), at=at)

    root.refresh_from_db()
    follow_up.refresh_from_db()
    assert follow_up.removed_at == at
    assert (root.status, root.open, root.due_at) == ("answered", False, None)
    assert (root.resolution_seconds, root.resolution_in_time) == figures[1:]  # kept (DI-1)
    event = root.events.order_by("-at", "-pk").first()
    assert (event.actor, event.at, event.from_status, event.to_status) == (
        None,
        at,
        "reopened",
        "answered",
    )
    assert event.data["follow_up_id"] == follow_up.pk
    assert "fjernet oppfølgingen" in event.text


def test_a_removed_follow_up_leaves_a_conversation_someone_worked_on_open(world) -> None:
    root, _follow_up = _reopened(world)
    item_note(actor=world.editor, item=root, text="Ringer innbyggeren i morgen.")
    ingest(
        world.channel,
        comment("fu", "", author="u1", parent="pg1", removed=True),
        at=TUESDAY + timedelta(minutes=15),
    )
    root.refresh_from_db()
    assert (root.status, root.open) == ("reopened", True)
