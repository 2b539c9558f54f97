"""Session 21: «Godkjenn» and «Avvis» of a channel proposal sat under one comment box on
the channel page and decided at once (CH-1), with nothing saying what follows.

Now each opens a confirmation page that says what follows — the next step's approvers
are told it waits for them, or the channel becomes approved; or the proposal is
rejected with the reason written there and its proposer told — and carries the approval
round and step it showed. Only that page's form (`confirmed=1`) decides; a replay says
it is done already, and a confirmation of another round or of a step decided since
decides nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import ERROR, INFO, SUCCESS, get_messages
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import rules, services
from ordstyrer.channels.models import ChannelStatus
from ordstyrer.channels.permissions import may_decide
from ordstyrer.tenants.models import Role
from tests.channels.conftest import propose
from tests.factories import person_with_roles
from tests.inbox.conftest import text_of

pytestmark = pytest.mark.django_db

STALE = (
    "Forslaget har gått videre eller er endret siden du så det. Ingenting er avgjort: se "
    "over forslaget slik det er nå."
)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _act(channel) -> str:
    return reverse("channels:act", args=[channel.municipality.slug, channel.pk])


def _confirmation(channel, action, comment="") -> dict[str, str]:
    """The confirmation page's form as it is written for the proposal as it stands."""
    channel.refresh_from_db()
    return {
        "action": action,
        "decision-comment": comment,
        "round": str(channel.approval_round),
        "step": str(channel.approval_step),
        "confirmed": "1",
    }


def _decisions(channel, action) -> int:
    return channel.events.filter(action=action).count()


@pytest.fixture
def submitted(personas):
    """Indre Fosen's chain (CH-1): the unit leader, then communications."""
    channel = propose(personas)
    services.channel_submit(actor=personas.employee, channel=channel)
    channel.refresh_from_db()
    assert channel.approval_chain == ["unit_leader", "communications"]
    return channel


def test_ch1_the_channel_page_asks_for_the_decision_on_the_next_page(personas, submitted):
    """CH-1: the channel page offers «Godkjenn …» and «Avvis …», with no comment box to
    decide from."""
    detail = reverse("channels:detail", args=[personas.municipality.slug, submitted.pk])
    page = _signed_in(personas.unit_leader).get(detail).content.decode()
    assert "Godkjenn …" in page and "Avvis …" in page
    assert 'name="decision-comment"' not in page


def test_ch1_approving_is_confirmed_first_saying_the_next_approver_is_told(personas, submitted):
    """CH-1: the unit leader's «Godkjenn …» renders the confirmation: the step they
    decide, that the proposal goes on to communications, who are told; the round and step
    it is for; nothing decided yet."""
    response = _signed_in(personas.unit_leader).post(
        _act(submitted), {"action": "approve", "decision-comment": "Drøftet i ledermøtet"}
    )
    assert response.status_code == 200
    words = text_of(response.content.decode())
    assert "Bekreft at du godkjenner forslaget «Skolen»" in words
    leader, comms = rules.role_label("unit_leader"), rules.role_label("communications")
    assert f"{leader} (steg 1 av 2)" in words
    assert f"Forslaget går videre til neste steg: godkjenning fra {comms} (CH-1)." in words
    assert "De som kan avgjøre det steget, får e-post om at forslaget venter på dem." in words
    html = response.content.decode()
    assert f'name="round" value="{submitted.approval_round}"' in html
    assert 'name="step" value="0"' in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert "Drøftet i ledermøtet" in html  # what was written is carried over
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.SUBMITTED and _decisions(submitted, "approve") == 0


def test_ch1_the_confirmed_approval_decides_once_and_a_replay_says_so(personas, submitted):
    """CH-1: the confirmed form approves the step once; the same form again (a double
    click) says «allerede godkjent» as information and decides nothing more."""
    client = _signed_in(personas.unit_leader)
    form = _confirmation(submitted, "approve", "Drøftet")
    first = client.post(_act(submitted), form)
    assert first.status_code == 302 and _said(first) == [(SUCCESS, "Du har godkjent forslaget.")]
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.IN_REVIEW and submitted.approval_step == 1
    assert submitted.events.get(action="approve").note == "Drøftet"
    again = client.post(_act(submitted), form)
    assert again.status_code == 302
    assert _said(again)[-1] == (INFO, "Du har allerede godkjent forslaget.")
    assert _decisions(submitted, "approve") == 1


def test_ch1_the_last_step_says_the_channel_becomes_approved(personas, submitted):
    """CH-1: communications, the last step, is told the channel becomes approved and its
    proposer and main administrators told; confirmed, it is approved."""
    services.channel_approve(actor=personas.unit_leader, channel=submitted)
    client = _signed_in(personas.communications)
    words = text_of(client.post(_act(submitted), {"action": "approve"}).content.decode())
    assert "Kanalen blir godkjent (CH-1), og hovedadministratoren kan ta den i bruk." in words
    assert "neste steg" not in words
    client.post(_act(submitted), _confirmation(submitted, "approve"))
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.APPROVED


