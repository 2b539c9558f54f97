"""`GET /api/v1/m/{slug}/posts` after the QA pass of December 2026 (s14): as many queries
for a page of 40 posts as for a page of 8 (it was 36 at limit=10 and 416 at limit=200
for communications, 619 for an editor: the post bodies asked for each post's channels
and files, and the permission filter for its channels again), with the same posts, their
channels by id and their files in order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordstyrer.publishing import access
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.api.conftest import ApiClient, token_for
from tests.publishing.conftest import make_channel, make_world, png

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket holder åpent til klokken åtte i kveld. Velkommen innom!"
LINKS = ["https://indrefosen.kommune.no/bibliotek", "https://indrefosen.kommune.no/apningstider"]


@pytest.fixture
def scale(db):
    w = make_world("apiskala")
    culture = make_channel(w.p, name="Kulturhuset")  # the editor is not on it
    images = []
    for seed in (1, 2):
        asset = media_upload(
            actor=w.editor,
            municipality=w.municipality,
            filename=f"bilde{seed}.png",
            content=png(seed),
            alt_text="Biblioteket i Rissa",
        )
        media_update(actor=w.editor, asset_id=asset.pk, people="none", photographer="Kari")
        media_update(actor=w.editor, asset_id=asset.pk, photographer_permission=True)
        images.append(asset.pk)
    return w, culture, images


def _add(scale, rounds: int) -> None:
    """Five posts a round: the editor's with two files and links on the main page
    (scheduled), the editor's on the unit page and the main page, and on the unit page
    alone (both waiting for approval), communications' on the culture page (scheduled)
    and communications' draft."""
    w, culture, images = scale
    kom = w.p.communications
    at = timezone.now() + timedelta(days=3)

    def sent(actor, channels, **kw):
        post = post_create(
            actor=actor,
            municipality=w.municipality,
            channel_ids=channels,
            text=TEXT,
            publish_at=at,
            **kw,
        )
        return post_publish(actor=actor, post_id=post.pk, override_reason="Viktig for alle.")

    for _ in range(rounds):
        sent(w.editor, [w.page.pk], links=LINKS, media_ids=list(reversed(images)))
        assert sent(w.editor, [w.school.pk, w.page.pk]).status == PostStatus.AWAITING_APPROVAL
        sent(w.editor, [w.school.pk])
        sent(kom, [culture.pk])
        post_create(actor=kom, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT)


def _page(client: ApiClient, slug: str, limit: int) -> tuple[int, dict]:
    path = f"/api/v1/m/{slug}/posts"
    client.get(path, limit=limit)  # the token's first use is stamped once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, limit=limit)
    assert response.status_code == 200, response.content[:500]
    return len(queries.captured_queries), response.json()


def test_the_post_list_reads_as_many_queries_for_40_posts_as_for_8(scale):
    w, culture, images = scale
    _add(scale, 10)
    people = {
        "communications": w.p.communications,
        "editor": w.editor,
        "unit_leader": w.p.unit_leader,
    }
    for name, user in people.items():
        client = ApiClient(token_for(user, w.municipality, scopes=["posts:write", "posts:approve"]))
        small, few = _page(client, w.municipality.slug, 8)
        large, many = _page(client, w.municipality.slug, 40)
        assert small == large, (name, small, large)
        # The same posts as the one rule, asked post by post, newest first.
        seen = [
            p.pk
            for p in Post.objects.filter(municipality=w.municipality).order_by("-id")
            if access.may_view(user, p)
        ]
        assert [p["id"] for p in many["items"]] == seen[:40], name
        assert [p["id"] for p in few["items"]] == seen[:8], name
        assert (many["next"] is not None) == (len(seen) > 40)
        for body in many["items"]:
            post = Post.objects.get(pk=body["id"])
            ids = [c["channel"] for c in body["channels"]]
            assert ids == sorted(post.deliveries.values_list("channel_id", flat=True))
            assert body["media"] == list(
                post.attachments.order_by("position", "id").values_list("asset_id", flat=True)
            )
    posts = Post.objects.filter(municipality=w.municipality)
    assert posts.count() == 50
    with_files = [p for p in posts if p.attachments.exists()]
    assert len(with_files) == 10
    assert all(
        list(p.attachments.order_by("position").values_list("asset_id", flat=True))
        == list(reversed(images))
        for p in with_files
    )
    two = [p for p in posts if p.deliveries.count() == 2]
    assert len(two) == 10


def test_one_post_reads_its_channels_and_files(scale):
    """A post outside a list (no prefetch) shows the same channels and files."""
    w, culture, images = scale
    _add(scale, 1)
    client = ApiClient(token_for(w.p.communications, w.municipality))
    slug = w.municipality.slug
    listed = {p["id"]: p for p in client.get(f"/api/v1/m/{slug}/posts").json()["items"]}
    assert len(listed) == 5
    for pk, body in listed.items():
        one = client.get(f"/api/v1/m/{slug}/posts/{pk}").json()
        assert (one["channels"], one["media"]) == (body["channels"], body["media"])
    assert sorted(len(b["media"]) for b in listed.values()) == [0, 0, 0, 0, 2]
