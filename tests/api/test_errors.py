"""Errors under /api/v1 are RFC 9457 problem documents in English with `detail_nb`;
nothing a client sends gives a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ApiClient, citizen_comment, token_for


@pytest.fixture
def api(world) -> ApiClient:
    return ApiClient(token_for(world.p.communications, world.municipality))


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "detail_nb"} <= set(body)
    assert body["type"].startswith("urn:ordstyrer:problem:") and body["status"] == status
    return body


def raw_post(api: ApiClient, path: str, data: bytes | str, content_type: str = "application/json"):
    return api.client.post(path, data, content_type=content_type, headers=api._headers(None))


def test_malformed_json_is_400(api):
    problem(raw_post(api, "/api/v1/m/apiby/check", b'{"text": "hei"'), 400)
    problem(raw_post(api, "/api/v1/m/apiby/check", b"\xff\xfe", "application/json"), 400)


def test_field_errors_are_listed_on_422(api):
    body = problem(api.post("/api/v1/m/apiby/check", {"kind": "sms"}), 422)
    fields = {tuple(e["loc"])[-1] for e in body["errors"]}
    assert fields == {"kind", "text"}
    assert body["detail_nb"] and body["detail"]


def test_a_huge_body_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"text": "x" * 5000})
    problem(raw_post(api, "/api/v1/m/apiby/check", body), 413)


def test_wrong_method_is_405(api):
    response = api.client.delete("/api/v1/me", headers=api._headers(None))
    assert problem(response, 405) and "GET" in response["Allow"]


def test_a_server_fault_is_a_problem_without_internals(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ordstyrer.api.routes_core.channel_registry", broken)
    body = problem(api.get("/api/v1/m/apiby/channels"), 500)
    assert "secret internals" not in json.dumps(body)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
BODIES = st.one_of(
    JSONISH,
    st.fixed_dictionaries(
        {"text": st.text(max_size=50)},
        optional={
            "kind": st.sampled_from(["post", "reply", "x"]),
            "links": JSONISH,
            "media": st.lists(
                st.dictionaries(st.sampled_from(["type", "alt", "people", "consent"]), JSONISH),
                max_size=2,
            ),
            "action": st.sampled_from(["hide", "unhide", "delete", "nope"]),
            "ground": JSONISH,
            "reason": JSONISH,
            "override_reason": JSONISH,
            "channels": JSONISH,
            "name": JSONISH,
            "publish_at": JSONISH,
            "items": st.lists(
                st.dictionaries(st.sampled_from(["id", "text", "post_text"]), JSONISH), max_size=3
            ),
        },
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=BODIES,
    which=st.sampled_from(
        ["check", "triage", "replies", "moderation", "exports", "posts", "crisis"]
    ),
)
def test_no_client_input_gives_a_500(world, body, which):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = (
        citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
        if which in ("replies", "moderation")
        else None
    )
    path = {
        "check": "/api/v1/m/apiby/check",
        "triage": "/api/v1/m/apiby/triage",
        "replies": f"/api/v1/m/apiby/inbox/items/{getattr(item, 'pk', 0)}/replies",
        "moderation": f"/api/v1/m/apiby/inbox/items/{getattr(item, 'pk', 0)}/moderation",
        "exports": "/api/v1/m/apiby/archive/exports",
        "posts": "/api/v1/m/apiby/posts",
        "crisis": "/api/v1/m/apiby/crisis",
    }[which]
    response = raw_post(api, path, json.dumps(body))
    assert response.status_code < 500, (path, body, response.content)


def test_an_id_past_64_bits_is_a_422_not_a_500(api):
    # Found by schemathesis: a channel id of 2**63 overflowed the database driver.
    huge = 2**63
    post = api.post("/api/v1/m/apiby/posts", {"channels": [huge], "text": "Hei"})
    assert post.status_code == 422
    assert post["Content-Type"].startswith("application/problem+json")
    item = api.get(f"/api/v1/m/apiby/inbox/items/{huge}")
    assert item.status_code in {404, 422}
