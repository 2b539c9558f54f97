"""QA: a follow-up that must be moderated is reachable and actionable (PU-1, MO-1).

A citizen's reply under their own comment is folded into that conversation. When it
holds a fødselsnummer, or is harmful, it is listed on its own (the work list, its
moderation panel, the automatic rules), and the conversation's page links to it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.selectors import InboxFilter, inbox_page
from ordstyrer.inbox.services import item_set_status
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.auto import auto_moderate, auto_sweep, validate_rules
from ordstyrer.moderation.models import ActionKind, ModerationAction
from tests.factories import PASSWORD
from tests.inbox.conftest import TUESDAY, comment, ingest

pytestmark = pytest.mark.django_db

LATER = TUESDAY + timedelta(hours=1)
NATIONAL_ID = "Eg kan gje dykk fødselsnummeret mitt: 01017012343"


def _answered_conversation(world) -> InboxItem:
    root = ingest(world.channel, comment("c206", "Når kjem svaret på søknaden min om SFO?"))
    with time_machine.travel(TUESDAY + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.editor, item=root, action="answer")
    root.refresh_from_db()
    return root


def _follow_up(world, text: str = NATIONAL_ID, cid: str = "c389") -> InboxItem:
    with time_machine.travel(LATER, tick=False):
        item = ingest(world.channel, comment(cid, text, parent="c206", created=LATER), LATER)
    assert item is not None
    return item


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_follow_up_with_a_national_id_is_listed_and_worked_on_like_any_comment(world):
    root = _answered_conversation(world)
    follow = _follow_up(world)
    assert follow.action == "hide"
    assert any(m["type"] == "national_id" for m in follow.personal_data)
    # In its conversation (the thread), but listed, open and with its own deadlines.
    assert follow.conversation_id == root.pk
    assert follow.listed and follow.open and follow.status == ItemStatus.NEW
    assert follow.due_at is not None and follow.due_at > LATER
    page = inbox_page(
        user=world.editor, municipality=world.municipality, filters=InboxFilter(), now=LATER
    )
    assert follow.pk in [row.pk for row in page.items]
    # The follow-up carries the work: the answered conversation is not reopened (the
    # report counts the work once), and its timeline says the citizen wrote again.
    root.refresh_from_db()
    assert root.status == ItemStatus.ANSWERED and not root.open
    event = root.events.get(action="follow_up")
    assert event.data == {"follow_up_id": follow.pk, "listed": True}


def test_a_harmless_follow_up_is_still_folded_into_the_conversation(world):
    root = _answered_conversation(world)
    follow = _follow_up(world, "Gjeld det også for haustferien?")
    assert follow.conversation_id == root.pk and not follow.listed and not follow.open
    root.refresh_from_db()
    assert root.status == ItemStatus.REOPENED


def test_a_follow_up_edited_to_hold_a_national_id_is_listed_from_then_on(world):
    root = _answered_conversation(world)
    follow = _follow_up(world, "Gjeld det også for haustferien?")
    assert not follow.listed
    edited_at = LATER + timedelta(minutes=10)
    with time_machine.travel(edited_at, tick=False):
        ingest(
            world.channel,
            comment("c389", NATIONAL_ID, parent="c206", created=LATER, edited=True),
            edited_at,
        )
    follow.refresh_from_db()
    assert follow.action == "hide"
    assert follow.listed and follow.open and follow.status == ItemStatus.NEW
    assert follow.started_at == edited_at and follow.due_at > edited_at
    assert root.events.filter(action="follow_up", data__listed=True).exists()


def test_the_conversation_page_links_to_each_follow_up_item(world):
    root = _answered_conversation(world)
    follow = _follow_up(world)
    slug = world.municipality.slug
    html = _client(world.editor).get(reverse("inbox:detail", args=[slug, root.pk])).content
    assert reverse("inbox:detail", args=[slug, follow.pk]) in html.decode()
    # The follow-up's own page has the reply box and the status forms: it is worked on.
    own = _client(world.editor).get(reverse("inbox:detail", args=[slug, follow.pk]))
    assert own.status_code == 200
    assert reverse("inbox:reply", args=[slug, follow.pk]) in own.content.decode()
    # Another municipality's user still gets nothing.
    outsider = _client(world.p.outsider).get(reverse("inbox:detail", args=[slug, follow.pk]))
    assert outsider.status_code == 404


def test_the_automatic_rules_see_a_follow_up_that_needs_moderation(world):
    _answered_conversation(world)
    follow = _follow_up(world)
    settings = settings_for(world.municipality)
    settings.auto_rules = validate_rules([{"category": follow.category, "action": "flag"}])
    settings.save()
    with time_machine.travel(LATER + timedelta(minutes=1), tick=False):
        assert auto_sweep(now=LATER + timedelta(minutes=1)) >= 1
    assert ModerationAction.objects.filter(item=follow, kind=ActionKind.FLAG).exists()


def test_an_automatic_rule_applies_to_a_folded_follow_up_too(world):
    _answered_conversation(world)
    follow = _follow_up(world, "Gjeld det også for haustferien?")
    assert not follow.listed
    rules = [{"category": follow.category, "action": "flag"}]
    with time_machine.travel(LATER + timedelta(minutes=1), tick=False):
        done = auto_moderate(item=follow, rules=rules, now=LATER + timedelta(minutes=1))
    assert done == ["flag"]
