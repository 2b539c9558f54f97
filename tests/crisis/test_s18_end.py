"""PU-12: a confirmation to end a crisis ends the crisis it was shown for, never another
one declared since: a stale "Avslutt krisen" says the crisis has ended already."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ordstyrer.core.errors import Conflict
from ordstyrer.crisis.selectors import active_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_end

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_stale_end_confirmation_does_not_end_a_newer_crisis(world):
    m = world.municipality
    url = f"/m/{m.slug}/krise/avslutt/"
    flom = crisis_declare(municipality=m, name="Flom", actor=world.p.crisis_leader)
    comms = client_for(world.p.communications)
    page = comms.get(url).content.decode()
    assert "Flom" in page
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    form.pop("csrfmiddlewaretoken", None)
    form["confirm"] = "yes"

    crisis_end(municipality=m, actor=world.p.crisis_leader)
    skred = crisis_declare(municipality=m, name="Skred", actor=world.p.crisis_leader)
    stale = comms.post(url, form, follow=True)

    assert "Krisen er allerede avsluttet." in stale.content.decode()
    assert "Krisen «Skred» er avsluttet." not in stale.content.decode()
    assert active_crisis(municipality=m) == skred
    assert flom.pk != skred.pk


def test_the_service_ends_only_the_crisis_named(world):
    m = world.municipality
    flom = crisis_declare(municipality=m, name="Flom", actor=world.p.crisis_leader)
    crisis_end(municipality=m, actor=world.p.crisis_leader)
    skred = crisis_declare(municipality=m, name="Skred", actor=world.p.crisis_leader)
    with pytest.raises(Conflict) as refused:
        crisis_end(municipality=m, actor=world.p.crisis_leader, crisis_id=flom.pk)
    assert "Krisen er allerede avsluttet." in str(refused.value)
    assert active_crisis(municipality=m) == skred
    assert crisis_end(municipality=m, actor=world.p.crisis_leader, crisis_id=skred.pk) == skred
    assert active_crisis(municipality=m) is None


def test_the_current_confirmation_still_ends_it(world):
    m = world.municipality
    url = f"/m/{m.slug}/krise/avslutt/"
    crisis = crisis_declare(municipality=m, name="Flom", actor=world.p.crisis_leader)
    comms = client_for(world.p.communications)
    assert f'name="crisis" value="{crisis.pk}"' in comms.get(url).content.decode()
    done = comms.post(url, {"crisis": crisis.pk, "confirm": "yes"}, follow=True)
    assert "Krisen «Flom» er avsluttet." in done.content.decode()
    assert active_crisis(municipality=m) is None
    mangled = crisis_declare(municipality=m, name="Ras", actor=world.p.crisis_leader)
    page = comms.post(url, {"crisis": "x1", "confirm": "yes"}, follow=True)
    assert "Skjemaet kunne ikke leses." in page.content.decode()
    assert active_crisis(municipality=m) == mangled
