"""Session 21: «Koble fra og slett tokenet» disconnected a channel from its Page in one
click, with nothing to say what follows, and a double click's second request found the
connection disconnected and still said «…og tokenet er slettet» as a success, though a
subscribed Page keeps its token until the app is off it (`UNSUBSCRIBE_GRACE`).

Now «Koble fra …» opens a confirmation page (CH-3: a deliberate act) that says what
follows: Meta's changes no longer reach the channel, new comments stay out of the inbox
until it is connected again, the app is taken off the Page, and the token is forgotten
once it is off (or at once). Only its posted form (`confirmed=1`) disconnects; a replay
says «allerede koblet fra» as information, claiming nothing about the token."""

from __future__ import annotations

import pytest
from django.contrib.messages import INFO, SUCCESS, get_messages
from django.test import Client

from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms import connections
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from tests.inbox.conftest import text_of
from tests.platforms.conftest import make_channel

pytestmark = pytest.mark.django_db

ALREADY = "Kanalen er allerede koblet fra. Ingenting er endret."


def _url(channel, name: str = "") -> str:
    return f"/m/{channel.municipality.slug}/kanaler/{channel.pk}/tilkobling/{name}"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _connect(channel, page, actor, *, kind: str = "facebook"):
    extra = {"page_id": page.id, "account_id": page.ig_user_id} if kind == "instagram" else {}
    return connections.connection_connect(
        actor=actor,
        channel=channel,
        **{"account_id": page.id, **extra},
        token=SecretToken(page.token),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )


def _disconnects() -> int:
    return AuditEntry.objects.filter(action="platform_disconnect").count()


@pytest.fixture
def subscribed(personas, graph, fb_page, django_capture_on_commit_callbacks):
    """A Facebook channel connected to its Page, the app on the Page (webhooks)."""
    channel = make_channel(personas)
    with django_capture_on_commit_callbacks(execute=True):
        _connect(channel, fb_page, personas.communications)
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.webhooks_subscribed and fb_page.subscribed_fields == ["feed"]
    return connection


def test_ch3_the_status_page_links_to_the_confirmation_and_disconnects_nothing(
    personas, subscribed
):
    """CH-3: the connection page offers «Koble fra …», a link to the confirmation; there
    is no one-click form that disconnects."""
    channel = subscribed.channel
    page = _signed_in(personas.communications).get(_url(channel)).content.decode()
    assert f'<a class="button" href="{_url(channel, "koble-fra/")}">Koble fra …</a>' in page
    assert "Koble fra og slett tokenet" not in page
    assert f'<form method="post" action="{_url(channel, "koble-fra/")}"' not in page


def test_ch3_the_confirmation_says_what_follows_and_changes_nothing(personas, subscribed):
    """CH-3: the page names the Page and says what disconnecting does — no more changes
    from Meta, no new comments in the inbox until connected again, the app off the Page,
    the token forgotten after that (at the latest after the grace) — and changes nothing."""
    channel = subscribed.channel
    response = _signed_in(personas.communications).get(_url(channel, "koble-fra/"))
    assert response.status_code == 200
    words = text_of(response.content.decode())
    assert "Bekreft at «Eksempel kommune» kobles fra" in words
    assert f"Facebook-side {subscribed.account_name or '–'} ({subscribed.account_id})" in words
    assert "Ingenting er gjort ennå." in words
    for said in (
        "Endringer fra Meta (webhooks) sendes ikke lenger til kanalen: nye kommentarer og "
        "meldinger kommer ikke inn i innboksen før kanalen er koblet til på nytt.",
        "Ordstyrer tar appen av siden hos Meta, så Meta slutter å sende endringer fra siden.",
        "Deretter slettes tokenet, uansett hva Meta svarer – senest etter 1 time.",
    ):
        assert said in words
    assert "Tokenet slettes med en gang." not in words
    html = response.content.decode()
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert "checked" not in html  # nothing pre-selected
    subscribed.refresh_from_db()
    assert subscribed.status == ConnectionStatus.CONNECTED and subscribed.token_encrypted
    assert _disconnects() == 0


