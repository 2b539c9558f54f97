"""Approving through the API decides the text the approver read, never a newer one
(CH-4, four eyes; PU-12 for the crisis leader): a post carries its `approval_round`,
approve and reject name it, and a stale or missing round while the post waits is a 409
that decides nothing."""

from __future__ import annotations

import pytest

from ordstyrer.publishing import services
from ordstyrer.publishing.models import Post, PostStatus
from tests.api.conftest import ApiClient, token_for
from tests.publishing.conftest import make_world

TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
NEWER = (
    "Biblioteket holder stengt hele neste uke. Vi åpner igjen mandagen etter. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
POSTS = "/api/v1/m/apirunde/posts"


@pytest.fixture
def pub(db):
    return make_world("apirunde")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def client(pub, user) -> ApiClient:
    return ApiClient(token_for(user, pub.municipality))


def patch(api: ApiClient, url: str, body: dict):
    return api.client.patch(url, body, content_type="application/json", headers=api._headers(None))


def sent_again(pub, editor: ApiClient, post_id: int) -> dict:
    """The author withdraws the waiting post, changes its text and sends it again."""
    services.post_withdraw(actor=pub.editor, post_id=post_id)
    assert patch(editor, f"{POSTS}/{post_id}", {"text": NEWER}).status_code == 200
    again = editor.post(f"{POSTS}/{post_id}/publish")
    assert again.status_code == 200, again.content
    return again.json()


def is_conflict(response, code: str) -> dict:
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["detail"] and body["detail_nb"]
    return body


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decision_on_the_round_read_never_reaches_a_newer_text(pub, commit, decision):
    """CH-4: the approver reads round 1 (text v1); the author withdraws, edits and sends
    it again (round 2, v2); the approval of round 1 is a 409 and v2 still waits."""
    editor = client(pub, pub.editor)
    post_id = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    assert editor.post(f"{POSTS}/{post_id}/publish").json()["status"] == "awaiting_approval"
    leader = client(pub, pub.p.unit_leader)
    read = leader.get(f"{POSTS}/{post_id}").json()
    assert read["text"] == TEXT and read["status"] == "awaiting_approval"
    seen = read["approval_round"]

    newer = sent_again(pub, editor, post_id)
    assert newer["status"] == "awaiting_approval" and newer["approval_round"] == seen + 1

    body = {"approval_round": seen}
    if decision == "reject":
        body["reason"] = "Sjekk åpningstidene."
    stale = commit(leader.post, f"{POSTS}/{post_id}/{decision}", body)
    problem = is_conflict(stale, "approval_round_stale")
    assert problem["approval_round"] == seen + 1 and problem["rule"] == "CH-4"
    post = Post.objects.get(pk=post_id)
    assert post.status == PostStatus.AWAITING_APPROVAL and post.text == NEWER
    assert post.approved_by is None and post.rejected_by is None

    # Read again: the decision on the text now waiting goes through.
    body["approval_round"] = leader.get(f"{POSTS}/{post_id}").json()["approval_round"]
    done = commit(leader.post, f"{POSTS}/{post_id}/{decision}", body)
    assert done.status_code == 200, done.content
    assert done.json()["status"] != "awaiting_approval"


def test_a_decision_without_the_round_is_refused_while_the_post_waits(pub, commit):
    editor = client(pub, pub.editor)
    post_id = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    waiting = editor.post(f"{POSTS}/{post_id}/publish").json()
    leader = client(pub, pub.p.unit_leader)
    for refused in (
        commit(leader.post, f"{POSTS}/{post_id}/approve"),
        commit(leader.post, f"{POSTS}/{post_id}/reject", {"reason": "Nei."}),
    ):
        problem = is_conflict(refused, "approval_round_required")
        assert problem["approval_round"] == waiting["approval_round"]
        assert problem["errors"][0]["loc"] == ["body", "approval_round"]
    assert Post.objects.get(pk=post_id).status == PostStatus.AWAITING_APPROVAL
    round_ = {"approval_round": waiting["approval_round"]}
    approved = commit(leader.post, f"{POSTS}/{post_id}/approve", round_)
    assert approved.status_code == 200
    # A retried approval of a post that waits no longer: as before, with or without body.
    assert commit(leader.post, f"{POSTS}/{post_id}/approve", round_).status_code == 200
    assert commit(leader.post, f"{POSTS}/{post_id}/approve").status_code == 200
    assert Post.objects.get(pk=post_id).deliveries.filter(status="published").count() == 1


def test_the_crisis_leader_never_approves_a_newer_text_either(pub, commit):
    """PU-12: the same on a post awaiting the crisis leader, through …/posts/{id}/approve
    (round required) and through the crisis queue (round honoured when sent)."""
    leader = client(pub, pub.p.crisis_leader)
    assert leader.post("/api/v1/m/apirunde/crisis", {"name": "Flom"}).status_code == 201
    editor = client(pub, pub.editor)
    post_id = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    first = editor.post(f"{POSTS}/{post_id}/publish").json()
    assert first["status"] == "awaiting_crisis_approval"
    queue = leader.get("/api/v1/m/apirunde/crisis/approvals").json()["items"]
    (item,) = [i for i in queue if i["kind"] == "post"]
    assert item["approval_round"] == first["approval_round"]

    sent_again(pub, editor, post_id)
    stale = {"approval_round": first["approval_round"]}
    problem = is_conflict(
        commit(leader.post, f"{POSTS}/{post_id}/approve", stale), "approval_round_stale"
    )
    assert problem["rule"] == "PU-12"
    is_conflict(commit(leader.post, f"{POSTS}/{post_id}/approve"), "approval_round_required")
    queue_url = f"/api/v1/m/apirunde/crisis/approvals/post/{post_id}"
    is_conflict(commit(leader.post, f"{queue_url}/approve", stale), "approval_round_stale")
    is_conflict(
        commit(leader.post, f"{queue_url}/reject", {"reason": "Nei.", **stale}),
        "approval_round_stale",
    )
    post = Post.objects.get(pk=post_id)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL and post.text == NEWER

    current = leader.get("/api/v1/m/apirunde/crisis/approvals").json()["items"][0]
    done = commit(
        leader.post, f"{queue_url}/approve", {"approval_round": current["approval_round"]}
    )
    assert done.status_code == 200, done.content
    assert Post.objects.get(pk=post_id).status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)
