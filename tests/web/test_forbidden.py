"""The 403 page names the role that is needed and what the person can do instead (#15);
an outsider still gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_403_page_names_the_role_and_what_to_do():
    p = make_personas("nektby", "indre-fosen")
    url = reverse("moderation:settings", args=[p.municipality.slug])
    response = client_for(p.employee).get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Dette krever en av disse rollene: kommunedirektør/rådmann, kommunikasjon." in html
    assert "Hva kan du gjøre?" in html
    assert reverse("dashboard", args=[p.municipality.slug]) in html
    assert client_for(p.outsider).get(url).status_code == 404
