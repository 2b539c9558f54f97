"""Session 19: a retired channel leaves nothing behind that still acts or asks (CH-1, CH-3).

Retiring used to say nothing of the posts scheduled on the channel (the copy there
failed later, in a sweep), and left the channel's platform connection and token in
place: it was checked daily, and a dead token brought re-authorisation e-mails and an
urgent start-page item that nobody could clear (a retired channel cannot be connected
again). Now the confirmation counts the scheduled posts, the retirement stops them on
the channel at once, the console disconnects the channel (the token forgotten), and a
retired channel's connection is neither checked nor flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelStatus
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.platforms import connections
from ordstyrer.platforms.health import checks_sweep, connection_flag_reauth
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from ordstyrer.publishing.models import DeliveryStatus, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.web.needs import what_needs_me
from tests.channels.conftest import active_channel
from tests.publishing.conftest import make_channel, make_world

pytestmark = pytest.mark.django_db

TOKEN_KEY = "b3Jkc3R5cmVyLXRlc3QtdG9rZW4ta2V5LTMyLWJ5dGU="


@pytest.fixture(autouse=True)
def _token_key(monkeypatch):
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(p, channel):
    return reverse("channels:act", args=[p.municipality.slug, channel.pk])


def _connected(p, **kw):
    """An active Facebook channel connected through Facebook Login (a token held)."""
    channel = active_channel(p, platform_id="1234567890", **kw)
    connections.connection_connect(
        actor=p.communications,
        channel=channel,
        account_id="1234567890",
        token=SecretToken("EAAB-sidetoken"),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.CONNECTED and connection.token_encrypted
    return channel


def _reauth_needs(user, p):
    needs = what_needs_me(user=user, municipality=p.municipality, now=timezone.now())
    return [need for need in needs.connections if need.key.startswith("reauth-")]


def test_the_confirmation_counts_the_scheduled_posts_and_retiring_stops_them_there():
    """CH-1: a post scheduled on the channel and on another one: the confirmation says
    it will not go out here, the retirement fails its copy here at once, and the copy on
    the other channel stays scheduled."""
    w = make_world("avvikle", "indre-fosen")
    p = w.p
    library = make_channel(p, name="Biblioteket", editor=w.editor)
    now = timezone.now()
    post = post_create(
        actor=w.editor,
        municipality=p.municipality,
        channel_ids=[w.page.pk, library.pk],
        text="Biblioteket holder stengt mandag.",
        publish_at=now + timedelta(days=2),
        now=now,
    )
    post = post_publish(
        actor=w.editor, post_id=post.pk, override_reason="Avtalt med biblioteket.", now=now
    )
    assert post.status == PostStatus.SCHEDULED
    elsewhere = post.deliveries.get(channel=w.page).status
    assert elsewhere in (DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED)

    preview = services.channel_retire_preview(
        actor=p.communications, channel=library, reason="Slått sammen med kommunesiden"
    )
    assert preview.planned_posts == 1
    client = _signed_in(p.communications)
    page = client.post(
        _act(p, library), {"action": "retire", "retire-reason": "Slått sammen med kommunesiden"}
    ).content.decode()
    assert "1 planlagt innlegg publiseres ikke på denne kanalen." in page
    assert "går det ut der som planlagt" in page
    library.refresh_from_db()
    assert library.status == ChannelStatus.ACTIVE  # nothing done before the confirmation

    response = client.post(
        _act(p, library),
        {"action": "retire", "retire-reason": "Slått sammen med kommunesiden", "confirmed": "1"},
    )
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.status == ChannelStatus.RETIRED
    there = post.deliveries.get(channel=library)
    assert there.status == DeliveryStatus.FAILED
    assert "Biblioteket" in there.error
    assert post.deliveries.get(channel=w.page).status == elsewhere  # goes out as planned


def test_retiring_in_the_console_disconnects_the_channel_and_forgets_the_token(personas):
    """CH-1, CH-3: connected, then retired: the confirmation says the channel is
    disconnected; afterwards the connection holds no token, is not checked, and asks
    nobody to connect it again."""
    p = personas
    channel = _connected(p)
    client = _signed_in(p.communications)
    reason = {"action": "retire", "retire-reason": "Kanalen er ikke lenger i bruk"}
    page = client.post(_act(p, channel), reason).content.decode()
    assert "Kanalen kobles fra plattformen, og tokenet slettes." in page
    response = client.post(_act(p, channel), {**reason, "confirmed": "1"})
    assert response.status_code == 302
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == ""
    assert checks_sweep(now=timezone.now() + timedelta(days=3)) == 0
    assert not connection_flag_reauth(channel_id=channel.pk, message="død", now=timezone.now())
    assert _reauth_needs(p.communications, p) == []
    assert _reauth_needs(p.employee, p) == []


def test_a_retired_channels_connection_is_neither_checked_nor_flagged(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    """CH-1: a channel retired while its connection stayed (retired before the console
    disconnected it, or by a script): the daily check passes it by, a dead token flags
    and mails nothing, and an old «needs re-authorisation» is no start-page item."""
    p = personas
    flagged = _connected(p, name="Gammel side")
    assert connection_flag_reauth(channel_id=flagged.pk, message="Token utløpt", now=timezone.now())
    assert [need.urgent for need in _reauth_needs(p.communications, p)] == [True]
    quiet = active_channel(p, name="Stille side", platform_id="222333444")
    connections.connection_connect(
        actor=p.communications,
        channel=quiet,
        account_id="222333444",
        token=SecretToken("EAAB-annet"),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )
    for channel in (flagged, quiet):
        services.channel_retire(actor=p.communications, channel=channel, reason="Ikke i bruk")

    assert _reauth_needs(p.communications, p) == []
    assert _reauth_needs(p.employee, p) == []
    assert checks_sweep(now=timezone.now() + timedelta(days=3)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert not connection_flag_reauth(
            channel_id=quiet.pk, message="Token utløpt", now=timezone.now()
        )
    assert PlatformConnection.objects.get(channel=quiet).status == ConnectionStatus.CONNECTED
    assert mailoutbox == []
