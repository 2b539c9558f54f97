"""Posts through the API after the QA pass of December 2026: the list's paging (api.md
"Lists"), PATCH that never loses what is stored, publishing a published post (409,
api.md "Errors"), bodies that hold only optional fields, and field errors on a 422."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing.models import Post, PostChannel, PostStatus
from tests.api.conftest import ApiClient, token_for
from tests.publishing.conftest import make_world

# Clean under Indre Fosen's preset (PU-9: a link to the municipality's own site).
TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
POSTS = "/api/v1/m/apiqa/posts"


@pytest.fixture
def pub(db):
    return make_world("apiqa")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def client(pub, user, **kw) -> ApiClient:
    return ApiClient(token_for(user, pub.municipality, **kw))


def patch(api: ApiClient, url: str, body: dict) -> object:
    return api.client.patch(url, body, content_type="application/json", headers=api._headers(None))


def walk(api: ApiClient, **params) -> list[int]:
    """Every post id of the list, following `next` to the end."""
    page = api.get(POSTS, **params).json()
    seen = [p["id"] for p in page["items"]]
    while page["next"]:
        page = api.client.get(page["next"], headers=api._headers(None)).json()
        seen += [p["id"] for p in page["items"]]
    return seen


def drafts(pub, n: int, *, author, channel) -> list[int]:
    """`n` drafts of `author` on `channel`, newer than anything before (as many
    `post_create` calls would leave them; written in bulk to keep the test fast)."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(
                municipality=pub.municipality,
                author=author,
                text=f"Utkast {i}",
                created_at=now + timedelta(seconds=i),
                updated_at=now + timedelta(seconds=i),
            )
            for i in range(n)
        ]
    )
    if not all(p.pk for p in posts):  # a database that returns no ids from bulk_create
        posts = list(Post.objects.filter(text__startswith="Utkast ").order_by("id"))
    PostChannel.objects.bulk_create([PostChannel(post=p, channel=channel) for p in posts])
    return [p.pk for p in posts]


# --------------------------------------------------------------------------- the list


def test_a_post_waiting_for_its_approver_is_listed_after_500_newer_drafts(pub):
    """QA #1: the list read a window of the 500 most recently changed posts of the whole
    municipality and only then asked who may see them: the unit leader found nothing."""
    editor = client(pub, pub.editor)
    waiting = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    assert editor.post(f"{POSTS}/{waiting}/publish").json()["status"] == "awaiting_approval"
    # The main page's drafts of communications, which the school's leader may not see.
    drafts(pub, 501, author=pub.p.communications, channel=pub.page)
    leader = client(pub, pub.p.unit_leader)
    assert leader.get(POSTS).json()["items"][0]["id"] == waiting
    assert walk(leader, status="awaiting_approval") == [waiting]


def test_the_list_walks_every_post_once_while_posts_are_created_and_changed(pub):
    """api.md "Lists": keyset paging, stable under inserts (and edits)."""
    editor = client(pub, pub.editor)
    made = [
        editor.post(POSTS, {"channels": [pub.page.pk], "text": f"{TEXT} ({n})"}).json()["id"]
        for n in range(5)
    ]
    first = editor.get(POSTS, limit=2).json()
    assert [p["id"] for p in first["items"]] == made[::-1][:2]
    # Meanwhile: the oldest is changed (it becomes the most recently changed) and a new
    # one is written.
    assert patch(editor, f"{POSTS}/{made[0]}", {"text": TEXT}).status_code == 200
    newest = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    seen = [p["id"] for p in first["items"]]
    url = first["next"]
    while url:
        page = editor.client.get(url, headers=editor._headers(None)).json()
        seen += [p["id"] for p in page["items"]]
        url = page["next"]
    assert seen == made[::-1] and newest not in seen
    assert walk(editor, limit=4) == [newest, *made[::-1]]


def test_the_list_shows_a_person_only_the_posts_they_may_see(pub):
    editor = client(pub, pub.editor)
    mine = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    theirs = drafts(pub, 3, author=pub.p.communications, channel=pub.page)
    # The employee publishes on no channel of this world: nothing.
    assert walk(client(pub, pub.p.archivist)) == []
    # The editor publishes on the main page: every post there, newest first.
    assert walk(editor, limit=1) == [*theirs[::-1], mine]
    # Communications sees every post.
    assert walk(client(pub, pub.p.communications), limit=2) == [*theirs[::-1], mine]


