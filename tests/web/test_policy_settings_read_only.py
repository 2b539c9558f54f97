"""The policy settings for someone who may only read them (a channel editor): the
fields are shown disabled, with no save button; a POST is still refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.tenants.selectors import policy_versions
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rule_controls(html: str) -> list[str]:
    """The form controls of the rules' sections (not the language switch or the menu),
    without the CSRF token and the hidden rule id."""
    sections = re.findall(r'<section class="rule-settings".*?</section>', html, re.S)
    assert sections, "the page shows the rules' settings"
    return [
        tag
        for section in sections
        for tag in CONTROL.findall(section)
        if 'type="hidden"' not in tag
    ]


def test_a_channel_editor_sees_the_settings_disabled_and_cannot_save_them():
    w = make_world("lesby", "indre-fosen")
    url = reverse("policy_settings", args=[w.municipality.slug])
    editor = client_for(w.editor)
    html = editor.get(url).content.decode()
    assert "Du kan lese innstillingene." in html
    controls = rule_controls(html)
    assert controls and all(" disabled" in tag for tag in controls), [
        tag for tag in controls if " disabled" not in tag
    ]
    assert 'name="DI-1-reason"' not in html  # no reason to give for a change not allowed
    assert ">Lagre</button>" not in html

    # A POST (forged, or from a page open since before the role was taken away) is
    # still refused, and nothing is stored.
    response = editor.post(
        url,
        {
            "rule": "DI-1",
            "DI-1-param__first_response_hours": "1",
            "DI-1-param__answer_hours": "2",
            "DI-1-reason": "Raskere svar.",
        },
        follow=True,
    )
    assert "Bare kommunikasjon og kommunedirektøren kan endre dette." in (response.content.decode())
    assert policy_versions(municipality=w.municipality) == []


def test_communications_gets_live_fields_and_a_save_button():
    w = make_world("skrivby", "indre-fosen")
    html = client_for(w.p.communications).get(
        reverse("policy_settings", args=[w.municipality.slug])
    )
    html = html.content.decode()
    # PU-12's crisis settings are the chief administrator's (test_s20_policy_update).
    crisis = [tag for tag in rule_controls(html) if "PU-12" in tag]
    controls = [tag for tag in rule_controls(html) if "PU-12" not in tag]
    assert controls and not any(" disabled" in tag for tag in controls)
    assert crisis and all(" disabled" in tag for tag in crisis)
    assert ">Lagre</button>" in html and "Du kan lese innstillingene." not in html


def test_an_outsider_gets_404():
    w = make_world("utby", "indre-fosen")
    url = reverse("policy_settings", args=[w.municipality.slug])
    assert client_for(w.p.outsider).get(url).status_code == 404
