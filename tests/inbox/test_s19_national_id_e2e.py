"""PU-1 (issue #18): a fødselsnummer written right after an office ("NAV-kontoret",
"servicekontoret") is a national ID number, not a bank account: the comment is masked
in the console and suggested hidden, and a reply naming one is refused outright, even
with an override reason."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.inbox.models import InboxItem, Reply
from ordstyrer.inbox.replies import ReplyRefused
from tests.inbox.conftest import comment, ingest

NUMBER = "15038545660"  # valid check digits (python-stdnum), shown as ******45660
TEXT = f"Har vært på NAV-kontoret to ganger, fnr {NUMBER}"


@pytest.fixture
def office_item(world) -> InboxItem:
    return ingest(world.channel, comment("c-kontor", TEXT))


def test_the_comment_is_marked_masked_and_suggested_hidden(world, office_item) -> None:
    """PU-1: marked as a national ID, masked on the item page and in the list."""
    assert any(mark["type"] == "national_id" for mark in office_item.personal_data)
    assert office_item.action == "hide"
    client = Client()
    client.force_login(world.editor)
    slug = world.municipality.slug
    page = client.get(f"/m/{slug}/innboks/{office_item.pk}/").content.decode()
    assert NUMBER not in page and "******45660" in page
    listing = client.get(f"/m/{slug}/innboks/").content.decode()
    assert NUMBER not in listing


def test_a_reply_naming_an_office_and_a_national_id_is_blocked(
    world, item, fake_platform, send
) -> None:
    """PU-1 blocks: no override reason lets it out."""
    text = f"Ring servicekontoret, fnr {NUMBER}"
    with pytest.raises(ReplyRefused) as refused:
        send(actor=world.editor, item=item, text=text, override_reason="Det er greit.")
    assert refused.value.code == "blocked" and refused.value.rule == "PU-1"
    assert Reply.objects.count() == 0 and fake_platform.sent == []
