"""Session 21: a closure whose period has begun (starting now, or in the past) closed the
channel for comments in the same request as «Lagre stengingen», with nothing saying
comments go off now, and then said «Stengingen er lagret. Publiser beskjeden på
kanalen.»; a double click showed «Kanalen er allerede stengt i en del av perioden.» as a
form error.

Now such a closure is confirmed first on a page that says «Kanalen stenges for kommentarer
nå, til …» — or, where the policy applies CH-9 (Gausdal's notice first), that it closes
once its notice is published; only that page's form (`confirmed=1`) saves it. The same
form posted again once it is saved answers «allerede lagret» as information (CH-9)."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.contrib.messages import ERROR, INFO, SUCCESS, get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels.models import Closure, ClosureState
from ordstyrer.core.models import AuditEntry
from ordstyrer.core.relative import exact
from tests.channels.conftest import active_channel
from tests.channels.test_closures import SwitchingPlatform
from tests.conftest import make_personas
from tests.inbox.conftest import text_of

LOCAL = "%Y-%m-%dT%H:%M"
ALREADY = "Stengingen er allerede lagret. Ingenting er endret."
OVERLAP = "Kanalen er allerede stengt i en del av perioden."


@pytest.fixture(autouse=True)
def _switching_platform(settings):
    """Every channel's connector switches comments off (the documented opener override)."""
    platform = SwitchingPlatform()
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(platform),
    }
    return platform


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _url(channel) -> str:
    return reverse("channels:closures", args=[channel.municipality.slug, channel.pk])


def _form(start, end, reason="Vannlekkasje i rådhuset", **extra) -> dict[str, str]:
    return {
        "reason": reason,
        "starts_at": timezone.localtime(start).strftime(LOCAL),
        "ends_at": timezone.localtime(end).strftime(LOCAL),
        **extra,
    }


def _begun(hours: int = 6) -> dict[str, str]:
    """A closure from the minute before now until `hours` from now."""
    now = timezone.now()
    return _form(now - timedelta(minutes=1), now + timedelta(hours=hours))


def _schedules() -> int:
    return AuditEntry.objects.filter(action="closure_schedule").count()


@pytest.mark.django_db
def test_ch9_a_closure_begun_is_confirmed_first_and_nothing_changes(personas):
    """CH-9: «Lagre stengingen» with a start now or in the past renders a confirmation
    that says the channel closes for comments now and until when; nothing is saved, the
    channel stays open, and the page carries the values and `confirmed=1` only."""
    p = personas
    channel = active_channel(p)
    form = _begun()
    response = _signed_in(p.employee).post(_url(channel), form)
    assert response.status_code == 200
    words = text_of(response.content.decode())
    ends = exact(response.context["preview"].ends_at)
    assert f"Kanalen stenges for kommentarer nå, til {ends}." in words
    assert "Ingenting er gjort ennå." in words
    assert "Bekreft: steng kanalen nå" in words
    html = response.content.decode()
    assert f'name="starts_at" value="{form["starts_at"]}"' in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert not Closure.objects.exists() and _schedules() == 0
    channel.refresh_from_db()
    assert channel.status == "active"


@pytest.mark.django_db
def test_ch9_the_confirmed_closure_closes_the_channel_once_and_a_replay_says_so(personas):
    """CH-9: the confirmed form closes the channel and says so, with until when; the same
    form again (a double click, the browser's resend) changes nothing and answers
    «allerede lagret» as information — not the red overlap error."""
    p = personas
    channel = active_channel(p)
    client = _signed_in(p.employee)
    form = {**_begun(), "confirmed": "1"}
    first = client.post(_url(channel), form)
    assert first.status_code == 302 and first["Location"] == _url(channel)
    closure = Closure.objects.get(channel=channel)
    assert closure.state == ClosureState.IN_EFFECT
    assert _said(first) == [
        (
            SUCCESS,
            f"Kanalen er stengt for kommentarer til {exact(closure.ends_at)}. "
            "Publiser beskjeden på kanalen.",
        )
    ]
    channel.refresh_from_db()
    assert channel.status == "closed"

    again = client.post(_url(channel), form, follow=True)
    assert _said(again)[-1] == (INFO, ALREADY)
    assert OVERLAP not in again.content.decode()
    assert Closure.objects.filter(channel=channel).count() == 1 and _schedules() == 1


@pytest.mark.django_db
def test_ch9_the_unconfirmed_form_again_after_saving_says_so_too(personas):
    """CH-9: the first form (without the confirmation) sent again once the closure is
    saved — the browser's back and resend — finds it saved and asks nothing."""
    p = personas
    channel = active_channel(p)
    client = _signed_in(p.employee)
    form = _begun()
    client.post(_url(channel), {**form, "confirmed": "1"})
    again = client.post(_url(channel), form)
    assert again.status_code == 302
    assert _said(again)[-1] == (INFO, ALREADY)
    assert Closure.objects.filter(channel=channel).count() == 1


