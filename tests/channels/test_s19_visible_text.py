"""Session 19: a required text must show something (CH-2, CH-1).

The plan's required fields and the reasons for rejecting or retiring were checked with
`.strip()` only, so a zero-width space (U+200B) or a byte-order mark (U+FEFF) passed as
text; and a plan's main administrator counted though they had left."""

from __future__ import annotations

import pytest
from django.contrib.messages import ERROR, get_messages
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelStatus
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.services import user_deactivate
from tests.channels.conftest import FULL_PLAN, active_channel, propose
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\ufeff\u200d"


def test_a_required_plan_field_of_zero_width_characters_is_missing():
    """CH-2 (Gausdal: the eight points): «why» made of zero-width characters is not
    written; the submission is refused as incomplete."""
    p = make_personas("usynlig", "gausdal")
    channel = propose(p, plan={**FULL_PLAN, "why": INVISIBLE})
    with pytest.raises(ServiceError) as refused:
        services.channel_submit(actor=p.employee, channel=channel)
    assert (refused.value.code, refused.value.rule) == ("plan_incomplete", "CH-2")
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.DRAFT


def test_a_plan_whose_main_admin_has_left_is_incomplete():
    """CH-2, CH-3 (Indre Fosen requires a main administrator): the one named has been
    deactivated since; the plan is incomplete."""
    p = make_personas("forlatt", "indre-fosen")
    channel = propose(p, main_admin=p.employee)
    user_deactivate(actor=None, user=p.employee)
    with pytest.raises(ServiceError) as refused:
        services.channel_submit(actor=p.communications, channel=channel)
    assert refused.value.code == "plan_incomplete"


def test_a_rejection_needs_a_visible_reason(personas):
    """CH-1: an approver cannot reject with zero-width characters for a reason."""
    p = personas
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    with pytest.raises(ServiceError, match="hvorfor forslaget avvises"):
        services.channel_reject(actor=p.unit_leader, channel=channel, reason=INVISIBLE)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.SUBMITTED


def test_retiring_needs_a_visible_reason_in_the_service_and_the_console(personas):
    """CH-1: retiring with a zero-width reason is refused by the service, and the
    console (which reads the reason from the post) shows the refusal and retires
    nothing."""
    p = personas
    channel = active_channel(p)
    with pytest.raises(ServiceError, match="hvorfor kanalen avvikles"):
        services.channel_retire(actor=p.communications, channel=channel, reason=INVISIBLE)
    with pytest.raises(ServiceError, match="hvorfor kanalen avvikles"):
        services.channel_retire_preview(actor=p.communications, channel=channel, reason=INVISIBLE)
    client = Client()
    client.force_login(p.communications)
    url = reverse("channels:act", args=[p.municipality.slug, channel.pk])
    response = client.post(url, {"action": "retire", "retire-reason": INVISIBLE, "confirmed": "1"})
    assert response.status_code == 302
    said = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
    assert said == [(ERROR, "Skriv hvorfor kanalen avvikles.")]
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.ACTIVE
