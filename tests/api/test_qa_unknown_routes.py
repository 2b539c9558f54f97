"""A path under /api/v1/ that no operation matches is a 404 problem document by any
method: a token's POST is never answered with the console's HTML CSRF page (api.md
"Errors")."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import token_for

PATHS = [
    "/api/v1/m/apiby/crisis/approvals/post/abc/approve",
    "/api/v1/m/apiby/nonexistent",
    "/api/v1/no/such/thing",
]


def _problem_404(response) -> None:
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["type"] == "urn:ordstyrer:problem:not-found"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_path_is_a_404_problem_by_any_method(world, path, method):
    # The real CSRF check, as a client that is not Django's test client meets it.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {token_for(world.p.communications, world.municipality)}"}
    call = getattr(client, method)
    if method == "get":
        response = call(path, headers=headers)
    else:
        response = call(path, "{}", content_type="application/json", headers=headers)
    _problem_404(response)


def test_an_unknown_path_without_a_token_is_a_404_problem_too(world):
    client = Client(enforce_csrf_checks=True)
    _problem_404(client.post(PATHS[1], "{}", content_type="application/json"))
