"""Domain errors (issue #17): services, selectors and access helpers raise `NotFound` and
`NotPermitted` (ordstyrer.errors, no Django); the console, the API and the CLI each map
them in one place. Outsiders get 404 (existence does not leak), members without the role
403 naming the roles needed; the role lookup of a request is one query, on its `Actor`."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ordstyrer.api.tokens import api_token_create
from ordstyrer.cli import main
from ordstyrer.core.actor import Actor
from ordstyrer.core.permissions import actor_for, actor_in, require
from ordstyrer.errors import DomainError, NotFound, NotPermitted, ServiceError
from ordstyrer.tenants.models import Role
from tests.conftest import make_personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def bearer(user, municipality) -> dict[str, str]:
    _token, secret = api_token_create(actor=None, user=user, municipality=municipality)
    return {"Authorization": f"Bearer {secret}"}


def test_not_found_and_not_permitted_are_not_refusals_a_view_shows_as_a_message():
    # A view's `except ServiceError` (a message on the page) must never swallow the 404
    # of an outsider or the 403 of a member.
    assert issubclass(NotFound, DomainError) and not issubclass(NotFound, ServiceError)
    assert issubclass(NotPermitted, DomainError) and not issubclass(NotPermitted, ServiceError)


def test_require_answers_outsiders_not_found_and_members_not_permitted_with_the_roles():
    p = make_personas("feilby")
    with pytest.raises(NotFound):
        require(p.outsider, p.municipality, "view_archive")
    with pytest.raises(NotPermitted) as refused:
        require(p.employee, p.municipality, "view_archive")
    assert set(refused.value.roles) == {Role.COMMUNICATIONS, Role.ARCHIVIST}
    assert "arkiv" in str(refused.value.message)
    actor = require(p.archivist, p.municipality, "view_archive")
    assert isinstance(actor, Actor) and actor.user == p.archivist
    assert actor.municipality == p.municipality and Role.ARCHIVIST in actor.roles


def test_an_actor_answers_role_questions_without_asking_the_database_again():
    p = make_personas("aktorby")
    actor = actor_in(user=p.communications, slug=p.municipality.slug)
    with CaptureQueriesContext(connection) as queries:
        assert actor_for(actor, p.municipality) is actor
        require(actor, p.municipality, "report_police")
    assert len(queries) == 0
    with pytest.raises(NotFound):
        actor_in(user=p.communications, slug="finnes-ikke")


def test_the_console_looks_the_roles_up_once_per_request():
    p = make_personas("spoerby")
    client = client_for(p.communications)
    url = reverse("moderation:settings", args=[p.municipality.slug])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    lookups = [q["sql"] for q in queries if '"tenants_roleassignment"."role"' in q["sql"]]
    assert len(lookups) == 1, lookups


def test_the_console_maps_not_permitted_to_the_403_page_and_not_found_to_404():
    p = make_personas("konsollby")
    url = reverse("moderation:settings", args=[p.municipality.slug])
    response = client_for(p.employee).get(url)
    assert response.status_code == 403
    assert "Dette krever en av disse rollene" in response.content.decode()
    assert client_for(p.outsider).get(url).status_code == 404


def test_the_api_maps_not_permitted_to_403_and_not_found_to_404_problems():
    p = make_personas("apifeil")
    path = f"/api/v1/m/{p.municipality.slug}/archive/records"
    response = Client().get(path, headers=bearer(p.employee, p.municipality))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 403 and body["type"].endswith(":forbidden")
    assert "Dette krever en av disse rollene" in body["detail_nb"]
    # A municipality the token is not for, and one that does not exist: the same 404.
    other = p.outsider.role_assignments.first().municipality
    headers = bearer(p.archivist, p.municipality)
    foreign = Client().get(f"/api/v1/m/{other.slug}/archive/records", headers=headers)
    missing = Client().get("/api/v1/m/finnes-ikke/archive/records", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert json.loads(foreign.content) == json.loads(missing.content)


@pytest.fixture
def _keep_the_test_connection(monkeypatch):
    """`ordstyrer <django command>` closes every connection when it ends; in a test that
    would close the test's own transaction (PostgreSQL)."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def test_the_cli_prints_a_domain_error_on_one_line_with_its_exit_code(
    capsys, _keep_the_test_connection
):
    make_personas("cliby")
    assert main(["api-token", "revoke", "finnes-ikke"]) == 1
    err = capsys.readouterr().err
    assert err == "ordstyrer api-token: Fant ikke API-nøkkelen.\n"


def test_a_state_conflict_is_a_conflict_and_still_a_refusal_the_console_shows():
    from ordstyrer.crisis.services import crisis_declare
    from ordstyrer.errors import Conflict

    p = make_personas("konfliktby")
    leader = actor_in(user=p.crisis_leader, slug=p.municipality.slug)
    crisis_declare(municipality=p.municipality, name="Flom", actor=leader)
    with pytest.raises(Conflict) as refused:
        crisis_declare(municipality=p.municipality, name="Ras", actor=leader)
    assert isinstance(refused.value, ServiceError) and refused.value.rule == "PU-12"
    with pytest.raises(NotPermitted):
        crisis_declare(municipality=p.municipality, name="Ras", actor=p.employee)
    with pytest.raises(NotFound):
        crisis_declare(municipality=p.municipality, name="Ras", actor=p.outsider)
