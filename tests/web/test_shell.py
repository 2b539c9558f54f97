"""The console shell through Django's test client: pages, isolation, check, settings."""

from __future__ import annotations

import pytest
from django.urls import reverse
from faker import Faker

from ordstyrer.tenants.models import Role
from ordstyrer.tenants.selectors import policy_versions
from tests.factories import MunicipalityFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "check", "guideline", "house_rules", "policy_settings"]


@pytest.mark.parametrize("page", PAGES)
def test_member_sees_page_outsider_gets_404(client, personas, page):
    url = reverse(page, args=[personas.municipality.slug])
    client.force_login(personas.employee)
    response = client.get(url)
    assert response.status_code == 200
    assert personas.municipality.name in response.content.decode()
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, personas, page):
    response = client.get(reverse(page, args=[personas.municipality.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_redirects_single_member_and_lists_several(client, personas):
    client.force_login(personas.employee)
    response = client.get("/")
    assert response["Location"] == reverse("dashboard", args=[personas.municipality.slug])
    second = MunicipalityFactory(slug="andreby", name="Andreby kommune", preset="rennebu")
    RoleAssignmentFactory(user=personas.employee, municipality=second, role=Role.EMPLOYEE)
    page = client.get("/").content.decode()
    assert "Andreby kommune" in page and personas.municipality.name in page


def test_login_with_password(client, personas):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("login"), {"username": personas.employee.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(
        reverse("login"), {"username": personas.employee.username, "password": "x"}
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_check_page_reports_personal_data_with_citation(client, personas):
    client.force_login(personas.employee)
    url = reverse("check", args=[personas.municipality.slug])
    national_id = Faker("no_NO").ssn()
    response = client.post(
        url, {"kind": "post", "text": f"Eleven har fødselsnummer {national_id}."}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "PU-1" in page
    assert "Taushetsbelagt informasjon" in page or "taushet" in page.lower()


def test_check_fragment_for_live_checking(client, personas):
    client.force_login(personas.employee)
    url = reverse("check", args=[personas.municipality.slug])
    response = client.post(
        url,
        {"kind": "post", "text": "Se plakaten!", "media_type": "image", "alt": "bilde"},
        headers={"X-Ordstyrer-Fragment": "findings"},
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "PU-2" in page and "PU-4" in page


def test_check_rejects_bad_input_without_crash(client, personas):
    client.force_login(personas.employee)
    url = reverse("check", args=[personas.municipality.slug])
    response = client.post(url, {"kind": "dikt", "text": "x", "link": "ikke en lenke"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_policy_settings_saved_by_communications(client, personas):
    client.force_login(personas.communications)
    url = reverse("policy_settings", args=[personas.municipality.slug])
    response = client.post(
        url,
        {
            "rule": "DI-1",
            "DI-1-param__first_response_hours": "1.5",
            "DI-1-param__answer_hours": "6",
            "DI-1-reason": "Ny servicegaranti",
        },
    )
    assert response.status_code == 302
    (version,) = policy_versions(municipality=personas.municipality)
    assert version.overrides["DI-1"]["first_response_hours"] == 1.5
    assert version.changed_by == personas.communications


def test_policy_settings_refused_for_employee(client, personas):
    client.force_login(personas.employee)
    url = reverse("policy_settings", args=[personas.municipality.slug])
    client.post(
        url,
        {"rule": "DI-1", "DI-1-param__answer_hours": "1", "DI-1-reason": "x"},
    )
    assert policy_versions(municipality=personas.municipality) == []


def test_language_switch_to_nynorsk(client, personas):
    client.force_login(personas.employee)
    client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    page = client.get(reverse("dashboard", args=[personas.municipality.slug])).content.decode()
    assert '<html lang="nn">' in page


def test_bokmal_first_whatever_the_browser_says(client, personas):
    client.force_login(personas.employee)
    url = reverse("dashboard", args=[personas.municipality.slug])
    page = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="nb">' in page


def test_settings_page_shows_rule_titles_and_labels(client, personas):
    client.force_login(personas.communications)
    page = client.get(reverse("policy_settings", args=[personas.municipality.slug]))
    text = page.content.decode()
    assert "MO-1" in text and "hate_speech" in text
    assert "Hatefulle ytringer" in text  # the ground's Norwegian label beside its code
