"""Session 22: a stale «Bekreft: koble fra» disconnected a connection made after the
page was shown (CH-3). Kari opened the confirmation for the Page; meanwhile the channel
was disconnected and connected again; her old tab (or Back and resend) posted
`confirmed=1` and the new connection was disconnected — the app taken off the Page,
comments no longer reaching the inbox (DI-1) — and the page said it was done.

Now the form names the connection it showed (its id and when it was connected): a
connection made since is not disconnected, and the page says so as information, as a
stale crisis end or proposal decision does with what it showed."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import ERROR, INFO, SUCCESS

from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from tests.platforms.conftest import make_channel
from tests.platforms.test_s21_confirm_disconnect import _connect, _said, _signed_in, _url

pytestmark = pytest.mark.django_db

STALE = (
    "Kanalen er koblet til på nytt etter at du åpnet bekreftelsen. Ingenting er koblet fra. "
    "Åpne bekreftelsen på nytt hvis den nye tilkoblingen skal kobles fra."
)


@pytest.fixture
def subscribed(personas, graph, fb_page, django_capture_on_commit_callbacks):
    """A Facebook channel connected to its Page, the app on the Page (webhooks)."""
    channel = make_channel(personas)
    with django_capture_on_commit_callbacks(execute=True):
        _connect(channel, fb_page, personas.communications)
    return PlatformConnection.objects.get(channel=channel)


def _confirmation_form(client, channel) -> dict[str, str]:
    """What the confirmation page's form posts: its hidden fields, as written."""
    page = client.get(_url(channel, "koble-fra/"))
    assert page.status_code == 200
    form = page.content.decode().split('<form method="post"')[-1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _disconnects() -> int:
    return AuditEntry.objects.filter(action="platform_disconnect").count()


def test_ch3_a_stale_confirmation_leaves_a_connection_made_since(
    personas, subscribed, fb_page, django_capture_on_commit_callbacks
):
    """CH-3, DI-1: the confirmation opened for the first connection, the channel
    disconnected and connected again, then the old form posted: the new connection stays
    connected, its token and the app on the Page kept, and the page says why nothing
    was done — as information, not success."""
    channel = subscribed.channel
    kari = _signed_in(personas.communications)
    old_form = _confirmation_form(kari, channel)
    assert old_form["confirmed"] == "1"
    with django_capture_on_commit_callbacks(execute=True):
        kari.post(_url(channel, "koble-fra/"), _confirmation_form(kari, channel))
        _connect(channel, fb_page, personas.communications)
    fresh = PlatformConnection.objects.get(channel=channel)
    assert fresh.status == ConnectionStatus.CONNECTED and fresh.webhooks_subscribed
    assert _disconnects() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = kari.post(_url(channel, "koble-fra/"), old_form)
    assert response.status_code == 302 and response["Location"] == _url(channel)
    assert _said(response)[-1] == (INFO, STALE)  # after the first disconnect's
    fresh.refresh_from_db()
    assert fresh.status == ConnectionStatus.CONNECTED
    assert fresh.token_encrypted and fresh.webhooks_subscribed
    assert fb_page.subscribed_fields == ["feed"]
    assert _disconnects() == 1


def test_ch3_the_confirmation_shown_disconnects_the_connection_it_showed(
    personas, subscribed, django_capture_on_commit_callbacks
):
    """CH-3: the form of a confirmation that still shows the connection disconnects it,
    as before; its replay says «allerede koblet fra»."""
    channel = subscribed.channel
    kari = _signed_in(personas.communications)
    form = _confirmation_form(kari, channel)
    assert form["connection"] == str(subscribed.pk)
    response = kari.post(_url(channel, "koble-fra/"), form)
    assert _said(response) == [
        (SUCCESS, "Kanalen er koblet fra. Tokenet slettes når appen er fjernet fra siden hos Meta.")
    ]
    assert PlatformConnection.objects.get(pk=subscribed.pk).status == (
        ConnectionStatus.DISCONNECTED
    )
    again = kari.post(_url(channel, "koble-fra/"), form)
    assert _said(again)[-1] == (INFO, "Kanalen er allerede koblet fra. Ingenting er endret.")
    assert _disconnects() == 1


@pytest.mark.parametrize(
    "mangled",
    [
        {"connection": "1x", "connected_at": "2026-01-05T10:00:00+00:00"},
        {"connection": "١", "connected_at": "2026-01-05T10:00:00+00:00"},
        {"connection": "1", "connected_at": "i går"},
        {"connection": "1", "connected_at": "2026-01-05T10:00:00"},  # no time zone
        {"connection": "1", "connected_at": ""},
        {"connection": "", "connected_at": "2026-01-05T10:00:00+00:00"},
        {"connection": "1", "connected_at": "2026-01-05T10:00:00\x00+00:00"},
    ],
)
def test_ch3_a_mangled_confirmation_disconnects_nothing(personas, subscribed, mangled):
    """CH-3: values the page never writes are refused with the form's own words, and no
    connection is disconnected on a guess."""
    channel = subscribed.channel
    response = _signed_in(personas.communications).post(
        _url(channel, "koble-fra/"), {"confirmed": "1", **mangled}
    )
    assert response.status_code == 302 and response["Location"] == _url(channel)
    assert _said(response) == [
        (ERROR, "Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
    ]
    assert PlatformConnection.objects.get(pk=subscribed.pk).status == ConnectionStatus.CONNECTED
    assert _disconnects() == 0
