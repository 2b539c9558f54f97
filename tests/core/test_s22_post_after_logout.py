"""Session 22: a form sent after the session ended led to a blank 405 page and the act
was silently dropped. A tab left open past SSO's ten hours posted «Erklær krise» (or
«Sett på pause», «Avslutt» on a closure …); the login page sent the person back to the
form's POST-only URL, which the browser then asked for with a GET: 405, no body.

Now the console (`core.console.municipality_view`, one place for every console view)
says after the login that the form was not sent, and leads back to the page the form was
on; a GET of a POST-only URL otherwise gets a Norwegian 405 page. Nothing is ever done
on a GET."""

from __future__ import annotations

import pytest
from django.contrib.messages import WARNING, get_messages
from django.test import Client
from django.urls import reverse

from ordstyrer.channels.models import Channel, ChannelStatus
from ordstyrer.crisis.models import Crisis
from tests.channels.conftest import active_channel
from tests.factories import PASSWORD
from tests.inbox.conftest import text_of

pytestmark = pytest.mark.django_db

LOGGED_OUT = "Skjemaet ble ikke sendt fordi du var logget ut. Prøv igjen."


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _sign_in_after(client: Client, posted) -> str:
    """Sign in on the page the posted form was sent to; where the login leads."""
    assert posted.status_code == 302
    login = posted["Location"]
    assert login.startswith("/logg-inn/?next=")
    signed = client.post(login, {"username": client.username, "password": PASSWORD})
    assert signed.status_code == 302
    return signed["Location"]


def _logged_out(user) -> Client:
    """The browser of someone whose session has ended (nothing signed in)."""
    client = Client()
    client.username = user.username
    return client


def test_a_form_posted_after_the_session_ended_leads_back_to_its_page_and_says_so(personas):
    """A pause posted from the channel page after the session ended: after the login the
    person is back on the channel page, told the form was not sent; the channel is not
    paused — neither by the post nor by the GET that follows the login."""
    channel = active_channel(personas)
    page = reverse("channels:detail", args=[personas.municipality.slug, channel.pk])
    url = reverse("channels:act", args=[personas.municipality.slug, channel.pk])
    client = _logged_out(personas.communications)
    posted = client.post(
        url,
        {"action": "pause", "pause-reason": "Ferie"},
        headers={"referer": f"http://testserver{page}"},
    )
    back = _sign_in_after(client, posted)
    assert back == url

    response = client.get(back)
    assert response.status_code == 302 and response["Location"] == page
    shown = client.get(page)
    assert shown.status_code == 200
    assert (WARNING, LOGGED_OUT) in _said(shown)
    assert LOGGED_OUT in text_of(shown.content.decode())
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.ACTIVE

    # Said once: the same URL again is a POST-only URL asked for with a GET.
    again = client.get(url)
    assert again.status_code == 405
    assert LOGGED_OUT not in again.content.decode()


def test_without_the_page_it_came_from_it_leads_to_the_start_page(personas):
    """No Referer (a browser that sends none): the municipality's start page says it."""
    url = reverse("crisis:declare", args=[personas.municipality.slug])
    client = _logged_out(personas.crisis_leader)
    back = _sign_in_after(client, client.post(url, {"name": "Flom", "confirmed": "1"}))
    response = client.get(back)
    dashboard = reverse("dashboard", args=[personas.municipality.slug])
    assert response.status_code == 302 and response["Location"] == dashboard
    assert (WARNING, LOGGED_OUT) in _said(client.get(dashboard))
    assert not Crisis.objects.exists()


def test_a_page_of_its_own_shows_the_form_again_and_says_so(personas):
    """A form whose URL also shows it (the channel proposal): after the login its GET
    shows the empty form again, with the message; nothing is proposed."""
    url = reverse("channels:propose", args=[personas.municipality.slug])
    client = _logged_out(personas.employee)
    back = _sign_in_after(client, client.post(url, {"name": "Ungdomsklubben", "kind": "facebook"}))
    response = client.get(back)
    assert response.status_code == 200
    assert LOGGED_OUT in text_of(response.content.decode())
    assert not Channel.objects.filter(name="Ungdomsklubben").exists()


@pytest.mark.parametrize(
    ("name", "args"),
    [("crisis:declare", []), ("channels:act", [1]), ("channels:roles", [1])],
)
def test_a_get_of_a_post_only_url_is_a_norwegian_405(personas, name, args):
    """Signed in, no form lost: a GET of a POST-only URL gets the console's 405 page in
    Bokmål, with the methods it takes — never Django's empty one, never the act."""
    channel = active_channel(personas)
    args = [channel.pk] if args else []
    client = Client()
    client.force_login(personas.communications)
    response = client.get(reverse(name, args=[personas.municipality.slug, *args]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    words = text_of(response.content.decode())
    assert "Siden kan ikke åpnes slik" in words
    assert "Denne adressen tar bare imot skjemaer" in words
    assert not Crisis.objects.exists()
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.ACTIVE


def test_an_outsider_after_login_gets_404_and_no_message(personas):
    """The note leads nowhere for someone not of the municipality: 404, as before."""
    url = reverse("crisis:declare", args=[personas.municipality.slug])
    client = _logged_out(personas.outsider)
    back = _sign_in_after(client, client.post(url, {"name": "Flom"}))
    assert client.get(back).status_code == 404
    assert not Crisis.objects.exists()
