"""A post's page offers the crisis approval only to who may give it (PU-12).

A crisis deputy may not approve a post they wrote, changed or sent in
(`crisis_own_text_check`): the approval answers 403. The post's own page still offered
them «Godkjenn …», a link to a refusal. Now the page asks the same check: the deputy
who wrote the post sees no approve link (the rejection is still offered), another
deputy does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

TEXT = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)


@pytest.fixture
def pub(db):
    return make_world("s19lnk")


def page_of(user, post: Post) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/m/{post.municipality.slug}/publisering/{post.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def approve_link(post: Post) -> str:
    return f"/m/{post.municipality.slug}/krise/godkjenning/post/{post.pk}/?action=approve"


def reject_link(post: Post) -> str:
    return f"/m/{post.municipality.slug}/krise/godkjenning/post/{post.pk}/?action=reject"


def test_the_deputy_who_wrote_the_post_is_not_offered_its_approval(
    pub, django_capture_on_commit_callbacks
):
    """PU-12: the deputy who wrote the post sees no «Godkjenn …» (the approval would be
    refused), only «Avvis …»; another deputy sees both."""
    m = pub.municipality
    crisis_deputy_add(municipality=m, user=pub.editor, actor=pub.p.crisis_leader)
    crisis_deputy_add(municipality=m, user=pub.p.employee, actor=pub.p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader)
    post = post_create(actor=pub.editor, municipality=m, channel_ids=[pub.page.pk], text=TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=pub.editor, post_id=post.pk, now=timezone.now())
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL

    own = page_of(pub.editor, post)
    assert "Kriseleders godkjenning" in own
    assert approve_link(post) not in own
    assert reject_link(post) in own

    other = page_of(pub.p.employee, post)
    assert approve_link(post) in other and reject_link(post) in other

    leader = page_of(pub.p.crisis_leader, post)
    assert approve_link(post) in leader
