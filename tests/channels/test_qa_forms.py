"""QA findings on the channel pages: a review recorded twice the same day, closure dates
far outside any sensible period, and reasons made only of zero-width characters. Each
must end in a clear Norwegian message, never a 500, with nothing stored lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelReview, Closure
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

REVIEW = {"check_info_current": "on", "notes": "Alt i orden."}
ZERO_WIDTH = "\u200b\u200d\ufeff"


def post_said(client, url: str, data: dict[str, str]) -> list[tuple[str, str]]:
    """Post, expect the redirect, and return what it said (shown, so none left over)."""
    response = client.post(url, data)
    assert response.status_code == 302
    said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert client.get(response["Location"]).status_code == 200
    return said


@pytest.mark.parametrize("preset", ["indre-fosen", "midt-telemark"])  # without and with CH-6
def test_a_review_posted_twice_the_same_day_is_registered_once(client, preset):
    p = make_personas("gj", preset)
    channel = active_channel(p)
    url = reverse("channels:review", args=[p.municipality.slug, channel.pk])
    client.force_login(p.employee)
    assert post_said(client, url, REVIEW) == [("success", "Gjennomgangen er registrert.")]
    done = channel.reviews.get(completed_at__isnull=False)
    audited = AuditEntry.objects.filter(action="channel_review").count()
    open_before = list(channel.reviews.filter(completed_at__isnull=True).values("pk", "due_on"))

    assert post_said(client, url, {"notes": "Noe annet."}) == [
        ("info", "Kanalen er allerede gjennomgått i dag. Ingenting er endret.")
    ]
    # Nothing changed: the day's review keeps its answers, the next one stays open.
    assert list(ChannelReview.objects.filter(channel=channel, completed_at__isnull=False)) == [done]
    kept = ChannelReview.objects.get(pk=done.pk)
    assert kept.notes == "Alt i orden." and kept.answers["info_current"] is True
    assert (
        list(channel.reviews.filter(completed_at__isnull=True).values("pk", "due_on"))
        == open_before
    )
    assert AuditEntry.objects.filter(action="channel_review").count() == audited


def test_another_days_review_is_a_new_one(personas):
    p = personas
    channel = active_channel(p)
    now = timezone.now()
    services.review_record(actor=p.employee, channel=channel, answers={}, now=now)
    later = services.review_record(
        actor=p.employee, channel=channel, answers={}, now=now + timedelta(days=1)
    )
    assert later.completed_at == now + timedelta(days=1)
    assert channel.reviews.filter(completed_at__isnull=False).count() == 2


def _closure_post(client, p, channel, **data):
    url = reverse("channels:closures", args=[p.municipality.slug, channel.pk])
    return client.post(url, {"reason": "Vedlikehold", **data})


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("0001-01-01T00:00", None, "starts_at"),
        (None, "9999-12-31T23:59", "ends_at"),
    ],
)
def test_closure_dates_far_out_are_refused_at_the_field(
    client, personas, starts_at, ends_at, field
):
    p = personas
    channel = active_channel(p)
    client.force_login(p.employee)
    soon = timezone.localtime() + timedelta(days=1)
    data = {
        "starts_at": starts_at or soon.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": ends_at or (soon + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = _closure_post(client, p, channel, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: ["Velg et tidspunkt innen ett år fra nå."]}
    page = response.content.decode()
    assert "Velg et tidspunkt innen ett år fra nå." in page
    assert "Vedlikehold</textarea>" in page  # the input is kept
    assert not Closure.objects.filter(channel=channel).exists()


def test_the_service_refuses_closure_dates_far_out_too(personas):
    p = personas
    channel = active_channel(p)
    now = timezone.now()
    for starts_at, ends_at in [
        (now - timedelta(days=400), now + timedelta(days=3)),
        (now + timedelta(days=3), now + timedelta(days=400)),
    ]:
        with pytest.raises(ServiceError, match="innen ett år") as refused:
            services.closure_schedule(
                actor=p.employee,
                channel=channel,
                reason="Ferie",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        assert refused.value.rule == "CH-9"
    # A closure that began this morning is still recorded (and closes the channel).
    begun = services.closure_schedule(
        actor=p.employee,
        channel=channel,
        reason="Ferie",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(days=3),
    )
    assert begun.pk is not None


def test_a_closure_reason_of_zero_width_characters_is_missing(client, personas):
    p = personas
    channel = active_channel(p)
    client.force_login(p.employee)
    soon = timezone.localtime() + timedelta(days=1)
    response = _closure_post(
        client,
        p,
        channel,
        reason=ZERO_WIDTH,
        starts_at=soon.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(soon + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert not Closure.objects.filter(channel=channel).exists()
    with pytest.raises(ServiceError, match="hvorfor"):
        services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason=ZERO_WIDTH,
            starts_at=soon + timedelta(days=1),
            ends_at=soon + timedelta(days=2),
        )


def test_a_channel_reason_of_zero_width_characters_is_missing():
    from ordstyrer.channels.forms import ReasonForm

    assert not ReasonForm({"reason": ZERO_WIDTH}).is_valid()
    form = ReasonForm({"reason": f"{ZERO_WIDTH}Pause i sommer"})
    assert form.is_valid() and form.cleaned_data["reason"] == f"{ZERO_WIDTH}Pause i sommer"
