"""Ingestion catches up with what the platform did while its webhooks were lost, and
closes what went with a comment its author removed.

* PU-1, DI-1: the backup poll read an edited comment's new text and threw it away (a
  read says nothing of edits, so it counted as an un-edited "add", never newer). The
  text a citizen added a fødselsnummer to stayed unseen and untriaged, and was stored
  as a second "original". Now a poll's read that differs is the edit, triaged again; a
  webhook edit received after the poll began still wins.
* DI-1: a Facebook comment whose "remove" webhook was lost stayed open and overdue (the
  poll looked for removals on Instagram only). Now the poll finds it gone, and asks the
  platform only about what it no longer lists, replies under a gone comment not at all.
* DI-1: when a citizen removed their own comment, only its item was closed; the other
  citizens' replies under it, which Facebook removes with it, kept running deadlines.
* DI-3: a follow-up that reopened its conversation, then removed by its author, left
  the conversation waiting with a deadline for an answer to nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.connectors.base import Author, Comment
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import InboxItem, ItemEvent
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.services import item_note
from tests.inbox.conftest import TUESDAY, comment, ingest
from tests.inbox.test_s18_polling import connected
from tests.moderation.test_qa_notice_retry import calls

pytestmark = pytest.mark.django_db

QUESTION = "Når blir vegen ferdig?"
WITH_ID_NUMBER = "Når blir vegen ferdig? Fødselsnummeret mitt er 01017012343"


def _citizens_comment(graph, fb_page, text=QUESTION, *, parent=None, who="5550001"):
    post = parent or graph.store.create_post(fb_page, message="Vegarbeid", check_duplicate=False)
    return graph.store.add_comment(
        post.id,
        from_id=who,
        from_name="Kari Nordmann",
        message=text,
        created=graph.store.now() - timedelta(minutes=5),
    )


# --- the poll reads an edit whose webhook was lost (PU-1, DI-1) ----------------------------


def test_a_poll_takes_an_edit_whose_webhook_was_lost_and_triages_it(graph) -> None:
    _p, fb_page, channel = connected(graph, "redigert", "facebook")
    c = _citizens_comment(graph, fb_page)
    now = timezone.now()
    poll_channel(channel_id=channel.pk, now=now)
    item = InboxItem.objects.get(channel=channel, platform_id=c.id)
    assert (item.text, item.edited) == (QUESTION, False)
    assert item.action not in ("hide", "delete_allowed", "escalate")

    # The citizen adds their fødselsnummer on Facebook; the "edited" webhook is lost.
    graph.store.edit_comment(c, WITH_ID_NUMBER)
    later = now + timedelta(minutes=15)
    poll_channel(channel_id=channel.pk, now=later)

    item.refresh_from_db()
    assert (item.text, item.edited, item.text_seen_at) == (WITH_ID_NUMBER, True, later)
    assert item.action == "hide"  # PU-1 «skjul straks», from the new text
    versions = list(item.versions.order_by("seen_at").values_list("text", "original"))
    assert versions == [(QUESTION, True), (WITH_ID_NUMBER, False)]
    assert item.events.filter(action="edited", at=later).count() == 1

    # The next poll reads the same text: nothing more happens.
    poll_channel(channel_id=channel.pk, now=later + timedelta(minutes=15))
    assert item.versions.count() == 2
    assert item.events.filter(action="edited").count() == 1


def test_a_poll_does_not_undo_an_edit_a_webhook_brought_after_it_began(graph) -> None:
    """The poll's read is the platform as of when it began (`received_at`): a webhook
    edit received later is newer, whatever order the two are stored in."""
    _p, fb_page, channel = connected(graph, "seinare", "facebook")
    c = _citizens_comment(graph, fb_page)
    now = timezone.now()
    poll_channel(channel_id=channel.pk, now=now)
    item = InboxItem.objects.get(channel=channel, platform_id=c.id)

    edit_at = now + timedelta(minutes=20)
    inbox_ingest(
        channel=channel,
        comment=Comment(
            id=c.id,
            post_id=item.post_id,
            author=Author(id="5550001", name="Kari Nordmann"),
            text=WITH_ID_NUMBER,
            created_at=None,
            edited=True,
        ),
        received_at=edit_at,
    )
    # A poll that began before the webhook came, and read the old text, is stored after.
    poll_channel(channel_id=channel.pk, now=now + timedelta(minutes=15))

    item.refresh_from_db()
    assert (item.text, item.text_seen_at, item.action) == (WITH_ID_NUMBER, edit_at, "hide")


# --- the poll finds a Facebook comment removed while its webhook was lost (DI-1) -------------


def test_a_poll_finds_a_facebook_comment_its_author_removed(graph) -> None:
    _p, fb_page, channel = connected(graph, "fjerna", "facebook")
    gone = _citizens_comment(graph, fb_page)
    under = _citizens_comment(graph, fb_page, "Lurer på det samme.", parent=gone, who="5550002")
    kept = _citizens_comment(graph, fb_page, "Er det stengt i helga?", who="5550003")
    now = timezone.now()
    poll_channel(channel_id=channel.pk, now=now)
    assert InboxItem.objects.filter(channel=channel, open=True).count() == 3
    # Every comment was listed: the platform was asked about none of them.
    assert sum(calls(graph, "GET", f"/{x.id}") for x in (gone, under, kept)) == 0

    graph.store.delete_comment(gone)  # its author deletes it; the "remove" webhook is lost
    later = now + timedelta(minutes=15)
    poll_channel(channel_id=channel.pk, now=later)

    item = InboxItem.objects.get(channel=channel, platform_id=gone.id)
    assert item.removed_at == later
    assert (item.open, item.close_reason) == (False, "author_removed")
    reply = InboxItem.objects.get(channel=channel, platform_id=under.id)
    assert (reply.open, reply.close_reason, reply.due_at) == (False, "parent_removed", None)
    still = InboxItem.objects.get(channel=channel, platform_id=kept.id)
    assert still.open and still.removed_at is None
    # One question for the comment; none for the reply that went with it, none for the
    # comment still listed.
    assert calls(graph, "GET", f"/{gone.id}") == 1
    assert calls(graph, "GET", f"/{under.id}") == 0
    assert calls(graph, "GET", f"/{kept.id}") == 0


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
