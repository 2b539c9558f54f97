"""Every list takes `?limit=` (default 50, at most 200: more is a 422) and pages with a
cursor that new rows never shift (api.md "Lists"): the channel registry (CH-8) and the
crisis leader's queue (PU-12) too."""

from __future__ import annotations

import pytest

from ordstyrer.publishing import services
from tests.api.conftest import ApiClient, token_for
from tests.inbox.conftest import comment, ingest
from tests.publishing.conftest import make_channel, make_world

TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
BASE = "/api/v1/m/apiliste"


@pytest.fixture
def pub(db):
    return make_world("apiliste")


def walk(api: ApiClient, url: str, limit: int) -> list[tuple[str, int]]:
    """Every item from `url` (a first page or a `next`), page by page: (kind or "", id)."""
    seen: list[tuple[str, int]] = []
    while url:
        response = api.client.get(url, headers=api._headers(None))
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        seen += [(i.get("kind", ""), i["id"]) for i in body["items"]]
        url = body["next"]
    return seen


def problem_field(response) -> list:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"][0]["loc"]


def test_channels_take_limit_and_cursor(pub):
    """CH-8."""
    api = ApiClient(token_for(pub.p.communications, pub.municipality))
    for n in range(3):
        make_channel(pub.p, name=f"Kanal {n}", editor=pub.editor)
    whole = api.get(f"{BASE}/channels").json()
    assert whole["next"] is None and len(whole["items"]) == 5
    first = api.get(f"{BASE}/channels", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    # A channel added while paging comes last, and nothing repeats or drops out.
    make_channel(pub.p, name="Aaa ny kanal", editor=pub.editor)
    rest = walk(api, first["next"], 2)
    ids = [i["id"] for i in first["items"]] + [i for _k, i in rest]
    assert len(ids) == len(set(ids)) == 6 and ids == sorted(ids)
    assert problem_field(api.get(f"{BASE}/channels", limit=201)) == ["query", "limit"]
    assert problem_field(api.get(f"{BASE}/channels", limit=0)) == ["query", "limit"]


def test_the_crisis_queue_takes_limit_and_cursor(pub, django_capture_on_commit_callbacks):
    """PU-12."""
    leader = ApiClient(token_for(pub.p.crisis_leader, pub.municipality))
    assert leader.post(f"{BASE}/crisis", {"name": "Flom"}).status_code == 201
    editor = ApiClient(token_for(pub.editor, pub.municipality))
    made = []
    for n in range(3):
        post = editor.post(f"{BASE}/posts", {"channels": [pub.page.pk], "text": f"{TEXT} {n}"})
        made.append(post.json()["id"])
        with django_capture_on_commit_callbacks(execute=True):
            services.post_publish(actor=pub.editor, post_id=made[-1])
    item = ingest(pub.page, comment("c-liste", "Er det trygt å kjøre over brua?"))
    reply = editor.post(
        f"{BASE}/inbox/items/{item.pk}/replies",
        {"text": "Brua er stengt til i morgen. Hilsen Sigrid"},
    ).json()
    assert reply["status"] == "awaiting_crisis_approval"
    queued = [("post", i) for i in made] + [("reply", reply["id"])]
    whole = leader.get(f"{BASE}/crisis/approvals").json()
    assert whole["next"] is None and [(i["kind"], i["id"]) for i in whole["items"]] == queued
    assert walk(leader, f"{BASE}/crisis/approvals?limit=1", 1) == queued
    first = leader.get(f"{BASE}/crisis/approvals", limit=2).json()
    assert [i["id"] for i in first["items"]] == made[:2]
    # Decided meanwhile: the page after the cursor is still the next one.
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(f"{BASE}/crisis/approvals/post/{made[1]}/approve")
    assert walk(leader, first["next"], 2) == queued[2:]
    assert problem_field(leader.get(f"{BASE}/crisis/approvals", limit=201)) == ["query", "limit"]
    bad = leader.get(f"{BASE}/crisis/approvals", cursor="x12")
    assert problem_field(bad) == ["query", "cursor"]
