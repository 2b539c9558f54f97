"""Another citizen's reply under a comment that is gone gets no answer deadline (DI-1).

A comment deleted by the municipality (MO-2: archived first), or removed by its author,
takes its replies with it on Facebook and Instagram, and our answer would go under the
removed comment: a reply under it that arrives later (webhook or poll) cannot be
answered. Before this it landed in the work list with a running deadline it could only
miss, in the overdue counts and the response-time report. It is now kept and listed (in
«Alle», in the thread, searchable), closed on arrival as «Svar under en fjernet
kommentar», without a deadline — a question to the municipality too, as it cannot be
answered there either. One that must be moderated is listed open like any comment. A
reply under a comment merely hidden by the municipality is answered like any other
(DI-1, DI-3): the comment is still there.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from ordstyrer.connectors.base import Author, Comment
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.inbox.models import CloseReason, InboxItem, ItemStatus
from ordstyrer.inbox.reports import response_report
from ordstyrer.inbox.selectors import overdue_counts
from ordstyrer.inbox.services import item_set_status
from ordstyrer.moderation.models import ActionStatus
from ordstyrer.moderation.services import comment_delete, comment_hide
from tests.moderation.conftest import T0, citizen_comment, client_for
from tests.moderation.conftest import make_world as make_mod_world

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
REPLY_AT = T0 + timedelta(hours=1)
DAYS_LATER = T0 + timedelta(days=4)
QUESTION = "Hei kommunen! Når kommer det nye tider for bussen til skolen?"
OTHER = ("sim-user-777", "Kari Hansen")


@pytest.fixture
def mod(db):
    with time_machine.travel(T0, tick=False):
        return make_mod_world("s19-fjernet")


def _ingest(channel, comment: Comment, at) -> InboxItem:
    with time_machine.travel(at, tick=False):
        item = inbox_ingest(channel=channel, comment=comment, received_at=at)
    assert item is not None
    return item


def _reply(
    mod, parent: InboxItem, text: str = QUESTION, *, cid: str = "reply-1", who=OTHER, at=REPLY_AT
) -> InboxItem:
    """Another citizen's reply under `parent`, delivered (webhook or poll) at `at`."""
    return _ingest(
        mod.channel,
        Comment(
            id=cid,
            post_id=parent.post_id,
            author=Author(id=who[0], name=who[1]),
            text=text,
            created_at=at,
            parent_id=parent.platform_id,
        ),
        at,
    )


def _delete(mod, root: InboxItem, capture, *, run_outbox: bool = True):
    with time_machine.travel(T0, tick=False), capture(execute=run_outbox):
        action = comment_delete(actor=mod.admin, item=root, ground="spam", justification=WHY)
    action.refresh_from_db()
    return action


def _deleted_root(mod, capture) -> InboxItem:
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    assert _delete(mod, root, capture).status == ActionStatus.DONE
    root.refresh_from_db()
    assert root.removed_at is not None
    return root


def _no_deadline(mod, item: InboxItem) -> None:
    item.refresh_from_db()
    assert item.listed and not item.open
    assert item.status == ItemStatus.CLOSED
    assert item.close_reason == CloseReason.PARENT_REMOVED
    assert item.text  # kept: nothing is lost
    assert item.due_at is None and item.first_response_due is None
    assert item.resolution_due is None and item.warn_at is None
    with time_machine.travel(DAYS_LATER, tick=False):
        assert overdue_counts([mod.channel.pk]) == {}


def _report_items(mod) -> int:
    with time_machine.travel(DAYS_LATER, tick=False):
        report = response_report(
            user=mod.main_admin,
            municipality=mod.municipality,
            since=date(2026, 5, 1),
            until=date(2026, 5, 31),
            now=DAYS_LATER,
        )
    return report.total.items


def test_a_reply_under_a_deleted_comment_gets_no_deadline(mod, django_capture_on_commit_callbacks):
    """DI-1: the reply is kept and listed, but it is not waiting for an answer it cannot
    get, nor counted in the response-time report."""
    root = _deleted_root(mod, django_capture_on_commit_callbacks)
    before = _report_items(mod)

    reply = _reply(mod, root, "Enig, slike annonser hører ikke hjemme her.")

    _no_deadline(mod, reply)
    assert reply.parent_platform_id == root.platform_id and reply.conversation_id is None
    assert _report_items(mod) == before
    root.refresh_from_db()
    assert root.status == ItemStatus.CLOSED and root.reopened_count == 0


def test_a_question_to_the_municipality_under_a_deleted_comment_gets_no_deadline(
    mod, django_capture_on_commit_callbacks
):
    """DI-1: a question is answered — where it can be. Under a deleted comment our answer
    would go under the removed comment, and the question is gone with it."""
    root = _deleted_root(mod, django_capture_on_commit_callbacks)

    reply = _reply(mod, root, QUESTION)

    _no_deadline(mod, reply)


