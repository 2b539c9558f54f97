"""PU-12: the crisis page, the declaration's confirmation and the banner say what a crisis
really does here. Where the municipality lets replies (or posts) through in a crisis —
the supported override of `approve_replies` / `approve_posts` — they never say those
wait for the crisis leader."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.tenants.services import policy_update

pytestmark = pytest.mark.django_db

BOTH_WAIT = "alle nye innlegg og svar venter på kriseleder"
QUEUED_WAIT = "Svar som står i kø, men ikke er sendt ennå, venter også på kriselederen."
BANNER_BOTH = "Alle innlegg og svar venter på kriselederen før de publiseres (PU-12)."


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def let_through(world, **params: bool) -> None:
    policy_update(
        actor=world.p.chief_administrator,  # PU-12 is the rådmann's
        municipality=world.municipality,
        overrides={"PU-12": params},
        reason="Går ut under krise.",
    )


def test_where_replies_go_through_nothing_says_they_wait(world):
    let_through(world, approve_replies=False)
    leader = client_for(world.p.crisis_leader)
    url = f"/m/{world.municipality.slug}/krise/"

    page = leader.get(url).content.decode()
    assert BOTH_WAIT not in page
    assert "alle nye innlegg venter på kriseleder. Svar går ut som vanlig" in page

    confirm = leader.post(f"{url}erklaer/", {"name": "Flom"}).content.decode()
    assert "Bekreft: erklær krise" in confirm
    assert BOTH_WAIT not in confirm and QUEUED_WAIT not in confirm
    assert "Svar går ut som vanlig og føres i kriseloggen." in confirm

    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    home = leader.get(f"/m/{world.municipality.slug}/").content.decode()
    assert 'class="crisis-banner"' in home and BANNER_BOTH not in home
    assert "Alle innlegg venter på kriselederen før de publiseres; svar går ut som vanlig" in home


def test_where_posts_and_replies_go_through_the_banner_says_so(world):
    let_through(world, approve_posts=False, approve_replies=False)
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    editor = client_for(world.editor).get(f"/m/{world.municipality.slug}/").content.decode()
    assert BANNER_BOTH not in editor
    assert "Nye innlegg og svar går ut som vanlig og føres i kriseloggen (PU-12)." in editor


def test_by_default_posts_and_replies_wait_as_before(world):
    leader = client_for(world.p.crisis_leader)
    url = f"/m/{world.municipality.slug}/krise/"
    confirm = leader.post(f"{url}erklaer/", {"name": "Flom"}).content.decode()
    assert BOTH_WAIT in confirm and QUEUED_WAIT in confirm
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    assert BANNER_BOTH in leader.get(url).content.decode()
