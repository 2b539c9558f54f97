"""Crisis mode's QA pass (PU-12): every decision is in the crisis log, also after the
crisis has ended; a replayed rejection does nothing twice; zero-width characters are no
name and no reason; a member's 403 page shows the banner; removing a deputy twice says
so; the log's "posts paused" line reads in the reader's language; a second declaration is
refused before its confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis import services as crisis_services
from ordstyrer.crisis.models import Crisis, CrisisDeputy, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.services import (
    crisis_approve,
    crisis_declare,
    crisis_deputy_add,
    crisis_end,
    crisis_reject,
    paused_posts_text,
)
from ordstyrer.inbox.models import ReplyStatus
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_discard, post_publish
from tests.api.conftest import ApiClient, token_for
from tests.crisis.test_posts import DURING, SCHEDULED
from tests.crisis.test_views import waiting_reply

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\ufeff\u200d"


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture(autouse=True)
def _bokmal_afterwards():
    """The console's middleware activates the cookie's language in the test's thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def pub(db):
    from tests.publishing.conftest import make_world

    return make_world("krqa")


def client_for(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def declare(pub, name: str = "Flom") -> Crisis:
    return crisis_declare(municipality=pub.municipality, name=name, actor=pub.p.crisis_leader)


def sent(pub, capture, text: str = DURING, *, publish_at=None) -> Post:
    post = post_create(
        actor=pub.editor,
        municipality=pub.municipality,
        channel_ids=[pub.page.pk],
        text=text,
        publish_at=publish_at,
    )
    with capture(execute=True):
        return post_publish(actor=pub.editor, post_id=post.pk)


def decide_url(pub, post) -> str:
    return f"/m/{pub.municipality.slug}/krise/godkjenning/post/{post.pk}/"


def api_for(pub, user) -> ApiClient:
    return ApiClient(token_for(user, pub.municipality))


def api_url(pub, rest: str) -> str:
    return f"/api/v1/m/{pub.municipality.slug}/crisis{rest}"


# --- 1: a decision after the crisis has ended is in that crisis' log -----------------------


def test_a_post_approved_after_the_crisis_ended_is_in_its_crisis_log(
    pub, django_capture_on_commit_callbacks
):
    crisis = declare(pub)
    post = sent(pub, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    crisis_end(municipality=pub.municipality, actor=pub.p.crisis_leader)
    with django_capture_on_commit_callbacks(execute=True):
        crisis_approve(
            municipality=pub.municipality,
            kind="post",
            object_id=post.pk,
            actor=pub.p.crisis_leader,
        )
    assert crisis.log_entries.filter(
        kind=CrisisLogKind.POST_APPROVED, object_kind="post", object_id=str(post.pk)
    ).exists()
    audit = AuditEntry.objects.get(action="post_crisis_approve", object_id=str(post.pk))
    assert audit.data["crisis_id"] == crisis.pk
    # ... and so is its publication, though no crisis is active any longer (PU-12)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert crisis.log_entries.filter(
        kind=CrisisLogKind.POST_PUBLISHED, object_kind="post", object_id=str(post.pk)
    ).exists()


# --- 2: a replayed rejection does nothing twice and says so ------------------------------


def test_a_replayed_post_rejection_in_the_console_says_it_was_decided(
    pub, django_capture_on_commit_callbacks
):
    crisis = declare(pub)
    post = sent(pub, django_capture_on_commit_callbacks)
    leader = client_for(pub.p.crisis_leader)
    form = {"action": "reject", "confirm": "yes", "reason": "Ikke nå."}
    with django_capture_on_commit_callbacks(execute=True):
        first = leader.post(decide_url(pub, post), form, follow=True).content.decode()
    assert "Avvist. Forfatteren har fått begrunnelsen." in first
    with django_capture_on_commit_callbacks(execute=True):
        again = leader.post(decide_url(pub, post), form, follow=True).content.decode()
    assert "Dette er allerede avgjort." in again
    assert "venter ikke på kriseleder" not in again
    assert Post.objects.get(pk=post.pk).status == PostStatus.REJECTED
    assert crisis.log_entries.filter(kind=CrisisLogKind.POST_REJECTED).count() == 1


def test_a_replayed_post_rejection_in_the_api_answers_as_the_first(
    pub, django_capture_on_commit_callbacks
):
    declare(pub)
    post = sent(pub, django_capture_on_commit_callbacks)
    api = api_for(pub, pub.p.crisis_leader)
    url = api_url(pub, f"/approvals/post/{post.pk}/reject")
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(url, {"reason": "Ikke nå."})
        again = api.post(url, {"reason": "Ikke nå."})
    assert first.status_code == 200, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json() == {"kind": "post", "id": post.pk, "status": "rejected"}
    # A post the crisis leader never rejected is still a conflict.
    approved = sent(pub, django_capture_on_commit_callbacks)
    crisis_approve(
        municipality=pub.municipality, kind="post", object_id=approved.pk, actor=pub.p.crisis_leader
    )
    refused = api.post(api_url(pub, f"/approvals/post/{approved.pk}/reject"), {"reason": "Nei."})
    assert refused.status_code == 409


# --- 3: zero-width characters are no name and no reason ----------------------------------


def test_a_crisis_name_of_zero_width_characters_is_refused_everywhere(pub):
    leader = client_for(pub.p.crisis_leader)
    url = f"/m/{pub.municipality.slug}/krise/erklaer/"
    for form in ({"name": ZERO_WIDTH}, {"name": ZERO_WIDTH, "confirm": "yes"}):
        page = leader.post(url, form, follow=True).content.decode()
        assert "Gi krisen et navn." in page
    with pytest.raises(ServiceError):
        crisis_declare(municipality=pub.municipality, name=ZERO_WIDTH, actor=pub.p.crisis_leader)
    answer = api_for(pub, pub.p.crisis_leader).post(api_url(pub, ""), {"name": ZERO_WIDTH})
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail_nb"].startswith("Gi krisen et navn.")
    assert not Crisis.objects.exists()


def test_a_rejection_reason_of_zero_width_characters_is_refused(
    pub, django_capture_on_commit_callbacks
):
    declare(pub)
    post = sent(pub, django_capture_on_commit_callbacks)
    answer = api_for(pub, pub.p.crisis_leader).post(
        api_url(pub, f"/approvals/post/{post.pk}/reject"), {"reason": ZERO_WIDTH}
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["detail_nb"] == "Skriv en begrunnelse til forfatteren."
    with pytest.raises(ServiceError):
        crisis_reject(
            municipality=pub.municipality,
            kind="post",
            object_id=post.pk,
            actor=pub.p.crisis_leader,
            reason=f" {ZERO_WIDTH} ",
        )
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_CRISIS_APPROVAL


def test_a_reply_rejection_reason_of_zero_width_characters_is_refused(
    world, item, django_capture_on_commit_callbacks
):
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    reply = waiting_reply(world, item, django_capture_on_commit_callbacks)
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    with pytest.raises(ServiceError):
        crisis_reject(
            municipality=world.municipality,
            kind="reply",
            object_id=reply.pk,
            actor=world.p.crisis_leader,
            reason=ZERO_WIDTH,
        )
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL


def paused_post(pub, capture) -> Post:
    """A scheduled post paused by a crisis that has ended since."""
    post = sent(pub, capture, SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5))
    assert post.status == PostStatus.SCHEDULED
    declare(pub)
    crisis_end(municipality=pub.municipality, actor=pub.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


def test_a_discard_reason_of_zero_width_characters_is_refused(
    pub, django_capture_on_commit_callbacks
):
    post = paused_post(pub, django_capture_on_commit_callbacks)
    leader = client_for(pub.p.crisis_leader)
    prefix = f"p{post.pk}"
    page = leader.post(
        f"/m/{pub.municipality.slug}/krise/pause/{post.pk}/",
        {f"{prefix}-decision": "discard", f"{prefix}-reason": ZERO_WIDTH, "confirm": "yes"},
    )
    assert page.status_code == 200
    assert "Skriv hvorfor innlegget forkastes." in page.content.decode()
    with pytest.raises(ServiceError):
        post_discard(actor=pub.p.crisis_leader, post_id=post.pk, reason=ZERO_WIDTH)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED


# --- 5: a member's 403 page is still their municipality's page ---------------------------


def test_a_refused_page_shows_the_crisis_banner_and_the_menu(pub):
    declare(pub, "Flom i Elvdalen")
    slug = pub.municipality.slug
    archive = f"/m/{slug}/arkiv/"
    refused = client_for(pub.p.crisis_leader).get(archive)
    body = refused.content.decode()
    assert refused.status_code == 403
    assert 'class="crisis-banner"' in body and "Krise: Flom i Elvdalen." in body
    assert f'href="/m/{slug}/krise/"' in body  # the municipality's menu
    outsider = client_for(pub.p.outsider).get(archive)
    assert outsider.status_code == 404
    assert "crisis-banner" not in outsider.content.decode()
    assert client_for(pub.p.archivist).get(archive).status_code == 200


# --- 6: removing a deputy twice ------------------------------------------------------------


def test_removing_a_deputy_twice_says_it_was_removed_already(pub):
    crisis_deputy_add(
        municipality=pub.municipality, user=pub.p.chief_administrator, actor=pub.p.crisis_leader
    )
    leader = client_for(pub.p.crisis_leader)
    url = f"/m/{pub.municipality.slug}/krise/stedfortredere/"
    form = {"remove": pub.p.chief_administrator.pk, "confirm": "yes"}
    first = leader.post(url, form, follow=True)
    assert "Stedfortrederen er fjernet." in first.content.decode()
    again = leader.post(url, form, follow=True)
    assert again.status_code == 200
    assert "Stedfortrederen er allerede fjernet." in again.content.decode()
    assert not CrisisDeputy.objects.exists()


# --- 7: the "posts paused" line in the reader's language ---------------------------------


def test_the_posts_paused_line_reads_in_the_readers_language(
    pub, django_capture_on_commit_callbacks
):
    sent(pub, django_capture_on_commit_callbacks, SCHEDULED, publish_at=None)  # published
    sent(
        pub,
        django_capture_on_commit_callbacks,
        SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=2),
    )
    with translation.override("en"):  # declared from an English console
        crisis = declare(pub)
    entry = crisis.log_entries.get(kind=CrisisLogKind.POSTS_PAUSED)
    assert entry.text == "1 planlagt innlegg satt på pause."  # stored in Bokmål
    # A line written before, with other counts.
    CrisisLogEntry.objects.create(
        crisis=crisis,
        kind=CrisisLogKind.POSTS_PAUSED,
        text=(
            "3 planlagte innlegg satt på pause. "
            "2 innlegg som ventet på godkjenning, er satt på pause."
        ),
        object_kind="crisis",
        object_id=str(crisis.pk),
        created_at=entry.created_at,
    )
    url = f"/m/{pub.municipality.slug}/krise/"
    for path in (url, f"{url}logg/{crisis.pk}/"):
        nynorsk = client_for(pub.p.crisis_leader, "nn").get(path).content.decode()
        assert "1 planlagt innlegg sett på pause." in nynorsk
        assert "3 planlagde innlegg sette på pause." in nynorsk
        assert "2 innlegg som venta på godkjenning, er sette på pause." in nynorsk
        assert "satt på pause" not in nynorsk
        english = client_for(pub.p.crisis_leader, "en").get(path).content.decode()
        assert "1 scheduled post paused." in english
        assert "2 posts that were awaiting approval have been paused." in english
        bokmal = client_for(pub.p.crisis_leader, "nb").get(path).content.decode()
        assert "1 planlagt innlegg satt på pause." in bokmal


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize(("scheduled", "waiting"), [(1, 0), (0, 1), (2, 5), (11, 1), (1, 21)])
def test_the_counts_are_read_back_from_a_line_in_any_language(language, scheduled, waiting):
    with translation.override(language):
        text = paused_posts_text(scheduled=scheduled, waiting=waiting)
    assert crisis_services.paused_posts_counts(text) == (scheduled, waiting)


@pytest.mark.parametrize("text", ["", "Noe annet.", "3 planlagte innlegg satt på pause. Og mer."])
def test_a_line_that_is_not_the_sentence_is_shown_as_stored(text):
    assert crisis_services.paused_posts_counts(text) is None


# --- a second declaration is refused before its confirmation ------------------------------


def test_a_second_declaration_is_refused_at_the_first_step(pub):
    declare(pub, "Flom")
    leader = client_for(pub.p.crisis_leader)
    url = f"/m/{pub.municipality.slug}/krise/erklaer/"
    first = leader.post(url, {"name": "Storm"})
    assert first.status_code == 302  # no confirmation page
    page = leader.get(first["Location"]).content.decode()
    assert "Det er allerede erklært en krise: «Flom»." in page
    assert Crisis.objects.count() == 1
