"""Session 19: a form sent twice does what it did once and says so calmly (CH-1).

A double-clicked proposal form met the channel's unique name at the insert and gave a
500 page; a replayed «Godkjenn» or «Avvis» found the step moved on and showed a 403
page (two steps: the next step is someone else's) or a red error (one step: «…status
«Godkjent»») right after the decision went through."""

from __future__ import annotations

import threading

import pytest
from django.contrib.messages import INFO, get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel, ChannelStatus
from ordstyrer.core.errors import ServiceError
from tests.channels.conftest import FULL_PLAN, propose
from tests.conftest import make_personas

NAME_TAKEN = "Det finnes allerede en kanal med dette navnet på plattformen."


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> tuple[int, str]:
    """The message this response adds (after those of earlier responses not shown yet)."""
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)][-1]


# --- a double-clicked proposal -------------------------------------------------------------


def _as_if_both_checked_first(monkeypatch):
    """Both requests of a double click check the name before either inserts: the
    check finds nothing, for the second as for the first."""
    monkeypatch.setattr(services, "_name_taken", lambda channel: False)


@pytest.mark.django_db
def test_a_proposal_racing_its_twin_to_the_insert_is_told_the_name_is_taken(personas, monkeypatch):
    """CH-1: the second of two proposals with one name, past the check at the same
    moment, is refused like any taken name (no IntegrityError); one channel exists."""
    p = personas
    _as_if_both_checked_first(monkeypatch)
    first = propose(p, name="Skolen")
    with pytest.raises(ServiceError) as refused:
        propose(p, name="Skolen")
    assert refused.value.message == NAME_TAKEN
    assert list(Channel.objects.filter(name="Skolen")) == [first]


@pytest.mark.django_db
def test_a_double_clicked_proposal_form_shows_the_form_with_the_refusal_not_a_500(
    personas, monkeypatch
):
    """CH-1, through the console: the second post of the form answers 200 with the
    refusal on the form."""
    p = personas
    _as_if_both_checked_first(monkeypatch)
    client = _signed_in(p.employee)
    url = reverse("channels:propose", args=[p.municipality.slug])
    form = {
        "name": "Ungdomsklubben",
        "kind": "facebook",
        "plan_purpose": "Informasjon til ungdom.",
        "plan_audience": "Ungdom",
        **{f"plan_{code}": text for code, text in FULL_PLAN.items()},
    }
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 200
    assert NAME_TAKEN in again.content.decode()
    assert Channel.objects.filter(name="Ungdomsklubben").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_proposals_with_one_name_at_once_make_one_channel_and_one_refusal():
    """CH-1 on PostgreSQL: two threads propose the same channel at the same moment; one
    makes it, the other is told the name is taken."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("dobbelklikk", "gausdal")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            propose(p, name="Samtidig")
            outcomes.append("made")
        except ServiceError as refused:
            outcomes.append(refused.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["made", NAME_TAKEN])
    assert Channel.objects.filter(name="Samtidig").count() == 1


# --- a replayed decision -----------------------------------------------------------------


def _submitted(p):
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    return channel


def _decide(client, p, channel, action, comment="", *, confirmed=True):
    """The decision's confirmation posted (session 21: «Godkjenn …» and «Avvis …» show it
    first), with the round and step it showed; `confirmed=False`: the detail page's
    button itself, which posts no confirmation."""
    url = reverse("channels:act", args=[p.municipality.slug, channel.pk])
    data = {"action": action, "decision-comment": comment}
    if confirmed:
        data |= {
            "confirmed": "1",
            "round": str(channel.approval_round),
            "step": str(channel.approval_step),
        }
    return client.post(url, data)


@pytest.mark.django_db
def test_a_double_clicked_approval_in_a_two_step_chain_is_no_403(personas):
    """CH-1 (Indre Fosen: leader → communications): the unit leader's second «Godkjenn»
    finds the communications step current; it says the approval is made, calmly."""
    p = personas
    channel = _submitted(p)
    client = _signed_in(p.unit_leader)
    first = _decide(client, p, channel, "approve")
    assert first.status_code == 302
    channel.refresh_from_db()
    assert channel.current_approver_role == "communications"
    again = _decide(client, p, channel, "approve")
    assert again.status_code == 302
    assert _said(again) == (INFO, "Du har allerede godkjent forslaget.")
    channel.refresh_from_db()
    assert (channel.status, channel.current_approver_role) == ("in_review", "communications")
    assert channel.events.filter(action="approve").count() == 1


@pytest.mark.django_db
def test_a_replayed_approval_of_a_one_step_chain_is_no_error():
    """CH-1 (Gausdal, one step): the second «Godkjenn» finds the channel approved and
    says so as information, not as the red «…status «Godkjent»»."""
    p = make_personas("gjentatt", "gausdal")
    channel = _submitted(p)
    client = _signed_in(p.chief_administrator)
    assert _decide(client, p, channel, "approve").status_code == 302
    again = _decide(client, p, channel, "approve")
    assert again.status_code == 302
    assert _said(again) == (INFO, "Du har allerede godkjent forslaget.")
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.APPROVED


@pytest.mark.django_db
def test_a_replayed_rejection_is_no_error(personas):
    """CH-1: the unit leader's second «Avvis» finds the proposal rejected by them."""
    p = personas
    channel = _submitted(p)
    client = _signed_in(p.unit_leader)
    assert _decide(client, p, channel, "reject", "Planen mangler mål.").status_code == 302
    again = _decide(client, p, channel, "reject", "Planen mangler mål.")
    assert again.status_code == 302
    assert _said(again) == (INFO, "Du har allerede avvist forslaget.")
    assert channel.events.filter(action="reject").count() == 1


@pytest.mark.django_db
def test_someone_else_after_a_decision_is_still_refused(personas):
    """CH-1: only a replay by the one who decided is answered calmly; another leader's
    stale «Godkjenn» on the communications step is still the 403 it was."""
    p = personas
    channel = _submitted(p)
    assert _decide(_signed_in(p.unit_leader), p, channel, "approve").status_code == 302
    # The detail page's «Godkjenn …» of a page opened before the step moved on.
    stale = _decide(_signed_in(p.archivist), p, channel, "approve", confirmed=False)
    assert stale.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_godkjenn_at_once_approves_once_and_says_so_calmly():
    """CH-1 on PostgreSQL: both posts of the unit leader's double click arrive at once;
    the second waits for the first one's lock, finds the step decided (and the next one
    someone else's) and says so as information: no 403."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("dobbelgodkjenn", "indre-fosen")
    channel = _submitted(p)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, tuple[int, str]]] = []

    def worker() -> None:
        try:
            client = _signed_in(p.unit_leader)
            barrier.wait()
            response = _decide(client, p, channel, "approve")
            answers.append((response.status_code, _said(response)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == sorted(
        [
            (302, (INFO, "Du har allerede godkjent forslaget.")),
            (302, (25, "Du har godkjent forslaget.")),
        ]
    )
    channel.refresh_from_db()
    assert channel.current_approver_role == "communications"
    assert channel.events.filter(action="approve").count() == 1
