"""Crisis mode and posts (PU-12): a scheduled post does not go out once a crisis is
declared, new posts wait for the crisis leader, and after the crisis each paused post
gets a deliberate decision in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis.queue import crisis_approvals, paused_posts
from ordstyrer.crisis.services import crisis_approve, crisis_declare, crisis_end
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

SCHEDULED = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
DURING = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)


@pytest.fixture(autouse=True)
def _publishing_settings(settings, monkeypatch):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture
def world(db):
    return make_world("krpub")


def page_texts(channel) -> list[str]:
    world = SimulatedWorld.objects.filter(channel=channel).first()
    if world is None:
        return []
    return [p["text"] for p in world.state["posts"].values() if not p["deleted"]]


def publish(world, text, capture, *, now, publish_at=None):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=text,
        publish_at=publish_at,
    )
    with capture(execute=True):
        return post_publish(actor=world.editor, post_id=post.pk, now=now)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_scheduled_post_pauses_new_post_waits_and_each_is_decided_after(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    at = now + timedelta(minutes=5)  # held by our worker
    scheduled = publish(
        world, SCHEDULED, django_capture_on_commit_callbacks, now=now, publish_at=at
    )
    assert scheduled.status == PostStatus.SCHEDULED

    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_declare(
            municipality=world.municipality,
            name="Vannforurensning",
            actor=world.p.crisis_leader,
            now=now + timedelta(minutes=1),
        )
    assert crisis.paused_count == 1
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PAUSED
    # Its time comes and goes: the worker does not publish it.
    assert delivery.release_due(now=at + timedelta(seconds=1)) == 0
    assert SCHEDULED not in page_texts(world.page)

    # A new post during the crisis waits for the crisis leader (PU-12).
    during = publish(world, DURING, django_capture_on_commit_callbacks, now=now)
    assert during.status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert [(w.kind, w.id) for w in crisis_approvals(municipality=world.municipality)] == [
        ("post", during.pk)
    ]
    with pytest.raises(NotPermitted):
        crisis_approve(
            municipality=world.municipality,
            kind="post",
            object_id=during.pk,
            actor=world.p.communications,
        )
    leader = client_for(world.p.crisis_leader)
    decide = f"/m/{world.municipality.slug}/krise/godkjenning/post/{during.pk}/"
    assert DURING in leader.get(f"{decide}?action=approve").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(decide, {"action": "approve", "confirm": "yes"})
    during.refresh_from_db()
    assert during.status == PostStatus.PUBLISHED
    assert page_texts(world.page).count(DURING) == 1
    with django_capture_on_commit_callbacks(execute=True):
        replay = leader.post(decide, {"action": "approve", "confirm": "yes"}, follow=True)
    assert "Dette er allerede avgjort." in replay.content.decode()
    assert page_texts(world.page).count(DURING) == 1
    assert crisis.log_entries.filter(object_kind="post", object_id=str(during.pk)).exists()

    # Ending the crisis lists the paused post; nothing happens to it unasked.
    comms = client_for(world.p.communications)
    end = comms.post(f"/m/{world.municipality.slug}/krise/avslutt/", {"confirm": "yes"})
    assert end["Location"].endswith("/krise/pause/")
    page = comms.get(end["Location"]).content.decode()
    assert SCHEDULED in page and "checked" not in page  # nothing pre-selected
    assert [p.pk for p in paused_posts(municipality=world.municipality)] == [scheduled.pk]

    decide_paused = f"/m/{world.municipality.slug}/krise/pause/{scheduled.pk}/"
    prefix = f"p{scheduled.pk}"
    # The outsider and the employee are refused.
    outsider = client_for(world.p.outsider)
    assert outsider.post(decide_paused, {f"{prefix}-decision": "resume_now"}).status_code == 404
    employee = client_for(world.p.employee)
    assert employee.post(decide_paused, {f"{prefix}-decision": "resume_now"}).status_code == 403
    # No choice: a clear error, nothing happens.
    missing = comms.post(decide_paused, {})
    assert "Velg hva som skal skje med innlegget." in missing.content.decode()
    confirm = comms.post(decide_paused, {f"{prefix}-decision": "resume_now"})
    assert "Innlegget publiseres nå." in confirm.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PAUSED
    with django_capture_on_commit_callbacks(execute=True):
        comms.post(decide_paused, {f"{prefix}-decision": "resume_now", "confirm": "yes"})
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PUBLISHED
    assert page_texts(world.page).count(SCHEDULED) == 1
    replay = comms.post(
        decide_paused, {f"{prefix}-decision": "resume_now", "confirm": "yes"}, follow=True
    )
    assert "Innlegget er allerede avgjort." in replay.content.decode()
    assert page_texts(world.page).count(SCHEDULED) == 1


def test_a_paused_post_may_be_discarded_with_a_reason(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    post = publish(
        world,
        SCHEDULED,
        django_capture_on_commit_callbacks,
        now=now,
        publish_at=now + timedelta(minutes=5),
    )
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.communications)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    client = client_for(world.p.crisis_leader)
    url = f"/m/{world.municipality.slug}/krise/pause/{post.pk}/"
    prefix = f"p{post.pk}"
    no_reason = client.post(url, {f"{prefix}-decision": "discard", "confirm": "yes"})
    assert "Skriv hvorfor innlegget forkastes." in no_reason.content.decode()
    client.post(
        url,
        {
            f"{prefix}-decision": "discard",
            f"{prefix}-reason": "Utdatert etter raset.",
            "confirm": "yes",
        },
    )
    post.refresh_from_db()
    assert post.status != PostStatus.PAUSED and post.status != PostStatus.PUBLISHED
    assert SCHEDULED not in page_texts(world.page)