def test_ch1_rejecting_is_confirmed_first_and_needs_a_reason_there(personas, submitted):
    """CH-1: «Avvis …» renders the confirmation (rejected with the reason written there,
    the proposer told); confirmed without a reason it is the page again with the error at
    the field; with one it is rejected once, and a replay says «allerede avvist»."""
    client = _signed_in(personas.unit_leader)
    shown = client.post(_act(submitted), {"action": "reject"})
    words = text_of(shown.content.decode())
    assert "Bekreft at du avviser forslaget «Skolen»" in words
    assert "Forslaget avvises med begrunnelsen du skriver nedenfor (CH-1)." in words
    assert submitted.events.filter(action="reject").count() == 0

    empty = client.post(_act(submitted), _confirmation(submitted, "reject"))
    assert empty.status_code == 200
    assert empty.context["form"].errors == {"comment": ["Skriv hvorfor forslaget avvises."]}
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.SUBMITTED

    form = _confirmation(submitted, "reject", "Planen mangler mål.")
    done = client.post(_act(submitted), form)
    assert _said(done)[-1] == (SUCCESS, "Forslaget er avvist.")
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.REJECTED
    assert submitted.rejection_reason == "Planen mangler mål."
    again = client.post(_act(submitted), form)
    assert _said(again)[-1] == (INFO, "Du har allerede avvist forslaget.")
    assert _decisions(submitted, "reject") == 1


def test_ch1_a_confirmation_of_an_earlier_round_decides_nothing(personas, submitted):
    """CH-1: a confirmation left open while the proposal was withdrawn, changed and sent
    in again (a new round) approves nothing of the new round: it says so."""
    client = _signed_in(personas.unit_leader)
    old = _confirmation(submitted, "approve")
    services.channel_withdraw(actor=personas.employee, channel=submitted)
    services.channel_submit(actor=personas.employee, channel=submitted)
    submitted.refresh_from_db()
    assert str(submitted.approval_round) != old["round"]
    response = client.post(_act(submitted), old)
    assert response.status_code == 302 and _said(response)[-1] == (ERROR, f"{STALE} (CH-1)")
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.SUBMITTED and _decisions(submitted, "approve") == 0


def test_ch1_a_rejection_replayed_after_the_proposal_came_back_says_it_was_made(
    personas, submitted
):
    """CH-1: the unit leader's rejection, replayed after the proposal was changed and sent
    in again, is «allerede avvist» — their rejection of that round — and rejects nothing."""
    client = _signed_in(personas.unit_leader)
    form = _confirmation(submitted, "reject", "Planen mangler mål.")
    client.post(_act(submitted), form)
    services.channel_submit(actor=personas.employee, channel=submitted)
    again = client.post(_act(submitted), form)
    assert _said(again)[-1] == (INFO, "Du har allerede avvist forslaget.")
    submitted.refresh_from_db()
    assert submitted.status == ChannelStatus.SUBMITTED and _decisions(submitted, "reject") == 1


def test_ch1_a_confirmation_of_a_step_another_approver_decided_decides_nothing(personas, submitted):
    """CH-1: two unit leaders open the confirmation of the first step; the second one's,
    posted after the first approved, is for a step decided since — nothing more is
    decided, and it is said calmly rather than the 403 page."""
    other = person_with_roles(personas.municipality, Role.UNIT_LEADER, username="leder-to")
    assert may_decide(other, submitted)
    theirs = _confirmation(submitted, "approve")
    _signed_in(personas.unit_leader).post(_act(submitted), _confirmation(submitted, "approve"))
    response = _signed_in(other).post(_act(submitted), theirs)
    assert response.status_code == 302 and _said(response)[-1] == (ERROR, f"{STALE} (CH-1)")
    submitted.refresh_from_db()
    assert submitted.approval_step == 1 and _decisions(submitted, "approve") == 1


@pytest.mark.parametrize("field", ["round", "step"])
def test_ch1_a_mangled_round_or_step_decides_nothing(personas, submitted, field):
    """CH-1: a round or step the page never wrote decides nothing."""
    form = {**_confirmation(submitted, "approve"), field: "²"}
    response = _signed_in(personas.unit_leader).post(_act(submitted), form)
    assert response.status_code == 302
    assert _said(response)[-1][0] == ERROR
    assert _decisions(submitted, "approve") == 0


def test_ch1_an_outsider_gets_404_and_someone_not_deciding_this_step_403(personas, submitted):
    """CH-1: another municipality's person gets 404; the archivist, who decides no step
    of this chain, gets the 403 page rather than a confirmation, confirmed or not."""
    for user, status in ((personas.outsider, 404), (personas.archivist, 403)):
        client = _signed_in(user)
        assert client.post(_act(submitted), {"action": "approve"}).status_code == status
        confirmed = _confirmation(submitted, "approve")
        assert client.post(_act(submitted), confirmed).status_code == status
    assert _decisions(submitted, "approve") == 0
