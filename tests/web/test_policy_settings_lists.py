"""Settings in Norwegian (#15): every label of the policy settings is Norwegian; the
approval chain, the grounds and the plan fields are chosen from lists, not typed as
codes; a refused value is shown next to its field with what was typed kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.tenants.selectors import policy_for, policy_versions
from tests.conftest import make_personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_settings_are_norwegian_and_chosen_from_lists():
    p = make_personas("listeby", "indre-fosen")
    url = reverse("policy_settings", args=[p.municipality.slug])
    client = client_for(p.communications)
    html = client.get(url).content.decode()
    for english in ("Approval chain", "Lix max", "First response hours", "Grounds"):
        assert english not in html
    assert "Første svar innen (arbeidstimer)" in html and "Godkjenner, steg 1" in html
    assert re.search(
        r'<input type="checkbox" name="MO-1-param__grounds" value="spam"[^>]*checked', html
    )
    assert "Én verdi per linje" not in html.split('id="rule-MO-1"')[1].split("</section>")[0]

    # The approval chain, step by step: communications first, then the chief administrator.
    response = client.post(
        url,
        {
            "rule": "CH-1",
            "CH-1-param__approval_chain__1": "communications",
            "CH-1-param__approval_chain__2": "chief_administrator",
            "CH-1-reason": "Rådmannen godkjenner nye kanaler etter kommunikasjon.",
        },
    )
    assert response.status_code == 302
    assert list(policy_for(municipality=p.municipality).params("CH-1")["approval_chain"]) == [
        "communications",
        "chief_administrator",
    ]
    # The grounds as checkboxes.
    client.post(
        url,
        {
            "rule": "MO-1",
            "MO-1-param__grounds": ["spam", "hate_speech"],
            "MO-1-reason": "Bare spam og hatefulle ytringer slettes.",
        },
    )
    assert set(policy_for(municipality=p.municipality).grounds()) == {"spam", "hate_speech"}
    # A refused number: shown next to the field, what was typed kept.
    bad = client.post(
        url,
        {
            "rule": "DI-1",
            "DI-1-param__first_response_hours": "-3",
            "DI-1-param__answer_hours": "6",
            "DI-1-reason": "Test",
        },
    )
    body = bad.content.decode()
    assert 'class="field-error"' in body and 'value="-3"' in body
    assert len(policy_versions(municipality=p.municipality)) == 2
    assert client_for(p.outsider).get(url).status_code == 404
