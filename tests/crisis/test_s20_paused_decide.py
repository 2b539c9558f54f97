"""After a crisis (PU-12): deciding on a paused post.

* The "warn" rule on a resumption: a warning that arose while the post was paused (PU-10:
  others went out on the main page meanwhile) needs a reason, as when the post was sent
  (`post_publish`): `post_resume` refuses with `needs_override` without one, and the
  console's confirmation shows the findings and an empty reason field. Before, the post
  went out with no warning and no reason in the audit log.
* Who decides: the chief administrator sees the crisis page, and in Birkenes and Gausdal
  ends the crisis (`declared_by`), but declaring is not approving (docs/crisis.md): they
  decide on paused posts only as someone who may (`may_decide_paused`: a named deputy,
  say). Before, ending a crisis sent them to the page of paused posts, whose forms led to
  a confirmation and then a 403.
* The choices of an approved post on a channel with an approver do not promise
  «Publiser nå»: resumed at another time it goes back to the approver (CH-4).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add, crisis_end
from ordstyrer.publishing.models import ChannelPublishing, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import (
    PostRefused,
    post_approve,
    post_create,
    post_publish,
    post_resume,
)
from ordstyrer.worktime.config import OSLO
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

PAUSED = "Vannverket stenger for vedlikehold torsdag. Se https://www.midt-telemark.kommune.no/vann"
OTHERS = (
    "Biblioteket har nye åpningstider fra mandag. Se https://www.midt-telemark.kommune.no/bibliotek",
    "Svømmehallen åpner igjen etter ferien. Se https://www.midt-telemark.kommune.no/svomming",
)
REASON = "Vannmeldingen må ut i dag, selv om det blir den tredje."
ASKED = "Innlegget har fått nye merknader siden det ble sendt."


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _main_page_world(slug: str):
    """Midt-Telemark (PU-10: two a working day on the main page), its main page with no
    approver."""
    w = make_world(slug, preset="midt-telemark")
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True, approval="none")
    return w


def _sent(w, text: str, *, at: datetime | None = None) -> Post:
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=text,
        publish_at=at,
    )
    return post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig.")


def _in_three_days() -> datetime:
    day = timezone.localdate() + timedelta(days=3)
    return datetime.combine(day, time(10), tzinfo=OSLO)


def _paused_then_two_out_today(w) -> Post:
    """The scenario: a main-page post scheduled in three days (the only one that day: no
    PU-10 warning), paused by a crisis ended since; then two posts out today."""
    post = _sent(w, PAUSED, at=_in_three_days())
    assert post.status == PostStatus.SCHEDULED
    assert not [f for f in post.findings if f["rule"] == "PU-10"]
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    for text in OTHERS:
        assert _sent(w, text).status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


# --------------------------------------------------------------------------- the "warn" rule


@pytest.mark.parametrize("reason", ["", "\u200b\u200b"], ids=["none", "zero-width"])
def test_pu10_a_warning_that_arose_while_paused_needs_a_reason_to_resume(reason):
    w = _main_page_world("s20pwarn")
    post = _paused_then_two_out_today(w)
    now = timezone.now()

    with pytest.raises(PostRefused) as refused:
        post_resume(
            actor=w.p.communications,
            post_id=post.pk,
            publish_at=now,  # «Publiser nå»
            now=now,
            override_reason=reason,
        )
    assert refused.value.code == "needs_override"
    assert refused.value.rule == "PU-10"
    assert any("nr. 3 i dag" in f["message_nb"] for f in refused.value.findings)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED

    post = post_resume(
        actor=w.p.communications, post_id=post.pk, publish_at=now, now=now, override_reason=REASON
    )
    assert post.status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)
    entry = AuditEntry.objects.get(action="post_resume", object_id=str(post.pk))
    assert entry.data["override_reason"] == REASON
    assert entry.data["new_warnings"] == ["PU-10"]
    assert entry.actor_id == w.p.communications.pk
    assert REASON in Post.objects.get(pk=post.pk).override_reason


def test_pu10_a_warning_the_post_was_sent_with_needs_no_new_reason():
    """Sent as the third of its day with a reason: resumed at its own time, the same
    warning asks for nothing new (its reason is in the audit log already)."""
    w = _main_page_world("s20pcarry")
    at = _in_three_days()
    for hour, text in enumerate(OTHERS):
        _sent(w, text, at=at + timedelta(hours=hour + 1))
    post = _sent(w, PAUSED, at=at + timedelta(hours=3))
    assert any("nr. 3 i dag" in f["message_nb"] for f in post.findings)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)

    post = post_resume(actor=w.p.communications, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED
    entry = AuditEntry.objects.get(action="post_resume", object_id=str(post.pk))
    assert "PU-10" in entry.data["warnings"] and "new_warnings" not in entry.data


def test_pu10_the_resume_confirmation_shows_the_warning_and_asks_why(
    django_capture_on_commit_callbacks,
):
    w = _main_page_world("s20pconf")
    post = _paused_then_two_out_today(w)
    client = _client(w.p.communications)
    url = reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk])
    field = f"p{post.pk}-override_reason"
    choice = {f"p{post.pk}-decision": "resume_now"}

    page = client.post(url, choice)
    assert page.status_code == 200
    body = page.content.decode()
    assert "PU-10" in body and "nr. 3 i dag" in body
    empty = re.search(rf'<textarea name="{field}"[^>]*>\s*</textarea>', body)
    assert empty is not None  # the reason field, nothing pre-filled

    # Confirmed without a reason: the confirmation again, nothing done.
    again = client.post(url, {**choice, "confirm": "yes"})
    assert again.status_code == 200
    assert ASKED in again.content.decode() and "nr. 3 i dag" in again.content.decode()
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**choice, "confirm": "yes", field: REASON})
    assert done.status_code == 302
    assert Post.objects.get(pk=post.pk).status != PostStatus.PAUSED
    # A replayed confirmation does nothing twice.
    replayed = client.post(url, {**choice, "confirm": "yes", field: REASON}, follow=True)
    assert "Innlegget er allerede avgjort." in replayed.content.decode()
    assert PostEvent.objects.filter(post=post, action="resume").count() == 1
    entry = AuditEntry.objects.get(action="post_resume", object_id=str(post.pk))
    assert entry.data["override_reason"] == REASON


# --------------------------------------------------------------------------- who decides


def _paused_post(w) -> Post:
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=PAUSED,
        publish_at=timezone.now() + timedelta(days=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig.")
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


def _end_in_console(w, user):
    client = _client(user)
    crisis = w.municipality.crises.get(ended_at__isnull=True)
    url = reverse("crisis:end", args=[w.municipality.slug])
    return client.post(url, {"confirm": "yes", "crisis": crisis.pk})


@pytest.mark.parametrize("preset", ["birkenes", "gausdal"])
def test_pu12_the_chief_administrator_ends_the_crisis_and_is_not_sent_to_decide(preset):
    """Birkenes, Gausdal: the rådmann ends the crisis; the paused posts are not theirs to
    decide, so the end leads back to the crisis page, and the page of paused posts lists
    them without forms; a form posted anyway is refused before any confirmation."""
    w = make_world(f"s20pchief{preset[:3]}", preset=preset)
    post = _paused_post(w)
    chief = w.p.chief_administrator

    ended = _end_in_console(w, chief)
    assert ended.status_code == 302
    assert ended.url == reverse("crisis:index", args=[w.municipality.slug])
    assert not w.municipality.crises.filter(ended_at__isnull=True).exists()

    client = _client(chief)
    page = client.get(reverse("crisis:paused", args=[w.municipality.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert PAUSED in body
    decide = reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk])
    assert decide not in body
    assert "Kriseleder, kommunikasjon eller forfatteren bestemmer" in body

    refused = client.post(decide, {f"p{post.pk}-decision": "resume_now"})
    assert refused.status_code == 403
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED


def test_pu12_in_indre_fosen_the_chief_administrator_gets_no_forms_either():
    """Where the chief administrator does not end the crisis, they still see its page,
    and its paused posts without forms."""
    w = make_world("s20pchiefif", preset="indre-fosen")
    post = _paused_post(w)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    client = _client(w.p.chief_administrator)
    body = client.get(reverse("crisis:paused", args=[w.municipality.slug])).content.decode()
    decide = reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk])
    assert PAUSED in body and decide not in body
    assert client.post(decide, {f"p{post.pk}-decision": "discard"}).status_code == 403


def test_pu12_in_birkenes_the_crisis_leader_is_still_sent_to_decide():
    w = make_world("s20pleader", preset="birkenes")
    post = _paused_post(w)
    ended = _end_in_console(w, w.p.crisis_leader)
    assert ended.url == reverse("crisis:paused", args=[w.municipality.slug])
    body = _client(w.p.crisis_leader).get(ended.url).content.decode()
    assert reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk]) in body


def test_pu12_in_birkenes_a_chief_administrator_named_deputy_decides():
    """A deputy approves in a crisis (`may_approve_in_crisis`) and so decides on paused
    posts, the chief administrator too once the crisis leader names them."""
    w = make_world("s20pdeputy", preset="birkenes")
    post = _paused_post(w)
    chief = w.p.chief_administrator
    crisis_deputy_add(municipality=w.municipality, user=chief, actor=w.p.crisis_leader)
    ended = _end_in_console(w, chief)
    assert ended.url == reverse("crisis:paused", args=[w.municipality.slug])
    client = _client(chief)
    decide = reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk])
    assert decide in client.get(ended.url).content.decode()
    page = client.post(decide, {f"p{post.pk}-decision": "resume_now"})
    assert page.status_code == 200 and "Bekreft" in page.content.decode()


# --------------------------------------------------------------------------- the choices


def _labels(body: str, post: Post) -> list[str]:
    found = re.findall(rf'<label for="id_p{post.pk}-decision_\d">([^<]*)</label>', body)
    return [" ".join(label.split()) for label in found]


def test_ch4_an_approved_posts_choices_do_not_promise_publishing():
    """On the school page (the unit leader or communications approves), an approved post
    resumed at another time goes back to approval: the choices say it may."""
    w = make_world("s20plabel", preset="indre-fosen")
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=PAUSED,
        publish_at=timezone.now() + timedelta(days=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig.")
    post = post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED
    other = _paused_post(w)  # on the main page, no approver: published as chosen
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)

    body = (
        _client(w.p.communications)
        .get(reverse("crisis:paused", args=[w.municipality.slug]))
        .content.decode()
    )
    approved = _labels(body, post)
    assert approved == [
        "Send videre nå (kan gå tilbake til godkjenning)",
        "Send videre på et tidspunkt (kan gå tilbake til godkjenning)",
        "Forkast innlegget",
    ]
    assert _labels(body, other) == ["Publiser nå", "Publiser på et tidspunkt", "Forkast innlegget"]
    # The post's own page offers the same choices.
    detail = _client(w.editor).get(
        reverse("publishing:detail", args=[w.municipality.slug, post.pk])
    )
    assert _labels(detail.content.decode(), post) == approved
