"""QA, a new municipality's first week (PU-12): the crisis leader is told what waits for
them — on the start page and by e-mail, once per post or reply — and the posts a crisis
paused stay on their deciders' start pages until each is decided."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add, crisis_end
from ordstyrer.inbox.models import ReplyStatus
from ordstyrer.inbox.replies import reply_send
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish, post_resume
from tests.crisis.conftest import LATER, TUESDAY, polled_item
from tests.inbox.conftest import make_world as make_inbox_world
from tests.publishing.conftest import make_world as make_publishing_world

pytestmark = pytest.mark.django_db

NOTHING = "Ingenting venter på deg akkurat nå."
DURING = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)
LATER_TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
REPLY = "Vannet er trygt å drikke igjen, hilsen Sigrid."


@pytest.fixture(autouse=True)
def _settings(settings):
    """Tasks queued on commit run at once; no platform is reachable."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


def start_page(user, slug: str) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("dashboard", args=[slug]))
    assert page.status_code == 200
    return page.content.decode()


def sent_to(user) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def publish(world, text, capture, *, publish_at=None):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=text,
        publish_at=publish_at,
    )
    with capture(execute=True):
        return post_publish(actor=world.editor, post_id=post.pk)


def test_posts_waiting_for_the_crisis_leader_are_on_their_start_page_and_mailed_once(
    django_capture_on_commit_callbacks,
):
    world = make_publishing_world("qakrpost")
    slug, p = world.municipality.slug, world.p
    crisis_deputy_add(
        municipality=world.municipality, user=p.chief_administrator, actor=p.crisis_leader
    )
    crisis_declare(municipality=world.municipality, name="Flom", actor=p.crisis_leader)
    mail.outbox.clear()

    first = publish(world, DURING, django_capture_on_commit_callbacks)
    second = publish(world, LATER_TEXT, django_capture_on_commit_callbacks)
    assert first.status == second.status == PostStatus.AWAITING_CRISIS_APPROVAL
    # A replayed submission (the form posted twice) tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=world.editor, post_id=first.pk)

    subject = "Et innlegg venter på godkjenning fra kriseleder"
    assert sent_to(p.crisis_leader) == [subject, subject]  # one per post
    assert sent_to(p.chief_administrator) == [subject, subject]  # the named deputy
    assert sent_to(world.editor) == [] and sent_to(p.communications) == []
    message = next(m for m in mail.outbox if m.to == [p.crisis_leader.email])
    queue = reverse("crisis:index", args=[slug]) + "#queue-heading"
    assert f"https://ordstyrer.example.no{queue}" in message.body
    assert DURING not in message.body  # the post's words stay in the installation

    for approver in (p.crisis_leader, p.chief_administrator):
        body = start_page(approver, slug)
        assert "2 innlegg venter på godkjenning fra kriseleder (PU-12)." in body
        assert f'href="{queue}"' in body
        assert NOTHING not in body
    for other in (world.editor, p.communications):
        assert "venter på godkjenning fra kriseleder" not in start_page(other, slug)


def test_replies_waiting_for_the_crisis_leader_are_on_their_start_page_and_mailed_once(
    django_capture_on_commit_callbacks,
):
    world = make_inbox_world("qakrsvar")
    world.channel.connector_config = {"seed": 7, "history_days": 1, "comments_per_day": 20}
    world.channel.save(update_fields=["connector_config"])
    item = polled_item(world)
    slug, p = world.municipality.slug, world.p
    crisis_deputy_add(
        municipality=world.municipality, user=p.chief_administrator, actor=p.crisis_leader
    )
    crisis_declare(municipality=world.municipality, name="Flom", actor=p.crisis_leader, now=TUESDAY)
    mail.outbox.clear()
    assert NOTHING in start_page(p.crisis_leader, slug)

    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=world.editor, item=item, text=REPLY)
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL

    subject = "Et svar venter på godkjenning fra kriseleder"
    assert sent_to(p.crisis_leader) == [subject]
    assert sent_to(p.chief_administrator) == [subject]
    assert sent_to(world.editor) == []
    assert REPLY not in mail.outbox[0].body and item.text not in mail.outbox[0].body

    queue = reverse("crisis:index", args=[slug]) + "#queue-heading"
    for approver in (p.crisis_leader, p.chief_administrator):
        body = start_page(approver, slug)
        assert "1 svar venter på godkjenning fra kriseleder (PU-12)." in body
        assert f'href="{queue}"' in body and NOTHING not in body
    assert "venter på godkjenning fra kriseleder" not in start_page(world.editor, slug)


def test_a_post_paused_by_a_crisis_stays_on_its_authors_start_page_until_decided(
    django_capture_on_commit_callbacks,
):
    world = make_publishing_world("qakrpause")
    slug, p = world.municipality.slug, world.p
    now = timezone.now()
    post = publish(
        world, LATER_TEXT, django_capture_on_commit_callbacks, publish_at=now + timedelta(hours=2)
    )
    assert post.status == PostStatus.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(municipality=world.municipality, name="Flom", actor=p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    link = f'href="{reverse("publishing:detail", args=[slug, post.pk])}"'
    listed = "Satt på pause (krise): «Biblioteket har nye åpningstider"

    during = start_page(world.editor, slug)
    assert listed in during and link in during
    with django_capture_on_commit_callbacks(execute=True):
        crisis_end(municipality=world.municipality, actor=p.crisis_leader)

    after = start_page(world.editor, slug)
    assert listed in after and link in after and NOTHING not in after
    assert listed in start_page(p.communications, slug)  # may decide it too
    crisis_deputy_add(
        municipality=world.municipality, user=p.chief_administrator, actor=p.crisis_leader
    )
    assert listed in start_page(p.chief_administrator, slug)  # so may a named deputy
    assert listed not in start_page(p.unit_leader, slug)  # may not

    with django_capture_on_commit_callbacks(execute=True):
        post_resume(actor=world.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status != PostStatus.PAUSED
    assert listed not in start_page(world.editor, slug)
