"""A channel's name goes into every archive record of the channel and from there into the
exports' XML (AR-2): the proposal form refuses one with control characters in Norwegian,
and keeps an ordinary name as written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.channels.models import Channel

pytestmark = pytest.mark.django_db


def _propose(client, p, name: str):
    client.force_login(p.employee)
    url = reverse("channels:propose", args=[p.municipality.slug])
    return client.post(url, {"name": name, "kind": "facebook"})


@pytest.mark.parametrize(
    "name",
    [
        "Rissa\x0bskole",  # vertical tab (a trailing one is stripped with the spaces)
        "Rissa skole\x01!",
        "Rissa\x1fskole",
        "Rissa\x85skole",  # C1: next line
        "Rissa\tskole",
        "Rissa\uffffskole",
    ],
)
def test_a_name_with_control_characters_is_refused(client, personas, name):
    response = _propose(client, personas, name)

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Navnet kan ikke inneholde kontrolltegn."]
    assert "Navnet kan ikke inneholde kontrolltegn." in response.content.decode()
    assert not Channel.objects.exists()


def test_an_ordinary_name_is_kept(client, personas):
    response = _propose(client, personas, "Rissa skole – 8.–10. trinn ✏️")

    assert response.status_code == 302
    assert Channel.objects.get().name == "Rissa skole – 8.–10. trinn ✏️"
