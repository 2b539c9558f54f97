"""Session 22: the channel forms that read what was posted without their form, and a
proposal sent twice.

A NUL byte in a decision's comment, a pause reason or a retirement reason went straight
to the database: a 500 on PostgreSQL, which cannot store one (and a retirement that
failed so left the channel active). Now each is read through its form (`DecisionForm`,
`ReasonForm` with the action's prefix), and the form's own Norwegian refusal is shown.

A double-clicked «Lagre og send til godkjenning» on a channel proposal (CH-1) saved and
submitted the proposal with the first click and answered the second with «Det finnes
allerede en kanal med dette navnet på plattformen.» — inviting a rename and a duplicate.
Now the proposal form carries an intent key (`core.intents`): the same form posted
again by the same person says «Forslaget er allerede lagret.» and leads to it.

The NUL cases fail with a server error on PostgreSQL (CI's second pass); on SQLite they
show that the refusal is said and nothing is stored."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.messages import ERROR, INFO, SUCCESS, get_messages
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel, ChannelEvent, ChannelStatus
from tests.channels.conftest import FULL_PLAN, active_channel, approver, propose
from tests.conftest import make_personas
from tests.inbox.conftest import text_of

NUL = "Null-tegn er ikke tillatt."
SAVED = "Forslaget er allerede lagret."
NAME_TAKEN = "Det finnes allerede en kanal med dette navnet på plattformen."


def _signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _act(channel) -> str:
    return reverse("channels:act", args=[channel.municipality.slug, channel.pk])


def _detail(channel) -> str:
    return reverse("channels:detail", args=[channel.municipality.slug, channel.pk])


# --- NUL bytes: the forms' refusal, never a server error -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_ch1_a_decision_comment_with_a_nul_byte_is_refused_at_the_field(action):
    """CH-1: the confirmation's comment holds a NUL byte: the confirmation again, with
    the form's refusal at the field; nothing is decided."""
    p = make_personas()
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    decider = approver(p, channel.current_approver_role)
    response = _signed_in(decider).post(
        _act(channel),
        {
            "action": action,
            "decision-comment": "Drøftet i ledermøtet\x00",
            "round": str(channel.approval_round),
            "step": str(channel.approval_step),
            "confirmed": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": [NUL]}
    assert NUL in text_of(response.content.decode())
    assert not ChannelEvent.objects.filter(channel=channel, action=action).exists()
    assert Channel.objects.get(pk=channel.pk).status == channel.status


@pytest.mark.django_db
def test_ch1_a_decision_comment_the_form_takes_still_decides():
    """CH-1: a comment read through the form is the one the decision keeps."""
    p = make_personas()
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    decider = approver(p, channel.current_approver_role)
    response = _signed_in(decider).post(
        _act(channel),
        {
            "action": "reject",
            "decision-comment": "  Planen må si hvem som svarer.  ",
            "round": str(channel.approval_round),
            "step": str(channel.approval_step),
            "confirmed": "1",
        },
    )
    assert _said(response) == [(SUCCESS, "Forslaget er avvist.")]
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.REJECTED
    assert channel.rejection_reason == "Planen må si hvem som svarer."


@pytest.mark.django_db
@pytest.mark.parametrize("confirmed", [{}, {"confirmed": "1"}])
def test_ch1_a_retirement_reason_with_a_nul_byte_is_refused(confirmed):
    """CH-1, CH-3: a retirement reason with a NUL byte — on the detail page's form or
    the confirmation's — is refused with the form's words; the channel stays active."""
    p = make_personas()
    channel = active_channel(p)
    response = _signed_in(p.communications).post(
        _act(channel), {"action": "retire", "retire-reason": "Lagt ned\x00", **confirmed}
    )
    assert response.status_code == 302 and response["Location"] == _detail(channel)
    assert _said(response) == [(ERROR, f"Begrunnelse: {NUL}")]
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.ACTIVE


@pytest.mark.django_db
def test_ch1_a_pause_reason_with_a_nul_byte_is_refused():
    """A pause reason with a NUL byte is refused with the form's words; the channel is
    not paused. Without a reason it pauses, as before."""
    p = make_personas()
    channel = active_channel(p)
    client = _signed_in(p.communications)
    response = client.post(_act(channel), {"action": "pause", "pause-reason": "Ferie\x00"})
    assert response.status_code == 302 and response["Location"] == _detail(channel)
    assert _said(response) == [(ERROR, f"Begrunnelse: {NUL}")]
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.ACTIVE

    paused = client.post(_act(channel), {"action": "pause"})
    assert _said(paused)[-1] == (SUCCESS, "Kanalen er satt på pause.")
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.PAUSED


# --- a proposal sent twice -----------------------------------------------------------


def _proposal_form(client, municipality) -> dict[str, str]:
    """The proposal page's form, filled in and sent with «Lagre og send til godkjenning»,
    with the hidden fields the page wrote."""
    page = client.get(reverse("channels:propose", args=[municipality.slug]))
    assert page.status_code == 200
    hidden = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.content.decode())
    )
    hidden.pop("csrfmiddlewaretoken", None)
    return {
        **hidden,
        "name": "Ungdomsklubben",
        "kind": "facebook",
        "plan_purpose": "Informasjon til ungdom.",
        "plan_audience": "Ungdom",
        **{f"plan_{code}": text for code, text in FULL_PLAN.items()},
        "submit_now": "1",
    }


