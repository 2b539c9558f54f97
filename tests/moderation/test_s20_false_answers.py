"""A platform's "no" is not recorded as done (MO-2, MO-4, MO-6).

Graph answers a hide, an unhide and a delete with `{"success": bool}` and a ban with
`{"<person id>": bool}` (spec §1.6, §1.7). The connectors used to return True whatever the
body said, and the outbox stored a ban's `{"changed": False}` without reading it: a ban
the platform refused was DONE while the person could still comment, a hidden comment was
hidden in our records only. Now an explicit false fails the step with its reason, and a
ban answer without the person's id is checked against the Page's block list. Run on a
Facebook Page served by the Graph stand-in (`graph.malform`); nothing of ours is mocked.
"""

from __future__ import annotations

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.bans import author_ban
from ordstyrer.moderation.models import ActionStatus, OpKind, OpStatus
from ordstyrer.moderation.services import comment_delete, comment_hide
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import make_personas
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

WHY = "Reklame for pengespill, lagt inn på flere innlegg."
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
AUTHOR = "5550001"


def facebook_comment(graph: FakeGraph):
    """A Facebook Page with one citizen's comment on it, polled into the inbox."""
    from ordstyrer.platforms.connections import connection_connect_system

    p = make_personas("neiby", "indre-fosen")
    page = graph.add_page("Neiby kommune")
    channel = make_channel(p, name="Neiby på Facebook", kind="facebook")
    connection_connect_system(channel=channel, account_id=page.id, token=SecretToken(page.token))
    post = graph.store.create_post(page, message="Skolestart", check_duplicate=False)
    comment = graph.store.add_comment(
        post.id, from_id=AUTHOR, from_name="Ola Nordmann", message=SPAM, created=graph.store.now()
    )
    poll_channel(channel_id=channel.pk)
    return p, page, InboxItem.objects.get(channel=channel, platform_id=comment.id)


def op_status(action, kind: str) -> str:
    return action.ops.get(kind=kind).status


def test_mo4_a_ban_the_platform_answers_false_fails_with_a_reason(graph: FakeGraph, run):
    p, _page, item = facebook_comment(graph)
    graph.malform(path="/blocked", method="POST", values={AUTHOR: False})

    ban = run(author_ban, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert ban.status == ActionStatus.FAILED
    assert "blokkeringen ikke ble utført" in ban.error
    assert op_status(ban, OpKind.BLOCK) == OpStatus.FAILED


def test_mo4_a_ban_answer_without_the_person_is_checked_against_the_block_list(
    graph: FakeGraph, run
):
    p, _page, item = facebook_comment(graph)
    # The answer names nobody, and the block list (read back) does not hold the person.
    graph.malform(path="/blocked", method="POST", body={})
    graph.malform(path="/blocked", method="GET", body={"data": []})

    ban = run(author_ban, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert ban.status == ActionStatus.FAILED and "blokkeringen" in ban.error
    assert ("GET", f"/{_page.id}/blocked") in graph.store.requests


def test_mo4_a_ban_answer_without_the_person_is_done_when_the_block_list_holds_them(
    graph: FakeGraph, run
):
    p, _page, item = facebook_comment(graph)
    graph.malform(path="/blocked", method="POST", body={})

    ban = run(author_ban, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert ban.status == ActionStatus.DONE
    assert op_status(ban, OpKind.BLOCK) == OpStatus.DONE


def test_mo6_a_hide_answered_false_leaves_the_item_not_hidden(graph: FakeGraph, run):
    p, _page, item = facebook_comment(graph)
    graph.malform(path=item.platform_id, method="POST", values={"success": False})

    action = run(comment_hide, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    assert "skjulingen ikke ble utført" in action.error
    item.refresh_from_db()
    assert not item.hidden


def test_mo2_a_delete_answered_false_fails_and_keeps_its_archive_record(graph: FakeGraph, run):
    p, _page, item = facebook_comment(graph)
    graph.malform(path=item.platform_id, method="DELETE", values={"success": False})

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.FAILED
    assert "slettingen ikke ble utført" in action.error
    assert op_status(action, OpKind.DELETE) == OpStatus.FAILED
    # Archived before anything happened on the platform (MO-2), and it stays.
    record = ArchiveRecord.objects.get(kind="deleted_comment")
    assert action.archive_record_id == record.pk and record.text == SPAM
    item.refresh_from_db()
    assert item.open and item.close_reason == ""
