"""Every operation of the OpenAPI document (read from /api/v1/openapi.json, not a list
kept by hand) walked anonymously, with a token of another municipality and as an
outsider: 401 or 404, never data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from ordstyrer.archive.exports import archive_export_request
from ordstyrer.tenants.models import RoleAssignment
from tests.api.conftest import ApiClient, citizen_comment, token_for
from tests.factories import person_with_roles

SECRET_TEXT = "Hemmelig spørsmål om svømmehallen i Apiby?"


def example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A valid-looking value for a JSON schema (so the walk reaches the access check,
    not the body validation)."""
    if "$ref" in schema:
        return example(components[schema["$ref"].split("/")[-1]], components)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return example(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example(sub, components)
            for name, sub in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return [example(schema["items"], components)] if schema.get("minItems") else []
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-01-01"
    if schema.get("format") == "date-time":
        return "2026-01-01T12:00:00+01:00"
    return "tekst"


def operations(client: Client) -> list[tuple[str, str, dict[str, Any]]]:
    document = client.get("/api/v1/openapi.json").json()
    found = [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(found) >= 13  # the document lists the operations of api.md
    return [(m, p, {**o, "_components": document["components"]["schemas"]}) for m, p, o in found]


def body_for(operation: dict[str, Any]) -> Any:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(content["application/json"]["schema"], operation["_components"])


def fill(path: str, *, slug: str, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return slug
        if name == "kind":
            return "reply"
        return str(ids.get(name, ids["id"]))

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.fixture
def target(world, clock, settings, tmp_path, django_capture_on_commit_callbacks):
    """Apiby with an inbox item and a finished export: real objects behind real ids."""
    settings.DATA_DIR = tmp_path
    item = citizen_comment(world.channel, SECRET_TEXT)
    clock.shift(timedelta(days=1))  # the deposit takes only days that are over (AR-3)
    with django_capture_on_commit_callbacks(execute=True):
        export = archive_export_request(
            actor=world.p.communications,
            municipality=world.municipality,
            fmt="noark5-uttrekk",
            since=item.received_at.date(),
            until=item.received_at.date(),
        )
    return world, {"id": item.pk, "item": item.pk, "export": export.pk}


def assert_no_leak(response: Any, allowed: set[int], world: Any) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    text = response.content.decode("utf-8", "replace")
    assert SECRET_TEXT not in text
    assert world.municipality.name not in text


def test_every_operation_anonymous_is_401(target, settings):
    settings.API_AUTH_FAILURES_PER_IP = 10_000  # the forged token below fails every time
    world, ids = target
    anonymous = ApiClient()
    for method, path, operation in operations(anonymous.client):
        url = fill(path, slug="apiby", ids=ids)
        response = anonymous.request(method, url, body_for(operation))
        assert_no_leak(response, {401}, world)
        assert response["Content-Type"] == "application/problem+json"
        # A token that is not one of ours is no better than none.
        forged = ApiClient("ord_0000000000_" + "x" * 43).request(method, url, body_for(operation))
        assert_no_leak(forged, {401}, world)


def test_every_operation_with_a_token_of_another_municipality_is_404(target):
    world, ids = target
    neighbour = world.p.outsider  # communications in the neighbouring municipality
    other = RoleAssignment.objects.filter(user=neighbour).first().municipality
    api = ApiClient(token_for(neighbour, other))
    walked = 0
    for method, path, operation in operations(api.client):
        if "{slug}" not in path:
            assert_no_leak(api.request(method, path, body_for(operation)), {200}, world)
            continue
        # Apiby's path with Apiby's ids, and the token's own municipality with Apiby's ids.
        for slug in ("apiby", other.slug):
            url = fill(path, slug=slug, ids=ids)
            if slug == other.slug and url == fill(path, slug=slug, ids={"id": 10**9}):
                continue  # no id in the path: the token's own municipality may answer
            assert_no_leak(api.request(method, url, body_for(operation)), {404}, world)
            walked += 1
    assert walked >= 13


def test_every_operation_as_an_outsider_is_404(target):
    """A token made while its person was a member, who has since lost every role."""
    world, ids = target
    former = person_with_roles(world.municipality, "communications", username="apiby-tidligere")
    api = ApiClient(token_for(former, world.municipality))
    RoleAssignment.objects.filter(user=former).delete()
    for method, path, operation in operations(api.client):
        url = fill(path, slug="apiby", ids=ids)
        if "{slug}" not in path:
            response = api.request(method, url, body_for(operation))
            assert_no_leak(response, {200}, world)
            assert response.json()["municipalities"] == []
            continue
        assert_no_leak(api.request(method, url, body_for(operation)), {404}, world)


def test_unknown_paths_and_bad_ids_are_problem_404(target):
    world, _ids = target
    api = ApiClient(token_for(world.p.communications, world.municipality))
    for url in ("/api/v1/nothing", "/api/v1/m/apiby/inbox/items/abc", "/api/v1/m/nope/channels"):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["status"] == 404