@pytest.mark.django_db
def test_ch1_a_proposal_sent_twice_is_saved_once_and_the_second_says_so():
    """CH-1: the same form posted twice (a double click; Back and resend): the first
    saves and submits; the second leads to that proposal, says it is saved already —
    not that the name is taken — and proposes nothing."""
    p = make_personas()
    client = _signed_in(p.employee)
    form = _proposal_form(client, p.municipality)
    form["plan_main_admin"] = str(p.employee.pk)
    url = reverse("channels:propose", args=[p.municipality.slug])
    first = client.post(url, form)
    channel = Channel.objects.get(name="Ungdomsklubben")
    assert first.status_code == 302 and first["Location"] == _detail(channel)
    assert channel.status == ChannelStatus.SUBMITTED

    second = client.post(url, form)
    assert second.status_code == 302 and second["Location"] == _detail(channel)
    assert _said(second)[-1] == (INFO, SAVED)
    assert NAME_TAKEN not in [text for _level, text in _said(second)]
    assert Channel.objects.filter(name="Ungdomsklubben").count() == 1
    assert ChannelEvent.objects.filter(channel=channel, action="submit").count() == 1
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.SUBMITTED


@pytest.mark.django_db
def test_ch1_a_draft_saved_twice_is_saved_once():
    """CH-1: «Lagre som utkast» twice: one draft, the second post says it is saved."""
    p = make_personas()
    client = _signed_in(p.employee)
    form = _proposal_form(client, p.municipality)
    del form["submit_now"]
    url = reverse("channels:propose", args=[p.municipality.slug])
    client.post(url, form)
    second = client.post(url, form)
    channel = Channel.objects.get(name="Ungdomsklubben")
    assert channel.status == ChannelStatus.DRAFT
    assert second["Location"] == _detail(channel)
    assert _said(second)[-1] == (INFO, SAVED)


@pytest.mark.django_db
def test_ch1_another_form_with_the_same_name_is_still_refused():
    """CH-1: a second proposal form (opened anew) of a channel with the same name is a
    duplicate: refused on the form, as before. So is the first form's key posted by
    someone else — the replay is only its proposer's."""
    p = make_personas()
    url = reverse("channels:propose", args=[p.municipality.slug])
    client = _signed_in(p.employee)
    form = _proposal_form(client, p.municipality)
    client.post(url, form)
    again = client.post(url, _proposal_form(client, p.municipality))
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [NAME_TAKEN]

    colleague = _signed_in(p.unit_leader)
    theirs = colleague.post(url, form)  # the key of a form someone else was shown
    assert theirs.status_code == 200
    assert theirs.context["form"].non_field_errors() == [NAME_TAKEN]
    assert Channel.objects.filter(name="Ungdomsklubben").count() == 1


@pytest.mark.django_db(transaction=True)
def test_ch1_two_posts_of_one_proposal_at_once_save_one(django_db_blocker):
    """CH-1: the second post of a double click arrives while the first is still being
    saved: it finds no proposal and no name taken yet, waits at the insert for the
    first, and is then told the proposal is saved — not that the name is taken."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    p = make_personas("samtidig")
    key = "a" * 32
    kwargs = {
        "municipality": p.municipality,
        "name": "Ungdomsklubben",
        "kind": "facebook",
        "purpose": "Informasjon til ungdom.",
        "audience": "Ungdom",
        "plan": FULL_PLAN,
        "intent_key": key,
    }
    inserted = threading.Event()
    outcome: list[object] = []

    def second() -> None:
        try:
            inserted.wait(10)
            services.channel_propose(actor=p.employee, **kwargs)
        except services.ProposalReplayed as replay:
            outcome.append(replay.channel.pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():  # the first post, not yet committed
        first = services.channel_propose(actor=p.employee, **kwargs)
        inserted.set()
        thread.join(2)  # the second waits at the insert for this transaction
        assert thread.is_alive()
    thread.join(30)
    assert outcome == [first.pk]
    assert Channel.objects.filter(name="Ungdomsklubben").count() == 1
