"""PU-12: «godkjennes all informasjon av kriseleder» — the crisis leader approves the
whole post, not its text alone. The crisis approval's confirmation (and the crisis page's
queue) showed only the text and the channels: not the post's link, its image and the
image's alternative text, when it goes out, or what the checks find now; and it said
«publiseres … som planlagt» without saying when. A deliberate act's confirmation shows
its consequence, as the ordinary approval's confirmation (`publishing:decide`) does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.crisis.test_posts import client_for
from tests.publishing.conftest import make_world, person_photo

pytestmark = pytest.mark.django_db

LINK = "https://indrefosen.kommune.no/flom-oppdatering"
TEXT = "Flommen i sentrum: Elvegata er stengt til fredag."


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture
def world(db):
    return make_world("krvis")


def waiting_post(world, *, publish_at):
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    photo, _consent = person_photo(world)
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=TEXT,
        links=[LINK],
        media_ids=[photo.pk],
        publish_at=publish_at,
    )
    post = post_publish(actor=world.editor, post_id=post.pk, override_reason="ok")
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    return post


def when_shown(at) -> str:
    with translation.override("nb"):
        return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def test_pu12_the_confirmation_shows_what_the_approval_publishes_and_when(world):
    when = timezone.now() + timedelta(days=3)
    post = waiting_post(world, publish_at=when)
    leader = client_for(world.p.crisis_leader)
    decide = f"/m/{world.municipality.slug}/krise/godkjenning/post/{post.pk}/"

    for action in ("approve", "reject"):
        page = leader.get(f"{decide}?action={action}").content.decode()
        assert TEXT in page
        assert LINK in page
        assert "biblioteket.png" in page
        assert "«Folk utenfor biblioteket»" in page  # the image's alternative text
        assert "Sjekk mot retningslinjen" in page  # the findings as the checks read it now
        assert "Ingen funn:" in page
    approve = leader.get(f"{decide}?action=approve").content.decode()
    # When and where it goes out, not «som planlagt».
    assert f"Innlegget publiseres {when_shown(when)} på Kommunen." in approve
    assert "som planlagt" not in approve
    assert "føres i kriseloggen" in approve
    assert post.__class__.objects.get(pk=post.pk).status == PostStatus.AWAITING_CRISIS_APPROVAL


def test_pu12_a_post_without_a_time_is_published_now_on_approval(world):
    post = waiting_post(world, publish_at=None)
    leader = client_for(world.p.crisis_leader)
    decide = f"/m/{world.municipality.slug}/krise/godkjenning/post/{post.pk}/"
    approve = leader.get(f"{decide}?action=approve").content.decode()
    assert "Innlegget publiseres nå på Kommunen." in approve


def test_pu12_the_queue_shows_the_link_the_image_and_the_time(world):
    when = timezone.now() + timedelta(days=3)
    waiting_post(world, publish_at=when)
    page = client_for(world.p.crisis_leader).get(f"/m/{world.municipality.slug}/krise/")
    html = page.content.decode()
    assert TEXT in html
    assert LINK in html
    assert "biblioteket.png" in html and "«Folk utenfor biblioteket»" in html
    assert when_shown(when) in html
