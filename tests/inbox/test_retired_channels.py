"""A retired channel says nothing more in the municipality's name, and its inbox is
settled (CH-1, CH-3; QA: replies still went out on «Rissa skole» after it was retired,
and its 80 open items stayed open and overdue for ever)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelEvent
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem, ItemStatus, ItemVersion, Reply, ReplyStatus
from ordstyrer.inbox.replies import reply_deliver, reply_send
from ordstyrer.inbox.selectors import overdue_counts
from tests.inbox.conftest import TUESDAY, comment, ingest

LATER = TUESDAY + timedelta(minutes=20)
MUCH_LATER = TUESDAY + timedelta(days=3)  # past every deadline


def retire(world, reason: str = "Skolen bruker nettsiden i stedet.") -> None:
    channel_services.channel_retire(actor=world.p.employee, channel=world.channel, reason=reason)
    world.channel.refresh_from_db()


def test_retiring_settles_the_open_items_and_keeps_them_on_record(
    world, fake_platform, django_capture_on_commit_callbacks
):
    items = [ingest(world.channel, comment(f"c{i}")) for i in range(3)]
    answered = items[0]
    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply_send(actor=world.editor, item=answered, text="Svømmehallen åpner mandag.")
    elsewhere = ingest(world.other_channel, comment("o1"))
    with time_machine.travel(MUCH_LATER, tick=False):
        assert overdue_counts([world.channel.pk])[world.channel.pk] == 2
        retire(world)
        assert overdue_counts([world.channel.pk]) == {}
    for item in items[1:]:
        item.refresh_from_db()
        assert (item.status, item.open) == (ItemStatus.CLOSED, False)
        closing = item.events.get(action="close")
        assert "avviklet" in closing.text and "nettsiden i stedet" in closing.text
        assert closing.actor == world.p.employee and closing.data["channel_retired"] is True
    answered.refresh_from_db()
    assert answered.status == ItemStatus.ANSWERED  # already done: left as it was
    elsewhere.refresh_from_db()
    assert elsewhere.open  # another channel's items are not touched
    # Nothing deleted (AR-3): the items, their texts and the audit trail stay.
    assert InboxItem.objects.filter(channel=world.channel).count() == 3
    assert ItemVersion.objects.filter(item__channel=world.channel).count() == 3
    assert AuditEntry.objects.filter(action="inbox_close").count() == 2
    event = ChannelEvent.objects.get(channel=world.channel, action="retire")
    assert event.to_status == "retired"
    assert AuditEntry.objects.get(action="channel_retire").data["inbox_items_closed"] == 2


def test_no_reply_goes_out_on_a_retired_channel(world, fake_platform):
    item = ingest(world.channel, comment("c1"))
    retire(world)
    item.refresh_from_db()
    for actor in (world.editor, world.p.communications):
        with pytest.raises(ServiceError) as refused:
            reply_send(actor=actor, item=item, text="Svømmehallen åpner mandag.")
        assert refused.value.code == "channel_inactive" and refused.value.rule == "CH-1"
        assert "ikke i bruk" in str(refused.value.message)
    assert Reply.objects.count() == 0 and fake_platform.sent == []


def test_a_reply_waiting_to_go_out_is_withdrawn_when_the_channel_is_retired(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # queued, not yet sent
            reply = reply_send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
        retire(world)
        assert reply_deliver(reply_id=reply.pk) == ReplyStatus.FAILED
    assert fake_platform.sent == []
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED and "avviklet" in reply.error
    item.refresh_from_db()
    # Put back as it was before the reply, then settled with the channel's other items.
    assert (item.status, item.open) == (ItemStatus.CLOSED, False)
    actions = list(item.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[-2:] == ["reply_failed", "close"]


def test_a_reply_queued_before_and_delivered_after_the_retirement_is_not_sent(world, fake_platform):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False):
        reply = Reply.objects.create(
            item=item,
            author=world.editor,
            text="Svømmehallen åpner mandag.",
            effect="answer",
            created_at=LATER,
            status=ReplyStatus.QUEUED,
        )
        # The channel was retired in a race the withdrawal did not see.
        type(world.channel).objects.filter(pk=world.channel.pk).update(status="retired")
        assert reply_deliver(reply_id=reply.pk) == ReplyStatus.FAILED
    assert fake_platform.sent == []


def test_replies_still_go_out_on_a_paused_channel(
    world, fake_platform, django_capture_on_commit_callbacks
):
    """A pause stops using the channel for a while (docs/channels.md); its comments still
    come in and are owed an answer (DI-1), so replies go out there."""
    item = ingest(world.channel, comment("c1"))
    channel_services.channel_pause(actor=world.p.employee, channel=world.channel, reason="Ferie")
    item.refresh_from_db()
    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply_send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    assert fake_platform.sent == [("c1", "Svømmehallen åpner mandag.")]


def test_the_console_refuses_a_reply_on_a_retired_channel(world, fake_platform):
    item = ingest(world.channel, comment("c1"))
    retire(world)
    client = Client()
    client.force_login(world.editor)
    response = client.post(
        f"/m/{world.municipality.slug}/innboks/{item.pk}/svar/",
        {"text": "Svømmehallen åpner mandag."},
    )
    assert response.status_code in (400, 409)
    assert "ikke i bruk" in response.content.decode()
    assert fake_platform.sent == [] and Reply.objects.count() == 0
    # An outsider still gets nothing (404), as everywhere in the inbox.
    outsider = Client()
    outsider.force_login(world.p.outsider)
    assert outsider.get(f"/m/{world.municipality.slug}/innboks/{item.pk}/").status_code == 404
