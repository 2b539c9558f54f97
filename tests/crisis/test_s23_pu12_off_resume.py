"""PU-12 where the municipality lets posts through in a crisis (`approve_posts` off): a
paused post may be resumed while the crisis lasts (`publishing.services.post_resume`
asks `crisis_requiring_approval`), and a new post goes straight out. The console's
paused-post form asked whether any crisis was active instead, and refused the resume
with «Krisen er ikke avsluttet; innlegg går via kriseleder (PU-12)» — untrue here. Now
the form asks what the service asks; where posts do wait for the crisis leader it still
refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.tenants.services import policy_update
from tests.crisis.test_posts import client_for
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

REFUSED = "Krisen er ikke avsluttet; innlegg går via kriseleder (PU-12)."
STILL = "Krisen pågår fortsatt. Innlegg på pause kan settes i gang igjen"


@pytest.fixture
def world(db):
    return make_world("krpoff")


def paused_in_a_crisis(world):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Kulturskolen har åpen dag lørdag.",
        publish_at=timezone.now() + timedelta(days=1),
    )
    post_publish(actor=world.editor, post_id=post.pk, override_reason="ok")
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


@pytest.mark.parametrize("approve_posts", [False, True], ids=["posts-through", "posts-wait"])
def test_pu12_the_paused_form_asks_what_the_service_asks(
    world, approve_posts, django_capture_on_commit_callbacks
):
    if not approve_posts:
        policy_update(
            actor=world.p.chief_administrator,
            municipality=world.municipality,
            overrides={"PU-12": {"approve_posts": False}},
            reason="Innlegg går rett ut.",
        )
    post = paused_in_a_crisis(world)
    slug = world.municipality.slug
    url = f"/m/{slug}/krise/pause/{post.pk}/"
    client = client_for(world.p.communications)
    listing = client.get(f"/m/{slug}/krise/pause/").content.decode()
    form = {f"p{post.pk}-decision": "resume_now"}
    page = client.post(url, form).content.decode()
    if approve_posts:
        assert REFUSED in page and STILL in listing
        assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED
        return
    assert REFUSED not in page and STILL not in listing
    assert "Bekreft" in page  # the confirmation, as after a crisis
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**form, "confirm": "yes"}, follow=True)
    assert "Innlegget er satt i gang igjen." in done.content.decode()
    assert Post.objects.get(pk=post.pk).status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)
