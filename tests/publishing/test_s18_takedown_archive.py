"""MO-2 / PU-6: a post taken down takes the citizens' comments under it with it (Facebook
deletes a post's comments with it), so each comment is archived first — what it said,
who wrote it, when, where and why — in the transaction that decides the take-down,
committed before the platform's deletion is called.

- The records exist before the worker runs, and when the connector's `delete_post` is
  called; the comments leave the open inbox (closed, no deadline); nobody judged them,
  and their authors are told privately (MO-4, s20), never in a comment on the page.
- A comment that came in before the worker ran is archived before the delete too, and
  its author told first.
- A retried take-down archives nothing twice; a comment that came in since is archived.
- A comment a moderation deletion archived is not archived again.
- The confirmation says how many comments go with the post and that they are archived
  first."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.connectors.simulated.connector import SimulatedConnector
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import ModerationAction, PlatformOp
from ordstyrer.moderation.outbox import op_run
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import post_take_down
from ordstyrer.publishing.models import DeliveryStatus, PostChannel
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import texts_on

TEXT = "Se bildene fra 17. mai-toget i sentrum! https://indrefosen.kommune.no/17mai"
REASON = "Samtykket er trukket tilbake."
OLA = ("sim-user-901", "Ola Nordmann")
KARI = ("sim-user-902", "Kari Nordmann")
QUIET = {"comments_per_day": 0.0, "history_days": 1}


def _published(w: Any, capture: Any) -> PostChannel:
    """Our post, out on the main (simulated) page: its delivery row."""
    w.page.connector_config = {**(w.page.connector_config or {}), **QUIET}
    w.page.save(update_fields=["connector_config"])
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    with capture(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    row = post.deliveries.get(channel=w.page)
    assert row.status == DeliveryStatus.PUBLISHED and row.platform_id
    assert texts_on(w.page, (TEXT,)) == [TEXT]
    return row


def _comment(
    row: PostChannel, text: str, author: tuple[str, str], parent: InboxItem | None = None
) -> InboxItem:
    """A citizen writes `text` under our post on the simulated page; the inbox polls it in
    (`_store_comment` is how the simulation itself adds a comment)."""
    with channel_connector(row.channel) as connector:
        platform = connector.platform
        stored = platform._store_comment(
            row.platform_id,
            parent.platform_id if parent else None,
            author,
            text,
            platform.now_ts(),
        )
    poll_channel(channel_id=row.channel_id)
    item = InboxItem.objects.get(channel=row.channel, platform_id=stored["id"])
    assert item.post_id == row.platform_id
    return item


def _records(*, ground: str | None = None) -> dict[str, dict[str, Any]]:
    """The deleted-comment records, by the comment's platform id: their bodies."""
    rows = ArchiveRecord.objects.filter(kind="deleted_comment")
    if ground is not None:
        rows = rows.filter(ground=ground)
    bodies = [json.loads(r.canonical) for r in rows]
    return {b["where"]["item_id"]: b for b in bodies}


def _page_comments(row: PostChannel) -> int:
    """How many comments the page itself has written (a notice would be one, MO-4)."""
    with channel_connector(row.channel) as connector:
        comments = connector.platform.state["comments"].values()
        return sum(1 for c in comments if c["page_author"])


