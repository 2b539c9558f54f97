"""The end's confirmation says who decides on the paused posts (PU-12): «til du har
bestemt» only to someone who does (`may_decide_paused_posts`); the chief administrator,
who ends the crisis in Birkenes and Gausdal but does not decide on paused posts as such,
is told who does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.crisis.test_s20_paused_decide import _client, _paused_post
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

YOU = "blir stående til du har bestemt"
THEM = "blir stående til kriselederen, kommunikasjon eller forfatteren har bestemt"


@pytest.mark.parametrize("preset", ["birkenes", "gausdal"])
def test_pu12_the_chief_administrator_is_told_who_decides(preset):
    w = make_world(f"s20endc{preset[:3]}", preset=preset)
    _paused_post(w)
    url = reverse("crisis:end", args=[w.municipality.slug])
    body = _client(w.p.chief_administrator).get(url).content.decode()
    assert THEM in body and YOU not in body


def test_pu12_the_crisis_leader_is_told_it_is_theirs():
    w = make_world("s20endl", preset="birkenes")
    _paused_post(w)
    url = reverse("crisis:end", args=[w.municipality.slug])
    body = _client(w.p.crisis_leader).get(url).content.decode()
    assert YOU in body and THEM not in body
