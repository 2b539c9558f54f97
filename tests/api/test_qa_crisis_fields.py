"""QA: the crisis API's refusal of a name or a reason lists the field (api.md "Errors":
"422 on invalid input (field errors listed)").

A crisis name or a rejection reason of zero-width characters alone passes the schema's
`min_length=1`, and the service refuses it (nothing a reader sees). Before this the
answer was a 422 without `errors`; now it names the field, as the posts' routes do
(`field_refusal`). A conflict is still a 409."""

from __future__ import annotations

from typing import Any

import pytest

from ordstyrer.crisis.models import Crisis
from ordstyrer.inbox.models import Reply, ReplyStatus
from ordstyrer.publishing.models import Post, PostStatus
from tests.api.conftest import ApiClient, token_for
from tests.inbox.conftest import comment, ingest
from tests.publishing.conftest import make_world

# Zero-width space, joiner and no-break space, a word joiner: nothing to read.
INVISIBLE = "\u200b\u200d\ufeff\u2060"
TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)


@pytest.fixture
def pub(db):
    return make_world("apikrise")


def client(pub: Any, user: Any) -> ApiClient:
    return ApiClient(token_for(user, pub.municipality))


def assert_field_refused(response: Any, field: str, detail_nb: str) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail_nb"] == detail_nb
    assert problem["errors"] == [{"loc": ["body", field], "msg": detail_nb, "type": "value"}]


def test_a_crisis_name_of_zero_width_characters_is_refused_with_the_field_listed(pub):
    leader = client(pub, pub.p.crisis_leader)
    refused = leader.post("/api/v1/m/apikrise/crisis", {"name": INVISIBLE})
    assert_field_refused(refused, "name", "Gi krisen et navn.")
    assert not Crisis.objects.exists()
    # The service's other refusals are not about the field: a second crisis is a 409.
    assert leader.post("/api/v1/m/apikrise/crisis", {"name": "Flom"}).status_code == 201
    again = leader.post("/api/v1/m/apikrise/crisis", {"name": "Flom igjen"})
    assert again.status_code == 409 and "errors" not in again.json()


def test_a_rejection_reason_of_zero_width_characters_is_refused_with_the_field_listed(
    pub, django_capture_on_commit_callbacks
):
    leader = client(pub, pub.p.crisis_leader)
    editor = client(pub, pub.editor)
    assert leader.post("/api/v1/m/apikrise/crisis", {"name": "Flom"}).status_code == 201
    post_id = editor.post(
        "/api/v1/m/apikrise/posts", {"channels": [pub.page.pk], "text": TEXT}
    ).json()["id"]
    assert editor.post(f"/api/v1/m/apikrise/posts/{post_id}/publish", {}).status_code == 200
    item = ingest(pub.page, comment("c-krise", "Er det trygt å kjøre over brua?"))
    reply_id = editor.post(
        f"/api/v1/m/apikrise/inbox/items/{item.pk}/replies",
        {"text": "Brua er stengt til i morgen. Hilsen Sigrid"},
    ).json()["id"]

    base = "/api/v1/m/apikrise/crisis/approvals"
    refused = leader.post(f"{base}/post/{post_id}/reject", {"reason": INVISIBLE})
    assert_field_refused(refused, "reason", "Skriv en begrunnelse til forfatteren.")
    refused = leader.post(f"{base}/reply/{reply_id}/reject", {"reason": INVISIBLE})
    assert_field_refused(refused, "reason", "Skriv hvorfor svaret avvises.")
    # Nothing was decided.
    assert Post.objects.get(pk=post_id).status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert Reply.objects.get(pk=reply_id).status == ReplyStatus.AWAITING_CRISIS_APPROVAL

    with django_capture_on_commit_callbacks(execute=True):
        done = leader.post(f"{base}/reply/{reply_id}/reject", {"reason": "Vent på politiet."})
    assert done.status_code == 200 and done.json()["status"] == "rejected"