def test_the_comments_under_a_post_taken_down_are_archived_before_the_platform_deletes_it(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """MO-2: each comment and reply under the post is archived with its text, author,
    place and the take-down's reason, in the take-down's own transaction: the records
    are there before the worker runs and when the platform is asked to delete the post.
    The items leave the open inbox with no deadline; nobody is told (MO-4)."""
    w = world
    row = _published(w, django_capture_on_commit_callbacks)
    question = _comment(row, "Hvorfor er jeg på bildet uten å ha blitt spurt?", OLA)
    reply = _comment(row, "Det lurte jeg også på.", KARI, parent=question)
    assert question.open and reply.kind == "reply"

    seen_at_delete: list[set[str]] = []
    delete_post = SimulatedConnector.delete_post

    def delete_checking_the_archive(self, post_id):
        seen_at_delete.append(set(_records()))
        return delete_post(self, post_id)

    monkeypatch.setattr(SimulatedConnector, "delete_post", delete_checking_the_archive)

    with django_capture_on_commit_callbacks() as deletions:
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    # Decided and committed, the platform not yet called: both comments are archived.
    assert set(_records()) == {question.platform_id, reply.platform_id}
    assert texts_on(w.page, (TEXT,)) == [TEXT] and seen_at_delete == []
    for callback in deletions:
        callback()
    assert texts_on(w.page, (TEXT,)) == []
    assert seen_at_delete == [{question.platform_id, reply.platform_id}]

    records = _records()
    body = records[question.platform_id]
    assert body["said"]["text"] == "Hvorfor er jeg på bildet uten å ha blitt spurt?"
    assert body["author"]["name"] == "Ola Nordmann"
    assert body["author"]["platform_user_id"] == "sim-user-901"
    assert body["where"]["channel_id"] == w.page.pk
    assert body["where"]["post_id"] == row.platform_id
    assert body["action"] == "delete" and body["ground"] == ""
    assert "ble tatt ned" in body["justification"] and REASON in body["justification"]
    assert body["when"]["created"]
    assert body["actor"]["id"] == w.editor.pk
    assert records[reply.platform_id]["author"]["name"] == "Kari Nordmann"
    assert records[reply.platform_id]["said"]["text"] == "Det lurte jeg også på."

    for item in (question, reply):
        item.refresh_from_db()
        assert item.removed_at is not None and not item.open
        assert item.due_at is None
    assert question.close_reason == CloseReason.MODERATED
    # Not judged: no moderation decision; their authors were told privately (MO-4, s20).
    kinds = set(ModerationAction.objects.values_list("kind", "notice_state"))
    assert kinds == {("with_post", "sent")}
    assert _page_comments(row) == 0


def test_a_comment_that_came_in_before_the_worker_ran_is_archived_before_the_delete(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A comment that arrives after the take-down was decided, before the worker deletes
    the post, goes with the post as well: the worker archives it first (MO-2)."""
    w = world
    row = _published(w, django_capture_on_commit_callbacks)
    seen_at_delete: list[set[str]] = []
    delete_post = SimulatedConnector.delete_post

    def delete_checking_the_archive(self, post_id):
        seen_at_delete.append(set(_records()))
        return delete_post(self, post_id)

    monkeypatch.setattr(SimulatedConnector, "delete_post", delete_checking_the_archive)
    with django_capture_on_commit_callbacks() as deletions:
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    late = _comment(row, "Er det tatt ned nå?", OLA)
    for callback in deletions:
        callback()
    # Archived, and its author's private notice queued: the worker waits for it (MO-4).
    assert seen_at_delete == [] and set(_records()) == {late.platform_id}
    assert op_run(op_id=PlatformOp.objects.get(action__item=late).pk) == "done"
    row.refresh_from_db()
    assert row.next_attempt_at is not None  # the sweep looks again then
    assert delivery.take_down_due(now=row.next_attempt_at) == 1
    assert seen_at_delete == [{late.platform_id}]
    assert texts_on(w.page, (TEXT,)) == []
    late.refresh_from_db()
    assert late.removed_at is not None and not late.open


def test_a_retried_take_down_archives_nothing_twice(world, django_capture_on_commit_callbacks):
    """The platform refuses the deletion; the take-down is tried again. The comment
    archived the first time is not archived again; one that came in since is."""
    w = world
    row = _published(w, django_capture_on_commit_callbacks)
    first = _comment(row, "Fint tog i år!", OLA)
    with channel_connector(row.channel) as connector:
        connector.fail_next("delete_post", code=ErrorCode.PERMISSION, permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    assert texts_on(w.page, (TEXT,)) == [TEXT]  # still out: the deletion failed
    assert set(_records()) == {first.platform_id}
    # The comments' own records (on Indre Fosen each also gets an MO-4 note).
    comments = ArchiveRecord.objects.filter(kind="deleted_comment")
    count = comments.count()

    later = _comment(row, "Jeg er også med på bildet.", KARI)
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    assert texts_on(w.page, (TEXT,)) == []
    assert set(_records()) == {first.platform_id, later.platform_id}
    assert comments.count() == count + 1

    # Taken down: a third click changes nothing and archives nothing.
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    assert comments.count() == count + 1
    later.refresh_from_db()
    assert later.removed_at is not None and not later.open


def test_a_comment_moderation_deleted_is_not_archived_again(
    world, django_capture_on_commit_callbacks
):
    """A comment already deleted by moderation has its own record (on its ground): the
    take-down leaves it alone and archives only the rest."""
    from ordstyrer.moderation.services import comment_delete

    w = world
    row = _published(w, django_capture_on_commit_callbacks)
    spam = _comment(row, "Kjøp billige solbriller her!", OLA)
    kept = _comment(row, "Flott tog.", KARI)
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(
            actor=w.p.employee,
            item=spam,
            ground="spam",
            justification="Reklame for solbriller.",
            notify=False,
        )
    assert set(_records(ground="spam")) == {spam.platform_id}

    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    assert set(_records(ground="")) == {kept.platform_id}
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 2


def test_the_confirmation_says_how_many_comments_go_with_the_post(
    client, world, django_capture_on_commit_callbacks
):
    """The take-down's confirmation names the comments the platform deletes with the
    post and says they are archived first (MO-2)."""
    w = world
    row = _published(w, django_capture_on_commit_callbacks)
    question = _comment(row, "Hvem har tatt bildet?", OLA)
    _comment(row, "Kommunens fotograf, tror jeg.", KARI, parent=question)
    client.force_login(w.editor)
    url = reverse("publishing:take_down", args=[w.municipality.slug, row.post_id])
    page = client.get(url).content.decode()
    assert "2 kommentarer under innlegget slettes også; de arkiveres først (MO-2)." in page
