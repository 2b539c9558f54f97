"""A reply, or a reason to send it despite a warning, made only of invisible characters
(zero-width space U+200B, joiners U+200C/U+200D, word joiner U+2060, BOM U+FEFF) is no
text: DI-1 (an item counts as answered only for a reply a citizen can read) and the
"warn" rule (an override is recorded with who and why)."""

from __future__ import annotations

import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import ItemStatus, Reply, ReplyStatus
from ordstyrer.inbox.replies import ReplyRefused
from tests.api.conftest import ApiClient, token_for
from tests.inbox.conftest import comment, ingest

INVISIBLE = ["\u200b", "\u200c\u200d", " \u2060 ", "\ufeff", "\u200b\n\u200b"]
WARNS = "Ring servicetorget på 412 34 567, så hjelper de deg."  # PU-1 warns on a phone number


@pytest.mark.parametrize("text", INVISIBLE)
def test_an_invisible_reply_is_empty_and_nothing_is_queued(world, item, fake_platform, send, text):
    """DI-1: zero-width characters alone are refused as an empty reply."""
    with pytest.raises(ServiceError) as refused:
        send(actor=world.editor, item=item, text=text)
    assert str(refused.value.message) == "Svaret er tomt."
    assert Reply.objects.count() == 0 and fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


@pytest.mark.parametrize("reason", INVISIBLE)
def test_an_invisible_override_reason_is_no_reason(world, item, fake_platform, send, reason):
    """The "warn" rule: a warning is passed only with a reason a reader sees."""
    with pytest.raises(ReplyRefused) as refused:
        send(actor=world.editor, item=item, text=WARNS, override_reason=reason)
    assert refused.value.code == "needs_override"
    assert Reply.objects.count() == 0 and fake_platform.sent == []


def test_a_text_with_a_zero_width_character_inside_still_goes_out(world, item, fake_platform, send):
    """DI-1: only a text of nothing but invisible characters is empty."""
    text = "Svømme\u200bhallen åpner mandag."
    reply = send(actor=world.editor, item=item, text=text)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and fake_platform.sent == [("c1", text)]
    warned = send(
        actor=world.editor,
        item=ingest(world.channel, comment("c2")),
        text=WARNS,
        override_reason="\u200bServicetorgets eget nummer.",
    )
    assert warned.override_reason == "\u200bServicetorgets eget nummer."


def test_the_api_refuses_an_invisible_reply_naming_the_text_field(world, item, fake_platform):
    """DI-1 through the API: 422 naming body.text, as for a reply of spaces."""
    api = ApiClient(token_for(world.p.communications, world.municipality))
    response = api.post(
        f"/api/v1/m/{world.municipality.slug}/inbox/items/{item.pk}/replies", {"text": "\u200b"}
    )
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["body", "text"]
    assert problem["detail_nb"] == "Svaret er tomt."
    assert Reply.objects.count() == 0 and fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


def test_the_api_refuses_an_invisible_override_reason(world, item, fake_platform):
    """The "warn" rule through the API: 422 with the findings, nothing sent."""
    api = ApiClient(token_for(world.p.communications, world.municipality))
    response = api.post(
        f"/api/v1/m/{world.municipality.slug}/inbox/items/{item.pk}/replies",
        {"text": WARNS, "override_reason": "\u200b\ufeff"},
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "needs_override"
    assert Reply.objects.count() == 0 and fake_platform.sent == []