@pytest.mark.parametrize("cursor", ["garbage", "nan:5", "-5", "0", str(2**64)])
def test_a_malformed_cursor_is_422(pub, cursor):
    response = client(pub, pub.editor).get(POSTS, cursor=cursor)
    assert response.status_code == 422 and response.json()["errors"]


# --------------------------------------------------------------------------- PATCH


@pytest.mark.parametrize("field", ["text", "links", "channels", "media", "documentation_value"])
def test_patch_refuses_null_and_keeps_what_is_stored(pub, field):
    """QA #2: {"text": null} erased the draft's text, {"links": null} its links."""
    editor = client(pub, pub.editor)
    link = "https://indrefosen.kommune.no/bibliotek"
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "links": [link]}).json()[
        "id"
    ]
    response = patch(editor, f"{POSTS}/{post}", {field: None})
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == [field]
    kept = Post.objects.get(pk=post)
    assert (kept.text, kept.links) == (TEXT, [link])
    assert list(kept.deliveries.values_list("channel_id", flat=True)) == [pub.page.pk]


def test_patch_publish_at_null_unschedules(pub):
    editor = client(pub, pub.editor)
    later = (timezone.now() + timedelta(days=2)).isoformat()
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "publish_at": later}).json()
    assert post["publish_at"] is not None
    response = patch(editor, f"{POSTS}/{post['id']}", {"publish_at": None})
    assert response.status_code == 200 and response.json()["publish_at"] is None
    assert response.json()["text"] == TEXT


# --------------------------------------------------------------------------- publish


def test_publishing_a_published_post_is_409_and_writes_nothing(pub, commit):
    """QA #4: api.md "Errors" — 409 on a state conflict ("already published")."""
    editor = client(pub, pub.editor)
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    url = f"{POSTS}/{post}/publish"
    key = {"Idempotency-Key": "publish-once"}
    first = commit(editor.post, url, {}, headers=key)
    assert first.status_code == 200
    assert Post.objects.get(pk=post).status == PostStatus.PUBLISHED
    entries = AuditEntry.objects.filter(action="api_post_publish").count()
    again = editor.post(url, {})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "conflict"
    assert AuditEntry.objects.filter(action="api_post_publish").count() == entries
    # A retry with the first key still gets the first answer (api.md "Idempotency").
    replayed = editor.post(url, {}, headers=key)
    assert replayed.status_code == 200 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()


def test_publishing_a_post_already_waiting_for_approval_is_409(pub):
    editor = client(pub, pub.editor)
    post = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    assert editor.post(f"{POSTS}/{post}/publish").json()["status"] == "awaiting_approval"
    assert editor.post(f"{POSTS}/{post}/publish").status_code == 409


def test_publish_and_approve_take_no_body(pub, commit):
    """QA #7: the body holds only optional fields, so none at all is fine — for approve
    once the post waits no longer (while it waits, the round read is required, CH-4)."""
    editor = client(pub, pub.editor)
    post = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    bare = editor.client.generic("POST", f"{POSTS}/{post}/publish", headers=editor._headers(None))
    assert bare.status_code == 200, bare.content
    assert bare.json()["status"] == "awaiting_approval"
    leader = client(pub, pub.p.unit_leader)
    approved = commit(
        leader.post, f"{POSTS}/{post}/approve", {"approval_round": bare.json()["approval_round"]}
    )
    assert approved.status_code == 200, approved.content
    again = commit(
        leader.client.generic, "POST", f"{POSTS}/{post}/approve", headers=leader._headers(None)
    )
    assert again.status_code == 200, again.content


# --------------------------------------------------------------------------- 422 fields


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"publish_at": "2027-01-05T10:00:00"}, "publish_at"),  # no time zone
        ({"publish_at": "2001-01-05T10:00:00+01:00"}, "publish_at"),  # passed
        ({"channels": [2**40]}, "channels"),  # no such channel
        ({"links": ["ftp://example.com/fil"]}, "links"),
    ],
)
def test_a_refusal_about_one_field_names_it(pub, body, field):
    """QA #10: api.md "Errors" — 422 lists the fields."""
    editor = client(pub, pub.editor)
    created = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, **body})
    assert created.status_code == 422, created.content
    problem = created.json()
    assert field in problem["errors"][0]["loc"] and problem["detail_nb"]
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    changed = patch(editor, f"{POSTS}/{post}", body)
    assert changed.status_code == 422 and field in changed.json()["errors"][0]["loc"]
