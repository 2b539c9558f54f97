"""A retired channel holds no platform token and stays subscribed to no Page, however it
was retired (CH-1, CH-3): the console disconnects at once, the token sweep catches the
rest (the demo, a script, a request cut off between retiring and disconnecting)."""

from __future__ import annotations

from django.utils import timezone

from ordstyrer.channels import services as channel_services
from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from ordstyrer.platforms.sweeps import sweep_tokens
from tests.platforms.conftest import make_channel
from tests.platforms.test_connections import _connect, _connected_and_subscribed


def test_a_channel_retired_by_the_service_alone_is_disconnected_by_the_sweep(
    personas, fb_page
) -> None:
    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    channel_services.channel_retire(
        actor=personas.communications, channel=channel, reason="Enheten er lagt ned."
    )
    assert PlatformConnection.objects.get(channel=channel).token_encrypted  # still held

    sweep_tokens(now=timezone.now())

    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == ""
    entry = AuditEntry.objects.get(action="platform_disconnect", object_id=str(channel.pk))
    assert entry.actor is None  # the system did it, not a person
    sweep_tokens(now=timezone.now())  # nothing twice
    assert AuditEntry.objects.filter(action="platform_disconnect").count() == 1


def test_the_sweep_takes_the_app_off_a_retired_channels_page_before_forgetting_the_token(
    personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    connection = _connected_and_subscribed(personas, fb_page, django_capture_on_commit_callbacks)
    channel_services.channel_retire(
        actor=personas.communications, channel=connection.channel, reason="Slått sammen."
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_tokens(now=timezone.now())
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == "" and not connection.webhooks_subscribed
    assert fb_page.subscribed_fields == []


def test_a_channel_in_use_keeps_its_connection(personas, fb_page) -> None:
    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    sweep_tokens(now=timezone.now())
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status != ConnectionStatus.DISCONNECTED and connection.token_encrypted
