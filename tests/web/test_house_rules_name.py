"""QA: a municipality that follows another municipality's guideline (the demo follows
Indre Fosen's) published house rules titled with the other municipality's name. The
rules' words and citations stay the guideline's; the title is whose pages they are."""

from __future__ import annotations

import pytest
from django.test import Client

from ordstyrer.policy import load_policy
from ordstyrer.policy.render import render_house_rules
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db


def test_house_rules_carry_the_municipalitys_own_name() -> None:
    p = make_personas("innby", "indre-fosen")
    channel = active_channel(p, name="Skolen", kind="simulated")
    client = Client()
    client.force_login(p.communications)
    for url in ("/m/innby/husregler/", f"/m/innby/kanaler/{channel.pk}/husregler/"):
        html = client.get(url).content.decode()
        assert "Regler for Innby kommunes sider i sosiale medier" in html, url
        assert "Indre Fosen kommunes sider" not in html, url


def test_without_a_name_the_presets_municipality_is_used() -> None:
    text = render_house_rules(load_policy("indre-fosen", {}), "md", "nn")
    assert "Reglar for sidene til Indre Fosen kommune i sosiale medium" in text
