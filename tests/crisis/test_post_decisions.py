"""Deciding on posts in a crisis and after it (PU-12) takes one way and one confirmation:
the post's page leads to the crisis pages' confirmations; a confirmation says what will
really happen to that post; a time that has passed is refused on the form, before
anything is confirmed; the declaration counts scheduled and waiting posts apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.crisis.test_posts import DURING, SCHEDULED, client_for, page_texts

pytestmark = pytest.mark.django_db

# Passes the checks as SCHEDULED does; a unit page's post waits for its approver.
WAITING = (
    "Skolen har foreldremøte tirsdag klokken seks. Vi møtes i gymsalen. "
    "Les mer på https://indrefosen.kommune.no/skole"
)


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture
def world(db):
    from tests.publishing.conftest import make_world

    return make_world("krbesl")


def sent(world, text, channel, capture, *, publish_at=None):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[channel.pk],
        text=text,
        publish_at=publish_at,
    )
    with capture(execute=True):
        return post_publish(actor=world.editor, post_id=post.pk)


def detail(world, post) -> str:
    return f"/m/{world.municipality.slug}/publisering/{post.pk}/"


def act(world, post) -> str:
    return f"/m/{world.municipality.slug}/publisering/{post.pk}/handling/"


def paused_url(world, post) -> str:
    return f"/m/{world.municipality.slug}/krise/pause/{post.pk}/"


def status(post) -> str:
    return Post.objects.get(pk=post.pk).status


def test_the_post_page_leads_to_the_crisis_confirmation(world, django_capture_on_commit_callbacks):
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    slug = world.municipality.slug
    decide = f"/m/{slug}/krise/godkjenning/post/{post.pk}/"
    for approver in (world.p.crisis_leader, world.p.chief_administrator):
        if approver == world.p.chief_administrator:
            from ordstyrer.crisis.services import crisis_deputy_add

            crisis_deputy_add(
                municipality=world.municipality, user=approver, actor=world.p.crisis_leader
            )
        page = client_for(approver).get(detail(world, post)).content.decode()
        assert f'href="{decide}?action=approve&amp;from=post"' in page
        assert f'href="{decide}?action=reject&amp;from=post"' in page
        assert 'value="crisis_approve"' not in page and 'value="crisis_reject"' not in page

    leader = client_for(world.p.crisis_leader)
    # The old one-click post does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        one_click = leader.post(act(world, post), {"action": "crisis_approve"}, follow=True)
    assert "Ukjent handling." in one_click.content.decode()
    leader.post(act(world, post), {"action": "crisis_reject", "reason": "Nei."})
    assert status(post) == PostStatus.AWAITING_CRISIS_APPROVAL

    confirm = leader.get(f"{decide}?action=approve&from=post").content.decode()
    assert "Bekreft: godkjenn" in confirm and DURING in confirm
    # Where and when it goes out (s23: not «som planlagt» without saying when).
    assert "Innlegget publiseres nå på Kommunen. Godkjenningen føres i kriseloggen." in confirm
    assert '<input type="hidden" name="from" value="post">' in confirm
    assert f'<a href="{detail(world, post)}">Avbryt</a>' in confirm
    assert status(post) == PostStatus.AWAITING_CRISIS_APPROVAL
    reject = leader.get(f"{decide}?action=reject&from=post").content.decode()
    assert "Bekreft: avvis" in reject and "Forfatteren får begrunnelsen din." in reject

    with django_capture_on_commit_callbacks(execute=True):
        done = leader.post(decide, {"action": "approve", "confirm": "yes", "from": "post"})
    assert done.status_code == 302 and done["Location"] == detail(world, post)
    assert status(post) == PostStatus.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        replay = leader.post(
            decide, {"action": "approve", "confirm": "yes", "from": "post"}, follow=True
        )
    body = replay.content.decode()
    assert "Dette er allerede avgjort." in body and "Utført." not in body
    assert page_texts(world.page).count(DURING) == 1
    # An outsider does not reach it through the post page's link either.
    assert client_for(world.p.outsider).get(f"{decide}?action=approve&from=post").status_code == 404


def test_a_post_that_waited_for_approval_is_said_to_go_back_to_approval(
    world, django_capture_on_commit_callbacks
):
    waiting = sent(world, WAITING, world.school, django_capture_on_commit_callbacks)
    assert waiting.status == PostStatus.AWAITING_APPROVAL
    scheduled = sent(
        world,
        SCHEDULED,
        world.page,
        django_capture_on_commit_callbacks,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    comms = client_for(world.p.communications)
    prefix = f"p{waiting.pk}"

    now = comms.post(paused_url(world, waiting), {f"{prefix}-decision": "resume_now"})
    body = now.content.decode()
    assert "Innlegget publiseres nå." not in body
    assert (
        "Innlegget publiseres ikke nå: det går tilbake til godkjenning hos enhetsleder eller "
        "kommunikasjon, og publiseres straks det blir godkjent." in body
    )
    later = comms.post(
        paused_url(world, waiting),
        {f"{prefix}-decision": "resume_at", f"{prefix}-publish_at": "01.01.2099 10:00"},
    )
    assert "Planlegg høyst ett år fram i tid." in later.content.decode()  # checked before
    at = (timezone.localtime() + timedelta(days=2)).replace(hour=10, minute=0)
    later = comms.post(
        paused_url(world, waiting),
        {f"{prefix}-decision": "resume_at", f"{prefix}-publish_at": at.strftime("%d.%m.%Y %H:%M")},
    )
    assert (
        "det går tilbake til godkjenning hos enhetsleder eller kommunikasjon. Det publiseres"
        in (later.content.decode())
    )
    with django_capture_on_commit_callbacks(execute=True):
        comms.post(
            paused_url(world, waiting), {f"{prefix}-decision": "resume_now", "confirm": "yes"}
        )
    assert status(waiting) == PostStatus.AWAITING_APPROVAL  # what the confirmation said

    # A scheduled post's confirmation still says it goes out now.
    other = comms.post(paused_url(world, scheduled), {f"p{scheduled.pk}-decision": "resume_now"})
    assert "Innlegget publiseres nå." in other.content.decode()


def test_a_passed_time_is_refused_on_the_form_before_the_confirmation(
    world, django_capture_on_commit_callbacks
):
    post = sent(
        world,
        SCHEDULED,
        world.page,
        django_capture_on_commit_callbacks,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    crisis = crisis_declare(
        municipality=world.municipality, name="Storm", actor=world.p.crisis_leader
    )
    leader = client_for(world.p.crisis_leader)
    prefix = f"p{post.pk}"
    # While the crisis lasts only discarding is possible: said on the form, not after it.
    during = leader.post(paused_url(world, post), {f"{prefix}-decision": "resume_now"})
    body = during.content.decode()
    assert during.status_code == 200 and "Krisen er ikke avsluttet" in body
    assert 'name="confirm"' not in body
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    assert crisis.pk

    typed = {f"{prefix}-decision": "resume_at", f"{prefix}-publish_at": "01.01.2020 10:00"}
    page = leader.post(paused_url(world, post), typed)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Tidspunktet for publisering har passert." in body and "field-error" in body
    assert "Innlegget publiseres 1. jan. 2020" not in body and 'name="confirm"' not in body
    assert 'value="01.01.2020 10:00"' in body  # what was typed is kept
    assert 'value="resume_at" ' in body and "checked" in body  # and the choice
    # A replayed "Bekreft" with the passed time is refused the same way, on the form.
    confirmed = leader.post(paused_url(world, post), {**typed, "confirm": "yes"})
    assert confirmed.status_code == 200
    assert "Tidspunktet for publisering har passert." in confirmed.content.decode()
    assert status(post) == PostStatus.PAUSED


def test_the_post_page_resumes_and_discards_through_the_confirmation(
    world, django_capture_on_commit_callbacks
):
    post = sent(
        world,
        SCHEDULED,
        world.page,
        django_capture_on_commit_callbacks,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    # The author (an employee, not crisis staff) decides from the post's page.
    author = client_for(world.editor)
    page = author.get(detail(world, post)).content.decode()
    assert 'name="action" value="resume"' not in page
    assert 'name="action" value="discard"' not in page
    assert f'action="{paused_url(world, post)}"' in page
    assert '<input type="hidden" name="from" value="post">' in page
    assert "checked" not in page  # nothing pre-selected
    # The old one-click posts do nothing.
    author.post(act(world, post), {"action": "resume"})
    author.post(act(world, post), {"action": "discard", "reason": "Utdatert."})
    assert status(post) == PostStatus.PAUSED

    prefix = f"p{post.pk}"
    choice = {f"{prefix}-decision": "discard", f"{prefix}-reason": "Utdatert.", "from": "post"}
    confirm = author.post(paused_url(world, post), choice)
    body = confirm.content.decode()
    assert "Innlegget forkastes og publiseres aldri." in body
    assert f'<a href="{detail(world, post)}">Avbryt</a>' in body
    assert status(post) == PostStatus.PAUSED
    done = author.post(paused_url(world, post), {**choice, "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == detail(world, post)
    assert status(post) == PostStatus.DRAFT
    replay = author.post(paused_url(world, post), {**choice, "confirm": "yes"}, follow=True)
    assert "Innlegget er allerede avgjort." in replay.content.decode()
    # Members who may not decide on the post, and outsiders, are refused.
    assert client_for(world.p.employee).post(paused_url(world, post), choice).status_code == 403
    assert client_for(world.p.outsider).post(paused_url(world, post), choice).status_code == 404


def test_the_declaration_counts_scheduled_and_waiting_posts_apart(
    world, django_capture_on_commit_callbacks
):
    sent(
        world,
        SCHEDULED,
        world.page,
        django_capture_on_commit_callbacks,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    sent(world, WAITING, world.school, django_capture_on_commit_callbacks)
    sent(world, WAITING + " Velkommen!", world.school, django_capture_on_commit_callbacks)
    leader = client_for(world.p.crisis_leader)
    declare = f"/m/{world.municipality.slug}/krise/erklaer/"
    confirm = leader.post(declare, {"name": "Flom"}).content.decode()
    assert "1 planlagt innlegg settes på pause nå." in confirm
    assert "2 innlegg som venter på godkjenning, settes også på pause nå." in confirm
    assert "3 planlagte" not in confirm
    done = leader.post(declare, {"name": "Flom", "confirm": "yes"}, follow=True)
    assert (
        "Krisen «Flom» er erklært. 1 planlagt innlegg er satt på pause. "
        "2 innlegg som ventet på godkjenning, er satt på pause." in done.content.decode()
    )
    assert CrisisLogEntry.objects.get(kind="posts_paused").text == (
        "1 planlagt innlegg satt på pause. 2 innlegg som ventet på godkjenning, er satt på pause."
    )
    assert Post.objects.filter(status=PostStatus.PAUSED).count() == 3


def test_a_post_left_waiting_for_the_crisis_leader_is_not_published_on_resume(
    world, django_capture_on_commit_callbacks
):
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    # Left over: a later crisis pauses it; that one ends too.
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    assert status(post) == PostStatus.PAUSED
    comms = client_for(world.p.communications)
    prefix = f"p{post.pk}"

    # The choice says what happens: it goes to approval, it is not published now.
    listed = comms.get(f"/m/{world.municipality.slug}/krise/pause/").content.decode()
    assert "Send til godkjenning" in listed and "Publiser nå" not in listed
    on_post = client_for(world.editor).get(detail(world, post)).content.decode()
    assert "Send til godkjenning, med tidspunkt for publisering" in on_post
    assert "Publiser nå" not in on_post

    confirm = comms.post(paused_url(world, post), {f"{prefix}-decision": "resume_now"})
    body = confirm.content.decode()
    assert "Innlegget publiseres nå." not in body
    assert (
        "Innlegget publiseres ikke nå: det går tilbake til godkjenning hos kriseleder, "
        "og publiseres straks det blir godkjent." in body
    )
    with django_capture_on_commit_callbacks(execute=True):
        comms.post(paused_url(world, post), {f"{prefix}-decision": "resume_now", "confirm": "yes"})
    assert status(post) == PostStatus.AWAITING_CRISIS_APPROVAL  # what the confirmation said
    assert page_texts(world.page).count(DURING) == 0

    # The crisis leader's approval, on the crisis page's confirmation, lets it out.
    decide = f"/m/{world.municipality.slug}/krise/godkjenning/post/{post.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.p.crisis_leader).post(decide, {"action": "approve", "confirm": "yes"})
    assert status(post) == PostStatus.PUBLISHED
    assert page_texts(world.page).count(DURING) == 1


def test_a_scheduled_paused_post_still_offers_to_publish_now(
    world, django_capture_on_commit_callbacks
):
    post = sent(
        world,
        SCHEDULED,
        world.page,
        django_capture_on_commit_callbacks,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.crisis_leader)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    listed = client_for(world.p.communications).get(f"/m/{world.municipality.slug}/krise/pause/")
    body = listed.content.decode()
    assert "Publiser nå" in body and "Send til godkjenning" not in body
    assert status(post) == PostStatus.PAUSED


def test_the_log_names_paused_posts_without_calling_them_all_scheduled(
    world, django_capture_on_commit_callbacks
):
    sent(world, WAITING, world.school, django_capture_on_commit_callbacks)
    crisis = crisis_declare(
        municipality=world.municipality, name="Flom", actor=world.p.crisis_leader
    )
    entry = CrisisLogEntry.objects.get(kind="posts_paused")
    assert entry.get_kind_display() == "Innlegg satt på pause"
    page = client_for(world.p.crisis_leader).get(
        f"/m/{world.municipality.slug}/krise/logg/{crisis.pk}/"
    )
    body = page.content.decode()
    assert "Innlegg satt på pause" in body and "Planlagte innlegg satt på pause" not in body
