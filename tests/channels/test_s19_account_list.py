"""Session 19: the account list names only the main administrators who are still here
(CH-8).

The list page and its CSV named every main administrator ever appointed: one whose
account was deactivated, or who no longer holds a role in the municipality, was still
given as the person responsible for the municipality's account."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.tenants.models import Role, RoleAssignment
from ordstyrer.tenants.services import user_deactivate
from tests.channels.conftest import active_channel
from tests.factories import MunicipalityFactory, RoleAssignmentFactory, person_with_roles

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv_rows(p, client) -> dict[str, dict[str, str]]:
    url = reverse("channels:accounts_csv", args=[p.municipality.slug])
    text = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    return {row["Navn"]: row for row in rows}


def _main_admins_of(p, name):
    """Two main administrators on an active channel: the employee («Anne Aas») and
    «Bjørn Berg»."""
    p.employee.first_name, p.employee.last_name = "Anne", "Aas"
    p.employee.save(update_fields=["first_name", "last_name"])
    channel = active_channel(p, name=name)
    second = person_with_roles(
        p.municipality, username=f"{name}-berg", first_name="Bjørn", last_name="Berg"
    )
    services.channel_role_set(
        actor=p.communications, channel=channel, user=second, role=ChannelRole.MAIN_ADMIN
    )
    return channel, second


def test_a_deactivated_main_admin_is_not_on_the_account_list(personas):
    """CH-8: after `user_deactivate`, the CSV and the list page name only the main
    administrator who is still active."""
    p = personas
    _channel, second = _main_admins_of(p, "Skolen")
    client = _signed_in(p.communications)
    assert _csv_rows(p, client)["Skolen"]["Hovedadministrator"] == "Anne Aas, Bjørn Berg"

    user_deactivate(actor=None, user=second)
    assert _csv_rows(p, client)["Skolen"]["Hovedadministrator"] == "Anne Aas"
    page = client.get(reverse("channels:list", args=[p.municipality.slug])).content.decode()
    assert "Anne Aas" in page and "Bjørn Berg" not in page


def test_a_main_admin_who_left_the_municipality_is_not_on_it_and_the_channel_is_flagged(
    personas,
):
    """CH-8, CH-3: the only main administrator left for another municipality (account
    still active there): the CSV names nobody for the channel and flags it."""
    p = personas
    active_channel(p, name="Biblioteket")
    RoleAssignmentFactory(user=p.employee, municipality=MunicipalityFactory(), role=Role.EMPLOYEE)
    RoleAssignment.objects.filter(user=p.employee, municipality=p.municipality).delete()
    row = _csv_rows(p, _signed_in(p.communications))["Biblioteket"]
    assert row["Hovedadministrator"] == ""
    assert "ingen aktiv hovedadministrator" in row["Flagg"]
