"""CH-4, CH-3: the publishing sub-menu offers only pages the person may open.

The chief administrator holds editorial responsibility (CH-4) and opens the approvals,
a post and the settings, but does not publish (CH-3). The sub-menu on those pages
linked to «Innlegg», «Nytt innlegg», «Kalender» and «Bilder og samtykker» all the same,
and each answered 403. They are now shown only when the pages' own access check
(`access.may_publish_here`, through the `may_publish_in` tag) passes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="Publisering" class="subnav">(.*?)</nav>', re.S)


def _nav_links(client: Client, url: str) -> list[str]:
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nb")
    assert page.status_code == 200
    nav = NAV.search(page.content.decode())
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(1))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ch_4_the_chief_administrator_is_offered_no_page_that_refuses():
    p = make_personas("navby")
    client = _client(p.chief_administrator)
    links = _nav_links(client, reverse("publishing:approvals", args=["navby"]))
    assert links == [
        reverse("publishing:approvals", args=["navby"]),
        reverse("publishing:settings", args=["navby"]),
    ]
    for href in links:
        assert client.get(href).status_code == 200, href


def test_ch_3_a_publisher_is_offered_every_publishing_page():
    p = make_personas("navby")
    client = _client(p.communications)
    links = _nav_links(client, reverse("publishing:approvals", args=["navby"]))
    names = ("index", "compose", "approvals", "calendar", "media", "settings")
    assert links == [reverse(f"publishing:{name}", args=["navby"]) for name in names]
    for href in links:
        assert client.get(href).status_code == 200, href


def test_another_municipalitys_person_gets_no_menu_of_this_one():
    p = make_personas("navby")
    page = _client(p.outsider).get(reverse("publishing:approvals", args=["navby"]))
    assert page.status_code in (403, 404)
