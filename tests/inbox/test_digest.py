"""The daily digest (#15), unit by unit: who gets which lines (DI-1, CH-5), what is left
out (spam, hateful speech, hidden comments are moderated, not answered), and the one
mail a day it becomes, with its counts in agreement («1 henvendelse», «2 henvendelser»)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.inbox.digest import digest_lines, send_digest
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.services import item_assign
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db

# Wednesday 09:00 in Oslo: the items below were due on Tuesday.
NEXT_MORNING = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)


def _overdue(world, cid: str, *, category: str = "question", hidden: bool = False):
    item = ingest(world.channel, comment(cid, "Når åpner svømmehallen?", author=f"u-{cid}"))
    InboxItem.objects.filter(pk=item.pk).update(
        category=category, hidden=hidden, due_at=NEXT_MORNING - timedelta(days=1)
    )
    return item


def test_moderated_items_are_left_out_and_only_the_right_people_get_lines(world):
    first, second = _overdue(world, "c1"), _overdue(world, "c2")
    _overdue(world, "c3", category="spam")
    _overdue(world, "c4", category="hate_speech")
    _overdue(world, "c5", hidden=True)
    lines = digest_lines(now=NEXT_MORNING)
    # CH-5: the channel's main administrator and communications; not its editor, not the
    # editor of another channel.
    expected = {world.p.employee.pk, world.p.communications.pk}
    assert set(lines) == expected
    for person in expected:
        assert [i.pk for i in lines[person]["overdue"]] == [first.pk, second.pk]
        assert lines[person]["soon"] == []


def test_an_item_near_its_deadline_goes_to_its_assignee_only(world):
    item = ingest(world.channel, comment("c1"))
    item_assign(actor=world.editor, item=item, assignee=world.editor)
    item.refresh_from_db()
    near = item.warn_at + timedelta(minutes=1)
    lines = digest_lines(now=near)
    assert set(lines) == {world.editor.pk}
    assert [i.pk for i in lines[world.editor.pk]["soon"]] == [item.pk]


def test_the_digest_is_one_mail_whose_counts_agree(world):
    _overdue(world, "c1")
    _overdue(world, "c2")
    mail.outbox.clear()
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert send_digest(user_id=world.p.communications.pk, at=NEXT_MORNING.isoformat()) == 1
        # Someone with nothing waiting gets nothing.
        assert send_digest(user_id=world.editor.pk, at=NEXT_MORNING.isoformat()) == 0
    (message,) = mail.outbox
    assert message.subject == "Ordstyrer: 2 over fristen, 0 nærmer seg"
    assert "2 henvendelser har passert fristen:" in message.body
    assert message.body.count(f"/m/{world.municipality.slug}/innboks/") == 3  # 2 items, 1 list