def test_ch3_a_post_without_the_confirmation_renders_it_and_disconnects_nothing(
    personas, subscribed, django_capture_on_commit_callbacks
):
    """CH-3: the old one-click form (a page opened before) posts without `confirmed`: it
    gets the confirmation page, and the connection, token and Page subscription stay."""
    channel = subscribed.channel
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(personas.communications).post(_url(channel, "koble-fra/"))
    assert response.status_code == 200
    assert "Dette skjer når du bekrefter" in text_of(response.content.decode())
    subscribed.refresh_from_db()
    assert subscribed.status == ConnectionStatus.CONNECTED
    assert subscribed.token_encrypted and subscribed.webhooks_subscribed
    assert _disconnects() == 0


def test_ch3_the_confirmed_post_disconnects_once_and_a_replay_claims_no_deleted_token(
    personas, subscribed
):
    """CH-3: the confirmed post disconnects (the unsubscribe task not run yet: the token
    is kept for it) and says so truthfully; the replay — a double click — finds it
    disconnected, says «allerede koblet fra» as information and never that the token is
    deleted, which it is not."""
    channel = subscribed.channel
    client = _signed_in(personas.communications)
    first = client.post(_url(channel, "koble-fra/"), {"confirmed": "1"})
    assert first.status_code == 302 and first["Location"] == _url(channel)
    assert _said(first) == [
        (SUCCESS, "Kanalen er koblet fra. Tokenet slettes når appen er fjernet fra siden hos Meta.")
    ]
    subscribed.refresh_from_db()
    assert subscribed.status == ConnectionStatus.DISCONNECTED
    assert subscribed.unsubscribe_pending and subscribed.token_encrypted

    again = client.post(_url(channel, "koble-fra/"), {"confirmed": "1"}, follow=True)
    assert _said(again)[-1] == (INFO, ALREADY)  # after the first one's, not yet shown
    assert not any("slettet" in text for _level, text in _said(again))
    assert _disconnects() == 1
    assert PlatformConnection.objects.get(pk=subscribed.pk).token_encrypted  # kept, as said


def test_ch3_the_confirmation_of_a_disconnected_channel_says_so(personas, subscribed):
    """CH-3: opening the confirmation once the channel is disconnected (the browser's
    back) says so and offers nothing."""
    channel = subscribed.channel
    client = _signed_in(personas.communications)
    client.post(_url(channel, "koble-fra/"), {"confirmed": "1"})
    response = client.get(_url(channel, "koble-fra/"))
    assert response.status_code == 302 and response["Location"] == _url(channel)
    assert _said(response)[-1] == (INFO, ALREADY)
    assert _disconnects() == 1


def test_ch3_a_page_another_channel_needs_keeps_the_app_and_the_page_says_so(
    personas, graph, fb_page, django_capture_on_commit_callbacks
):
    """CH-3: an Instagram channel whose linked Page the Page's own channel needs: the app
    stays on the Page, the token goes at once — the page says that, not the removal."""
    page_channel = make_channel(personas, name="Siden")
    ig_channel = make_channel(personas, kind="instagram", name="Instagram-kontoen")
    with django_capture_on_commit_callbacks(execute=True):
        _connect(ig_channel, fb_page, personas.communications, kind="instagram")
        _connect(page_channel, fb_page, personas.communications)
    client = _signed_in(personas.communications)
    words = text_of(client.get(_url(ig_channel, "koble-fra/")).content.decode())
    assert (
        "Appen blir værende på siden hos Meta, fordi en annen kanal i Ordstyrer bruker den "
        "samme siden. Tokenet til denne kanalen slettes med en gang." in words
    )
    assert "tar appen av siden" not in words
    done = client.post(_url(ig_channel, "koble-fra/"), {"confirmed": "1"})
    assert _said(done) == [(SUCCESS, "Kanalen er koblet fra, og tokenet er slettet.")]
    assert PlatformConnection.objects.get(channel=ig_channel).token_encrypted == ""
    assert fb_page.subscribed_fields == ["feed"]


def test_ch3_an_outsider_gets_404_and_a_moderator_403(personas, subscribed):
    """CH-3: another municipality's person does not learn the channel exists; a member
    who does not manage it may not open the confirmation either."""
    channel = subscribed.channel
    url = _url(channel, "koble-fra/")
    assert _signed_in(personas.outsider).get(url).status_code == 404
    assert _signed_in(personas.outsider).post(url, {"confirmed": "1"}).status_code == 404
    assert _signed_in(personas.archivist).get(url).status_code == 403
    assert _signed_in(personas.archivist).post(url, {"confirmed": "1"}).status_code == 403
    assert PlatformConnection.objects.get(pk=subscribed.pk).status == ConnectionStatus.CONNECTED
