"""Session 22: the channel forms that read what was posted without their form.

A NUL byte in a decision's comment, a pause reason or a retirement reason went straight
to the database: a 500 on PostgreSQL, which cannot store one (and a retirement that
failed so left the channel active). Now each is read through its form (`DecisionForm`,
`ReasonForm` with the action's prefix), and the form's own Norwegian refusal is shown.

The NUL cases fail with a server error on PostgreSQL (CI's second pass); on SQLite they
show that the refusal is said and nothing is stored."""

from __future__ import annotations

import pytest
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel, ChannelEvent, ChannelStatus
from tests.channels.conftest import active_channel, approver, propose
from tests.conftest import make_personas
from tests.inbox.conftest import text_of

NUL = "Null-tegn er ikke tillatt."


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
