"""«Dette venter på deg» (#15): the start page shows each person what they can act on —
overdue and soon-due items, approvals waiting for them, notices and platform calls that
failed, channels needing follow-up (with the reason), connection problems — each count
linking to the filtered list; Moderering is in the menu for those who moderate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels import services as channel_services
from ordstyrer.inbox.models import ChannelPoll, InboxItem
from ordstyrer.moderation.models import ModerationAction
from tests.channels.conftest import propose
from tests.factories import PASSWORD
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db):
    return make_world("trengerby")


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_start_page_says_what_needs_me(world):
    slug = world.municipality.slug
    now = timezone.now()
    late = citizen_comment(world.channel, "Når åpner svømmehallen?")
    soon = citizen_comment(world.other_channel, "Hvor kan jeg parkere?", author=("u-2", "Per"))
    InboxItem.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=3), open=True)
    InboxItem.objects.filter(pk=soon.pk).update(
        warn_at=now - timedelta(minutes=5), due_at=now + timedelta(hours=1), open=True
    )
    proposal = propose(world.p, name="Kulturskolen")
    channel_services.channel_submit(actor=world.p.employee, channel=proposal)
    spam = citizen_comment(world.channel, SPAM, author=("u-3", "Rask Gevinst"))
    action = ModerationAction.objects.create(
        municipality=world.municipality,
        channel=world.channel,
        item=spam,
        kind="delete",
        status="done",
        requested_at=now,
        notice_state="failed",
        notice_text="Hei!",
        notice_error="Kommentering er slått av for innlegget.",
    )
    ChannelPoll.objects.update_or_create(
        channel=world.other_channel,
        defaults={
            "next_poll_at": now,
            "failures": 4,
            "last_error": "Tilgangen til siden er trukket tilbake.",
        },
    )

    html = client_for(world.p.communications).get(reverse("dashboard", args=[slug]))
    body = html.content.decode()
    assert html.status_code == 200 and "Dette venter på deg" in body
    inbox = reverse("inbox:list", args=[slug])
    assert "1 henvendelse har passert fristen." in body and f'href="{inbox}?frist=passert"' in body
    assert "1 henvendelse nærmer seg fristen." in body
    log = reverse("moderation:log", args=[slug])
    assert "1 beskjed til en forfatter kom ikke fram (MO-4)." in body
    assert f'href="{log}?vis=failed"' in body
    assert "Ordstyrer får ikke hentet kommentarer fra Biblioteket." in body
    assert "Tilgangen til siden er trukket tilbake." in body
    # The menu: Moderering for those who moderate.
    assert f'href="{log}"' in body and ">Moderering</a>" in body
    assert action.pk

    # The unit leader decides the proposal first (CH-1 chain: unit leader, communications).
    leader = client_for(world.p.unit_leader).get(reverse("dashboard", args=[slug]))
    assert "1 kanal venter på din godkjenning (CH-1)." in leader.content.decode()
    assert "Kulturskolen" in leader.content.decode()
    assert ">Moderering</a>" not in leader.content.decode()  # moderates no channel

    # The other channel's administrator sees only their own channel's needs.
    other = client_for(world.other_admin).get(reverse("dashboard", args=[slug])).content.decode()
    assert "1 henvendelse nærmer seg fristen." in other
    assert "har passert fristen" not in other and "kom ikke fram" not in other
    assert ">Moderering</a>" in other


def test_nothing_waiting_and_outsiders(world):
    slug = world.municipality.slug
    body = client_for(world.p.archivist).get(reverse("dashboard", args=[slug])).content.decode()
    assert "Ingenting venter på deg akkurat nå." in body
    assert client_for(world.p.outsider).get(reverse("dashboard", args=[slug])).status_code == 404


def test_a_channel_never_connected_is_not_polled_but_shown_as_waiting_to_connect(world):
    """A live Facebook channel with no connection is no failing poll ("Innstillingen
    «token» mangler") but a channel its main administrator must connect."""
    from ordstyrer.channels.models import Channel
    from ordstyrer.inbox.polling import polls_sweep

    slug = world.municipality.slug
    page = Channel.objects.create(
        municipality=world.municipality,
        kind="facebook",
        name="Foreldresiden",
        status="active",
        created_at=timezone.now(),
        proposed_by=world.p.employee,
    )
    polls_sweep(now=timezone.now())
    assert not ChannelPoll.objects.filter(channel=page).exists()

    body = client_for(world.p.communications).get(reverse("dashboard", args=[slug]))
    text = body.content.decode()
    assert "Foreldresiden er ikke koblet til Facebook ennå." in text
    assert reverse("platforms:connection", kwargs={"slug": slug, "pk": page.pk}) in text
    assert "Ordstyrer får ikke hentet kommentarer fra Foreldresiden" not in text

    # Once it has a token, it is polled like any other.
    Channel.objects.filter(pk=page.pk).update(connector_config={"token": "x"})
    polls_sweep(now=timezone.now())
    assert ChannelPoll.objects.filter(channel=page).exists()
    text = client_for(world.p.communications).get(reverse("dashboard", args=[slug]))
    assert "Foreldresiden er ikke koblet til" not in text.content.decode()
