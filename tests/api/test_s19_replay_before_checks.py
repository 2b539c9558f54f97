"""A keyed retry gets its first response even when a check of the request would refuse
it now (api.md "Idempotency"): a post created at 08:58 for 09:00 whose response was lost
and that is sent again at 09:03 is the same post, not «Tidspunktet … har passert» and
then a second post (PU-11: the scheduled post is made once)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.publishing.models import Post
from tests.api.conftest import T0, ApiClient, token_for
from tests.publishing.conftest import make_world

TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
POSTS = "/api/v1/m/apiigjen/posts"
SOON = (T0 + timedelta(minutes=2)).isoformat()


@pytest.fixture
def pub(db, clock):
    return make_world("apiigjen")


def test_a_create_retried_after_its_time_has_passed_replays_the_201(pub, clock):
    """api.md "Idempotency"; PU-11."""
    editor = ApiClient(token_for(pub.editor, pub.municipality))
    body = {"channels": [pub.page.pk], "text": TEXT, "publish_at": SOON}
    key = {"Idempotency-Key": "innlegg-0900"}
    first = editor.post(POSTS, body, headers=key)
    assert first.status_code == 201, first.content
    clock.shift(timedelta(minutes=5))  # 09:03: the time has passed (beyond the slack)
    again = editor.post(POSTS, body, headers=key)
    assert again.status_code == 201, again.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Post.objects.count() == 1
    # Without the key the check still refuses the passed time, naming the field.
    fresh = editor.post(POSTS, body)
    assert fresh.status_code == 422 and fresh.json()["errors"][0]["loc"] == ["body", "publish_at"]


def test_a_change_retried_after_its_time_has_passed_replays_the_200(pub, clock):
    editor = ApiClient(token_for(pub.editor, pub.municipality))
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    url = f"{POSTS}/{post}"
    headers = editor._headers({"Idempotency-Key": "endre-0900"})

    def change():
        return editor.client.patch(
            url, {"publish_at": SOON}, content_type="application/json", headers=headers
        )

    first = change()
    assert first.status_code == 200, first.content
    clock.shift(timedelta(minutes=5))
    again = change()
    assert again.status_code == 200, again.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