def test_a_reply_while_the_deletion_runs_gets_no_deadline(mod, django_capture_on_commit_callbacks):
    """Decided and archived first (MO-2), not yet gone from the platform: it will be, and
    its replies with it (DI-1)."""
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, SPAM)
    action = _delete(mod, root, django_capture_on_commit_callbacks, run_outbox=False)
    assert action.status == ActionStatus.QUEUED

    reply = _reply(mod, root)

    _no_deadline(mod, reply)


def test_a_reply_under_a_comment_its_author_removed_gets_no_deadline(mod):
    """DI-1: the author's removal takes the replies with it too."""
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, "Hvorfor er veien ikke brøytet ennå?")
    _ingest(
        mod.channel,
        Comment(
            id=root.platform_id,
            post_id=root.post_id,
            author=Author(id=root.author_platform_id, name=root.author_name),
            text=root.text,
            created_at=T0,
            parent_id=None,
            removed=True,
        ),
        T0 + timedelta(minutes=30),
    )
    root.refresh_from_db()
    assert root.close_reason == CloseReason.AUTHOR_REMOVED

    _no_deadline(mod, _reply(mod, root))


def test_replies_further_down_a_removed_thread_get_no_deadline(
    mod, django_capture_on_commit_callbacks
):
    """DI-1: a reply to the reply, and the replying citizen's own follow-up, are gone with
    the thread too: neither opens anything again."""
    root = _deleted_root(mod, django_capture_on_commit_callbacks)
    reply = _reply(mod, root)

    third = _reply(
        mod, reply, "Jeg lurer på det samme.", cid="reply-2", who=("sim-user-555", "Per Berg")
    )
    again = _reply(mod, reply, "Hallo? Noen der?", cid="reply-3", at=REPLY_AT + timedelta(hours=1))

    _no_deadline(mod, third)
    reply.refresh_from_db()
    assert reply.status == ItemStatus.CLOSED and reply.reopened_count == 0
    assert reply.close_reason == CloseReason.PARENT_REMOVED
    again.refresh_from_db()
    assert not again.open and again.conversation_id == reply.pk


def test_a_reply_that_must_be_moderated_is_still_listed_open(
    mod, django_capture_on_commit_callbacks
):
    """PU-1, MO-1: personal data is moderated wherever it is written; the reply is listed
    and worked on like any comment."""
    root = _deleted_root(mod, django_capture_on_commit_callbacks)

    reply = _reply(mod, root, "Fødselsnummeret mitt er 01010112345, ring meg.")

    reply.refresh_from_db()
    assert reply.listed and reply.open and reply.status == ItemStatus.NEW
    assert reply.due_at is not None and reply.close_reason == ""


def test_a_reply_under_a_hidden_comment_keeps_its_deadline(mod, django_capture_on_commit_callbacks):
    """DI-1, DI-3: a comment the municipality hid is still on the platform (and may be
    shown again): a reply under it can be answered, and is waited for like any other."""
    with time_machine.travel(T0, tick=False):
        root = citizen_comment(mod.channel, "Dette er helt håpløst, kommune!")
        with django_capture_on_commit_callbacks(execute=True):
            comment_hide(actor=mod.admin, item=root)
    root.refresh_from_db()
    assert root.hidden and root.removed_at is None

    reply = _reply(mod, root)

    reply.refresh_from_db()
    assert reply.listed and reply.open and reply.status == ItemStatus.NEW
    assert reply.due_at is not None and reply.close_reason == ""
    with time_machine.travel(DAYS_LATER, tick=False):
        assert overdue_counts([mod.channel.pk]) == {mod.channel.pk: 1}


def test_the_item_page_says_there_is_no_deadline(mod, django_capture_on_commit_callbacks):
    """DI-1: the page says why there is no deadline, and offers no reply that could not be
    delivered; the removed comment shows in the thread."""
    root = _deleted_root(mod, django_capture_on_commit_callbacks)
    reply = _reply(mod, root)

    with time_machine.travel(REPLY_AT, tick=False):
        page = client_for(mod.admin).get(
            reverse("inbox:detail", args=[mod.municipality.slug, reply.pk]),
            HTTP_ACCEPT_LANGUAGE="nb",
        )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Lukket – Svar under en fjernet kommentar" in html
    assert "Ingen: den står under en kommentar som er fjernet" in html
    assert "(DI-1)" in html
    assert "slettet av kommunen" in html
    assert 'id="reply-heading"' not in html
    assert QUESTION in html


def test_a_person_cannot_close_with_the_systems_reason(mod):
    """The reason is the system's, like an author's removal (DI-1)."""
    with time_machine.travel(T0, tick=False):
        item = citizen_comment(mod.channel, QUESTION)
        with pytest.raises(ServiceError):
            item_set_status(
                actor=mod.admin, item=item, action="close", close_reason="parent_removed"
            )
    item.refresh_from_db()
    assert item.open