@pytest.mark.django_db
def test_ch9_a_planned_closure_needs_no_confirmation_and_a_replay_is_no_error(personas):
    """CH-9: a closure starting later closes nothing now: saved at once, as before; the
    same form again is «allerede lagret», while a different period overlapping it is
    still refused."""
    p = personas
    channel = active_channel(p)
    client = _signed_in(p.employee)
    start = timezone.now() + timedelta(days=2)
    form = _form(start, start + timedelta(days=7), reason="Sommerferie")
    first = client.post(_url(channel), form)
    assert first.status_code == 302
    assert _said(first) == [(SUCCESS, "Stengingen er lagret. Publiser beskjeden på kanalen.")]
    again = client.post(_url(channel), form)
    assert again.status_code == 302 and _said(again)[-1] == (INFO, ALREADY)
    other = client.post(_url(channel), {**form, "reason": "Jul"})
    assert other.status_code == 200
    assert other.context["form"].non_field_errors() == [OVERLAP]
    assert Closure.objects.filter(channel=channel).count() == 1


@pytest.mark.django_db
def test_ch9_a_begun_closure_the_service_would_refuse_is_refused_before_the_confirmation(
    personas,
):
    """CH-9: a begun period overlapping a planned closure is refused on the form, as the
    service would refuse it: no confirmation of something that cannot be done."""
    p = personas
    channel = active_channel(p)
    client = _signed_in(p.employee)
    now = timezone.now()
    client.post(_url(channel), _form(now + timedelta(hours=2), now + timedelta(hours=5)))
    response = client.post(_url(channel), _begun(hours=6))
    assert response.status_code == 200 and "preview" not in response.context
    assert response.context["form"].non_field_errors() == [OVERLAP]
    assert Closure.objects.filter(channel=channel).count() == 1


@pytest.mark.django_db
def test_ch9_where_the_notice_comes_first_the_confirmation_says_so():
    """CH-9 as Gausdal applies it: a begun closure does not close the channel until its
    notice is marked published — the confirmation says that, not «nå»; confirmed, it is
    saved waiting and the channel stays open."""
    p = make_personas("s21gausdal", "gausdal")
    channel = active_channel(p)
    client = _signed_in(p.employee)
    form = _begun()
    words = text_of(client.post(_url(channel), form).content.decode())
    assert "Kanalen stenges for kommentarer når beskjeden er publisert, til" in words
    assert "(CH-9)" in words and "stenges for kommentarer nå," not in words
    assert "Bekreft: lagre stengingen" in words
    assert not Closure.objects.exists()
    done = client.post(_url(channel), {**form, "confirmed": "1"})
    assert _said(done) == [
        (
            SUCCESS,
            "Stengingen er lagret. Kanalen stenges når beskjeden er publisert og du har "
            "trykket «Beskjeden er publisert» (CH-9).",
        )
    ]
    assert Closure.objects.get(channel=channel).state == ClosureState.SCHEDULED
    channel.refresh_from_db()
    assert channel.status == "active"


@pytest.mark.django_db
def test_ch9_an_outsider_gets_404_and_an_editor_403(personas):
    """CH-3, CH-9: neither another municipality's person nor a member who does not manage
    the channel gets the confirmation, confirmed or not."""
    p = personas
    channel = active_channel(p)
    for form in (_begun(), {**_begun(), "confirmed": "1"}):
        assert _signed_in(p.outsider).post(_url(channel), form).status_code == 404
        assert _signed_in(p.unit_leader).post(_url(channel), form).status_code == 403
    assert not Closure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ch9_a_double_click_on_the_confirmation_at_once_closes_once_and_says_so_calmly():
    """CH-9 on PostgreSQL: both posts of a double click on «Bekreft» arrive at once; the
    second waits for the first one's lock, meets its closure and says «allerede
    lagret» as information, not the overlap error."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("s21dobbel", "indre-fosen")
    channel = active_channel(p)
    form = {**_begun(), "confirmed": "1"}
    barrier = threading.Barrier(2)
    answers: list[tuple[int, int]] = []

    def worker() -> None:
        try:
            client = _signed_in(p.employee)
            barrier.wait()
            response = client.post(_url(channel), form)
            answers.append((response.status_code, _said(response)[-1][0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == [(302, INFO), (302, SUCCESS)]
    assert Closure.objects.filter(channel=channel).count() == 1
    assert ERROR not in [level for _code, level in answers]
