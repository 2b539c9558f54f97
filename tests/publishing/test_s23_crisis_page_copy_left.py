"""PU-12 on the crisis page: a paused post's copy still on Facebook's own scheduler that
Ordstyrer could not delete there goes out at its time, crisis or not. The post's page
and the page of paused posts said so (`publishing.delivery._paused_copy_left`); the
crisis main page, where the crisis staff look, did not. And the confirmation of resuming
a paused post did not say that a channel that failed before the pause stays failed
(a pause leaves a failed delivery alone, `publishing.services._release`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing import delivery
from ordstyrer.publishing.models import PostStatus
from tests.publishing.test_s16_crisis_delivery import _half_failed
from tests.publishing.test_s23_paused_copy_left import _scheduled_on_facebook

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    c.force_login(user)
    return c


def test_pu12_the_crisis_page_says_a_paused_posts_copy_is_still_on_facebook(
    connected, django_capture_on_commit_callbacks
):
    c = connected
    w = c.world
    now = timezone.now()
    post, row, pid = _scheduled_on_facebook(c, now)
    c.fake.inject(code=2, method="DELETE", path=pid, times=-1, is_transient=True)
    with django_capture_on_commit_callbacks(execute=True):
        crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
        delivery.cancel_due(now=now + timedelta(minutes=1))
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED

    page = _client(w.p.crisis_leader).get(reverse("crisis:index", args=[w.municipality.slug]))
    body = page.content.decode()
    assert "ligger fortsatt planlagt hos plattformen på «Pubby på Facebook»" in body
    assert "Slett det direkte på plattformen" in body
    assert reverse("publishing:detail", args=[w.municipality.slug, post.pk]) in body


def test_pu12_the_resume_confirmation_says_a_failed_channel_stays_failed(world):
    w = world
    now = timezone.now()
    post, library = _half_failed(w, now)
    crisis_declare(municipality=w.municipality, name="Uvær", actor=w.p.crisis_leader, now=now)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED

    url = reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk])
    page = _client(w.p.communications).post(url, {f"p{post.pk}-decision": "resume_now"})
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        "Publiseringen på «Biblioteket» feilet før pausen og forblir feilet: innlegget sendes "
        "ikke dit når det gjenopptas." in body
    )
    assert "«Pubby kommune» feilet" not in body
    # Discarding it says nothing of the kind.
    page = _client(w.p.communications).post(url, {f"p{post.pk}-decision": "discard"})
    assert "forblir feilet" not in page.content.decode()
