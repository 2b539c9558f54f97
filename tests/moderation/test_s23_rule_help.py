"""MO-2, MO-3, MO-4, MO-6: the moderation panel's forms cite only the rules the
municipality's guideline has ("no more, no less").

The box «Si fra til forfatteren hvorfor (MO-4)» is offered only where the guideline does
not demand the notice (where MO-4 applies the panel says the author is told instead),
so it cited MO-4 exactly where the municipality does not have it (Rennebu, Midt-Telemark,
Birkenes). The justification's help cited MO-2 and the hide form's help MO-6 and MO-3
for every preset too. The forms now get the municipality's policy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.moderation.conftest import citizen_comment, client_for, make_world

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra! bit.ly/rask-gevinst"


def _item_page(world, item) -> str:
    client = client_for(world.main_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    page = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_mo_4_rennebu_offers_the_notice_without_citing_a_rule_it_lacks(clock):
    world = make_world("rennebu", "rennebu")
    html = _item_page(world, citizen_comment(world.channel, SPAM))
    assert "Si fra til forfatteren hvorfor</label>" in html
    assert "(MO-4)" not in html
    # Rennebu has MO-2 and MO-6, not MO-3.
    assert "Kort og saklig: den arkiveres sammen med kommentaren (MO-2)." in html
    assert "som dokumentasjon (MO-6). Den kan meldes til politiet." in html
    assert "(MO-3)" not in html


def test_mo_2_birkenes_justification_help_cites_no_rule(clock):
    world = make_world("birkenes", "birkenes")
    html = _item_page(world, citizen_comment(world.channel, SPAM))
    assert "Kort og saklig: den arkiveres sammen med kommentaren." in html
    assert "kommentaren (MO-2)." not in html
    assert "(MO-6)" not in html and "(MO-3)" not in html and "(MO-4)" not in html


def test_indre_fosen_cites_mo_2_and_mo_3_and_says_the_notice_is_demanded(world):
    html = _item_page(world, citizen_comment(world.channel, SPAM))
    assert "Kort og saklig: den arkiveres sammen med kommentaren (MO-2)." in html
    assert "som dokumentasjon. Den kan meldes til politiet (MO-3)." in html  # no MO-6
    assert "Forfatteren får beskjed om hvorfor (MO-4: retningslinjen krever det)." in html
    assert "Si fra til forfatteren hvorfor" not in html


def test_the_ban_form_shown_again_cites_the_municipality_s_rules_only(clock):
    """A ban posted with too short a justification comes back (400) through the view's
    own form: Birkenes has no MO-2 to cite there either."""
    world = make_world("birkenes", "birkenes")
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.main_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    page = client.post(
        reverse("moderation:ban", args=[world.municipality.slug, item.pk]),
        {"ground": "sensitive_information", "justification": "kort"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Kort og saklig: den arkiveres sammen med kommentaren." in html
    assert "Si fra til forfatteren hvorfor</label>" in html and "(MO-4)" not in html


def test_another_municipalitys_person_gets_no_panel(world):
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.p.outsider)
    page = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    assert page.status_code in (403, 404)
