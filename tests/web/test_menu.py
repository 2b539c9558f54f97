"""The console menu (`web.templatetags.console_menu`) is kept per process for each
(language, municipality, rights): these show that no one is served another person's,
another municipality's or another language's menu from it (#14)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.tenants.models import Role
from tests.factories import MunicipalityFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def menu(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<ul class="nav">') : page.index("</nav>")]


def links(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', nav)


def test_each_municipality_gets_its_own_links(personas):
    second = MunicipalityFactory(slug="andreby", name="Andreby kommune", preset="rennebu")
    RoleAssignmentFactory(user=personas.employee, municipality=second, role=Role.EMPLOYEE)
    client = Client()
    client.force_login(personas.employee)
    here = menu(client, reverse("dashboard", args=[personas.municipality.slug]))
    there = menu(client, reverse("dashboard", args=["andreby"]))
    home = reverse("home")
    assert [u for u in links(here) if u != home]
    assert all(u.startswith(f"/m/{personas.municipality.slug}/") for u in links(here) if u != home)
    assert all(u.startswith("/m/andreby/") for u in links(there) if u != home)
    # The same person, the same rights: the same entries, each municipality's own.
    assert len(links(here)) == len(links(there))


def test_switcher_only_for_members_of_several(personas):
    client = Client()
    client.force_login(personas.employee)
    url = reverse("dashboard", args=[personas.municipality.slug])
    assert "Bytt kommune" not in menu(client, url)
    second = MunicipalityFactory(slug="andreby", name="Andreby kommune", preset="rennebu")
    RoleAssignmentFactory(user=personas.employee, municipality=second, role=Role.EMPLOYEE)
    assert "Bytt kommune" in menu(client, url)
    assert "Bytt kommune" in menu(client, reverse("dashboard", args=["andreby"]))


def test_rights_change_the_menu_of_the_same_page(personas):
    url = reverse("dashboard", args=[personas.municipality.slug])
    employee, communications = Client(), Client()
    employee.force_login(personas.employee)
    communications.force_login(personas.communications)
    for _ in range(2):  # the second time from the process's cache
        assert "Mottaksfeil" not in menu(employee, url)
        assert "Arkiv" not in menu(employee, url)
        assert "Mottaksfeil" in menu(communications, url)
        assert "Arkiv" in menu(communications, url)


def test_current_page_marked_after_the_lookup(personas):
    client = Client()
    client.force_login(personas.employee)
    dashboard = reverse("dashboard", args=[personas.municipality.slug])
    check = reverse("check", args=[personas.municipality.slug])
    first, second = menu(client, dashboard), menu(client, check)
    assert f'<a href="{dashboard}" aria-current="page">' in first
    assert f'<a href="{check}" aria-current="page">' not in first
    assert f'<a href="{check}" aria-current="page">' in second
    assert second.count('aria-current="page"') == 1


def test_a_language_switch_is_another_menu(personas):
    client = Client()
    client.force_login(personas.employee)
    url = reverse("dashboard", args=[personas.municipality.slug])
    assert ">Kanaler</a>" in menu(client, url)
    client.post(reverse("set_language"), {"language": "nn", "next": url})
    assert ">Kanalar</a>" in menu(client, url)
    client.post(reverse("set_language"), {"language": "nb", "next": url})
    assert ">Kanaler</a>" in menu(client, url)
