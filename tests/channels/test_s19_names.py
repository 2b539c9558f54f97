"""A channel's name is checked by the services that name a channel, not only by the
proposal form: the demo, imports and scripts call `channel_propose` and `channel_update`
directly. The name goes into every archive record of the channel and from there into the
exports' XML (AR-2); a proposal names its channel (CH-1, CH-2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel
from ordstyrer.core.errors import ServiceError
from tests.channels.conftest import propose

pytestmark = pytest.mark.django_db

REFUSED = [
    ("Rissa\x0bskole", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("Rissa skole\x01!", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("Rissa\x85skole", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("Rissa\tskole", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("Rissa\nskole", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("Rissa\uffffskole", "Navnet kan ikke inneholde kontrolltegn.", "control_characters"),
    ("R" * 121, "Navnet på kanalen kan ha høyst 120 tegn.", "name_too_long"),
    ("   ", "Kanalen må ha et navn.", "name_missing"),
    ("\u200b\u200d", "Kanalen må ha et navn.", "name_missing"),
]


@pytest.mark.parametrize(("name", "message", "code"), REFUSED)
def test_proposing_refuses_a_name_the_form_would_refuse(personas, name, message, code):
    """AR-2, CH-1: `channel_propose` itself refuses the name, in Norwegian."""
    with pytest.raises(ServiceError) as refused:
        propose(personas, name=name)

    assert str(refused.value.message) == message
    assert refused.value.code == code
    assert not Channel.objects.exists()


@pytest.mark.parametrize(("name", "message", "code"), REFUSED)
def test_renaming_refuses_a_name_the_form_would_refuse(personas, name, message, code):
    """AR-2, CH-1: `channel_update` refuses it too, and the channel keeps its name."""
    channel = propose(personas, name="Rissa skole")

    with pytest.raises(ServiceError) as refused:
        services.channel_update(actor=personas.employee, channel=channel, name=name)

    assert str(refused.value.message) == message
    assert refused.value.code == code
    channel.refresh_from_db()
    assert channel.name == "Rissa skole"


def test_a_name_is_stored_as_written_without_the_spaces_around_it(personas):
    """AR-2: an ordinary name is kept, 120 characters included."""
    channel = propose(personas, name="  Rissa skole – 8.–10. trinn ✏️ ")
    assert channel.name == "Rissa skole – 8.–10. trinn ✏️"

    services.channel_update(actor=personas.employee, channel=channel, name="R" * 120)
    channel.refresh_from_db()
    assert channel.name == "R" * 120


def _form(**changes):
    data = {"name": "Rissa skole", "kind": "facebook"}
    data.update(changes)
    return data


def test_the_proposal_page_shows_the_services_refusal_at_the_name(client, personas):
    """CH-1: a name of zero-width characters only shows nothing; the page says why."""
    client.force_login(personas.employee)

    response = client.post(
        reverse("channels:propose", args=[personas.municipality.slug]), _form(name="\u200b")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Kanalen må ha et navn."]
    assert "Kanalen må ha et navn." in response.content.decode()
    assert not Channel.objects.exists()


def test_the_edit_page_refuses_a_new_name_with_control_characters(client, personas):
    """AR-2: renaming on the edit page is held to the same check."""
    channel = propose(personas, name="Rissa skole")
    client.force_login(personas.employee)
    url = reverse("channels:edit", args=[personas.municipality.slug, channel.pk])

    response = client.post(url, _form(name="Rissa skole\x7f"))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Navnet kan ikke inneholde kontrolltegn."]
    channel.refresh_from_db()
    assert channel.name == "Rissa skole"
