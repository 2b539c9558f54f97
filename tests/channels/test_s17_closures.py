"""CH-9 closures, round 17: a platform failing part-way never leaves posts switched off
for good, and where the policy applies CH-9 a closure waits for its notice."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.closures import (
    closure_apply_platform_close,
    closure_apply_platform_reopen,
)
from ordstyrer.channels.models import Closure, ClosureState, CommentMode
from ordstyrer.connectors.base import ConnectorError
from tests.channels.conftest import active_channel
from tests.channels.test_closures import SwitchingPlatform

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 6, 29, 8, 0, tzinfo=UTC)
END = MONDAY + timedelta(days=3)


class FlakyPlatform(SwitchingPlatform):
    """Switches like `SwitchingPlatform`, but the calls numbered in `fail_on` (counted
    from 1 over every switch) fail once with `error` — by default a rate limit."""

    def __init__(self, posts=3, *, fail_on=(), error=None):
        super().__init__(posts)
        self.calls = 0
        self.fail_on = set(fail_on)
        self.error = error or ConnectorError(
            "For mange kall til plattformen; prøv igjen om litt.",
            permanent=False,
            retry_after=60,
            code="rate_limited",
        )

    def set_comments_enabled(self, post_id, enabled):
        self.calls += 1
        if self.calls in self.fail_on:
            raise self.error
        return super().set_comments_enabled(post_id, enabled)


@pytest.fixture
def fake_platform(settings):
    """Every channel's connector is the one given (the documented opener override)."""

    def use(connector):
        settings.ORDSTYRER_CONNECTORS = {
            **settings.ORDSTYRER_CONNECTORS,
            "OPENER": lambda channel: nullcontext(connector),
        }
        return connector

    return use


def reload(obj):
    obj.refresh_from_db()
    return obj


def closed(p, capture, *, starts_at=MONDAY):
    channel = active_channel(p)
    with capture(execute=True):
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=starts_at, ends_at=END
        )
    return channel, reload(closure)


# --- 1. a failure part-way keeps what it switched, and it is tried again -----------------


def test_posts_switched_off_before_a_failure_are_switched_on_at_the_end(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    connector = fake_platform(FlakyPlatform(fail_on={3}))  # a rate limit on the 3rd post
    with time_machine.travel(MONDAY, tick=False):
        _, closure = closed(personas, django_capture_on_commit_callbacks)
        assert connector.enabled == {"post-0": False, "post-1": False, "post-2": True}
        assert closure.switched_post_ids == ["post-0", "post-1"]
        assert closure.comment_mode == CommentMode.PENDING  # still to do: tried again
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
    assert all(connector.enabled.values())
    closure = reload(closure)
    assert closure.platform_reopened_at is not None and closure.switched_post_ids == []


def test_the_sweep_switches_off_the_rest_after_a_transient_failure(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    from ordstyrer.channels.closures import closures_platform_sweep

    connector = fake_platform(FlakyPlatform(fail_on={3}))
    with time_machine.travel(MONDAY, tick=False):
        _, closure = closed(personas, django_capture_on_commit_callbacks)
        # Within the grace the queued task has its chance; the sweep leaves it alone.
        assert closures_platform_sweep(now=MONDAY + timedelta(seconds=30)) == 0
    later = MONDAY + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert closures_platform_sweep(now=later) == 1
        assert not any(connector.enabled.values())
        closure = reload(closure)
        assert closure.comment_mode == CommentMode.SWITCHED_OFF
        assert sorted(closure.switched_post_ids) == ["post-0", "post-1", "post-2"]
        assert closure.platform_closed_at is not None
        assert closures_platform_sweep(now=later + timedelta(minutes=5)) == 0
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
    assert all(connector.enabled.values())


def test_a_reopen_failing_on_one_post_keeps_it_and_a_second_reopen_switches_it_on(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    connector = fake_platform(FlakyPlatform())
    with time_machine.travel(MONDAY, tick=False):
        _, closure = closed(personas, django_capture_on_commit_callbacks)
        assert not any(connector.enabled.values())
        connector.fail_on = {connector.calls + 3}  # post-2 on the way back
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
        assert connector.enabled == {"post-0": True, "post-1": True, "post-2": False}
        closure = reload(closure)
        assert closure.platform_reopened_at is None
        assert closure.switched_post_ids == ["post-2"]
        assert "ikke slått på igjen" in closure.platform_note
        assert closure_apply_platform_reopen(closure_id=closure.pk) == CommentMode.SWITCHED_OFF
    assert all(connector.enabled.values())
    closure = reload(closure)
    assert closure.platform_reopened_at is not None and closure.switched_post_ids == []
    assert closure_apply_platform_reopen(closure_id=closure.pk) == "skipped"


def test_the_sweep_retries_a_reopen_but_not_on_a_retired_channel(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    from ordstyrer.channels.closures import closures_platform_sweep

    connector = fake_platform(FlakyPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed(personas, django_capture_on_commit_callbacks)
        connector.fail_on = {connector.calls + 3}
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
        assert reload(closure).switched_post_ids == ["post-2"]
        second = Closure.objects.create(  # an earlier closure, ended in the same state
            channel=channel,
            reason="Påske",
            starts_at=MONDAY - timedelta(days=9),
            ends_at=MONDAY - timedelta(days=8),
            state=ClosureState.ENDED,
            ended_at=MONDAY - timedelta(days=8),
            created_at=MONDAY - timedelta(days=10),
            comment_mode=CommentMode.PENDING,
            switched_post_ids=["post-1"],
        )
        connector.enabled["post-1"] = False
    later = MONDAY + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert closures_platform_sweep(now=later) == 2
    assert all(connector.enabled.values())
    assert reload(closure).platform_reopened_at is not None
    assert reload(second).platform_reopened_at is not None
    # A retired channel's comments stay off (channel_retire): nothing tried.
    connector.enabled["post-0"] = False
    Closure.objects.filter(pk=closure.pk).update(
        platform_reopened_at=None, switched_post_ids=["post-0"]
    )
    services.channel_retire(actor=personas.employee, channel=channel, reason="Nedlagt")
    assert closures_platform_sweep(now=later + timedelta(minutes=5)) == 0
    assert closure_apply_platform_reopen(closure_id=closure.pk) == "skipped"
    assert connector.enabled["post-0"] is False


def test_a_permanent_failure_is_shown_to_people_and_tried_again_on_request(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    from ordstyrer.channels.closures import closure_platform_retry, closures_platform_sweep
    from ordstyrer.web.needs import what_needs_me

    revoked = ConnectorError("Tilgangen til siden er trukket tilbake.", permanent=True)
    connector = fake_platform(FlakyPlatform(error=revoked))
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed(p, django_capture_on_commit_callbacks)
        connector.fail_on = {connector.calls + 2}
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=p.employee, closure=closure)
        closure = reload(closure)
        assert closure.comment_mode == CommentMode.FAILED
        assert closure.switched_post_ids == ["post-1", "post-2"]
        assert "trukket tilbake" in closure.platform_note
    later = MONDAY + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert closures_platform_sweep(now=later) == 0  # for good: left to people
        needs = what_needs_me(user=p.employee, municipality=p.municipality, now=later)
        (need,) = [n for n in needs.channels if n.key == f"closure-{closure.pk}"]
        assert "fortsatt slått av etter stengingen" in need.text and need.urgent
        assert need.url == reverse("channels:closures", args=[p.municipality.slug, channel.pk])
        outsider = what_needs_me(user=p.unit_leader, municipality=p.municipality, now=later)
        assert not [n for n in outsider.channels if n.key.startswith("closure-")]
        assert "Prøv å slå på kommentarene igjen" in _closures_page(p, channel)
        url = reverse("channels:closure_action", args=[p.municipality.slug, channel.pk, closure.pk])
        retry = {"action": "retry_platform"}
        assert _client(p.outsider).post(url, retry).status_code == 404
        assert _client(p.unit_leader).post(url, retry).status_code == 403
        assert reload(closure).comment_mode == CommentMode.FAILED
        with django_capture_on_commit_callbacks(execute=True):
            response = _client(p.employee).post(url, retry, follow=True)
        assert "Ordstyrer prøver plattformen igjen." in response.content.decode()
        assert all(connector.enabled.values())
        closure = reload(closure)
        assert closure.platform_reopened_at is not None
        assert closure_platform_retry(actor=p.employee, closure=closure) is False
        needs = what_needs_me(user=p.employee, municipality=p.municipality, now=later)
        assert not [n for n in needs.channels if n.key.startswith("closure-")]


def test_a_closure_that_ended_while_comments_were_being_switched_off_switches_them_on(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    connector = fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(personas)
        closure = services.closure_schedule(  # the platform step not yet run
            actor=personas.employee, channel=channel, reason="Ferie", starts_at=MONDAY, ends_at=END
        )
        services.closure_end(actor=personas.employee, closure=closure)
        Closure.objects.filter(pk=closure.pk).update(state=ClosureState.IN_EFFECT)
        original = connector.set_comments_enabled

        def end_meanwhile(post_id, enabled):
            Closure.objects.filter(pk=closure.pk).update(state=ClosureState.ENDED)
            return original(post_id, enabled)

        connector.set_comments_enabled = end_meanwhile
        closure_apply_platform_close(closure_id=closure.pk)
        connector.set_comments_enabled = original
    assert all(connector.enabled.values())
    assert reload(closure).platform_reopened_at is not None


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _closures_page(p, channel) -> str:
    url = reverse("channels:closures", args=[p.municipality.slug, channel.pk])
    response = _client(p.employee).get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- 2. where CH-9 applies, a closure does not start before its notice is out ------------

# Wednesday 1 July 2026, 14:00 in Oslo (summer time: UTC+2).
TWO_PM = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def gausdal(db):
    from tests.conftest import make_personas

    return make_personas("gausdal-s17", "gausdal")  # Gausdal's guideline has CH-9


def _closure_needs(p, user, now):
    from ordstyrer.web.needs import what_needs_me

    needs = what_needs_me(user=user, municipality=p.municipality, now=now)
    return [n for n in needs.channels if n.key.startswith("closure-")]


def test_a_gausdal_closure_without_its_notice_waits_and_is_shown_until_the_notice_is_out(
    gausdal, fake_platform, django_capture_on_commit_callbacks
):
    p = gausdal
    connector = fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Sommerferie",
            starts_at=TWO_PM,
            ends_at=TWO_PM + timedelta(days=14),
        )
        assert _closure_needs(p, p.employee, MONDAY) == []  # two days ahead: not yet
    day_before = TWO_PM - timedelta(hours=23)
    with time_machine.travel(day_before, tick=False):
        (due,) = _closure_needs(p, p.employee, day_before)
        assert (
            due.text
            == ("Publiser beskjeden om stengingen av Skolen før 1. jul. 2026 kl. 14.00 (CH-9).")
            and not due.urgent
        )
        assert due.reasons == ["Sommerferie"]
        assert "Uten beskjed stenges ikke kanalen" in _closures_page(p, channel)
    at_two = TWO_PM + timedelta(seconds=20)
    with time_machine.travel(at_two, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closures_sweep(now=at_two) == 0
        assert reload(closure).state == ClosureState.SCHEDULED
        assert reload(channel).status == "active"
        assert all(connector.enabled.values())  # commenting not switched off
        page = _closures_page(p, channel)
        assert "Venter på at beskjeden publiseres" in page
        assert "Kanalen er ikke stengt ennå" in page
        for person in (p.employee, p.communications):  # main administrator, oversight
            (waiting,) = _closure_needs(p, person, at_two)
            assert (
                waiting.text == ("Stengingen av Skolen venter på at beskjeden publiseres (CH-9).")
                and waiting.urgent
            )
            assert waiting.url == reverse(
                "channels:closures", args=[p.municipality.slug, channel.pk]
            )
        assert _closure_needs(p, p.unit_leader, at_two) == []
    marked_at = TWO_PM + timedelta(minutes=10)
    with time_machine.travel(marked_at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_mark_notice_published(actor=p.employee, closure=closure)
            services.closures_sweep(now=marked_at)
        closure = reload(closure)
        assert closure.state == ClosureState.IN_EFFECT and closure.started_at == marked_at
        assert closure.comment_mode == CommentMode.SWITCHED_OFF
        assert not any(connector.enabled.values())
        assert reload(channel).status == "closed"
        assert _closure_needs(p, p.employee, marked_at) == []


def test_a_gausdal_closure_whose_notice_is_out_starts_on_time_by_the_sweep(
    gausdal, fake_platform, django_capture_on_commit_callbacks
):
    p = gausdal
    connector = fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=TWO_PM, ends_at=END
        )
        marked = services.closure_mark_notice_published(actor=p.employee, closure=closure)
        assert marked.state == ClosureState.SCHEDULED  # not yet its time
        again = services.closure_mark_notice_published(actor=p.employee, closure=closure)
        assert again.notice_published_at == marked.notice_published_at  # a second click
    with time_machine.travel(TWO_PM, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closures_sweep(now=TWO_PM) == 1
    assert reload(closure).state == ClosureState.IN_EFFECT
    assert not any(connector.enabled.values())


def test_a_gausdal_closure_planned_to_begin_now_waits_until_the_notice_is_marked(
    gausdal, fake_platform, django_capture_on_commit_callbacks
):
    p = gausdal
    connector = fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        with django_capture_on_commit_callbacks(execute=True):
            closure = services.closure_schedule(
                actor=p.employee, channel=channel, reason="Ferie", starts_at=MONDAY, ends_at=END
            )
        assert closure.state == ClosureState.SCHEDULED and all(connector.enabled.values())
        url = reverse("channels:closure_action", args=[p.municipality.slug, channel.pk, closure.pk])
        assert _client(p.outsider).post(url, {"action": "notice_published"}).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            response = _client(p.employee).post(url, {"action": "notice_published"}, follow=True)
        assert "Kanalen er stengt for kommentarer." in response.content.decode()
    assert reload(closure).state == ClosureState.IN_EFFECT
    assert not any(connector.enabled.values())


def test_a_gausdal_closure_never_announced_lapses_with_the_reason(gausdal):
    p = gausdal
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=TWO_PM, ends_at=END
        )
    with time_machine.travel(END, tick=False):
        assert services.closures_sweep(now=END) == 1
    closure = reload(closure)
    assert closure.state == ClosureState.ENDED and closure.started_at is None
    assert "uten at beskjeden ble publisert" in closure.platform_note
    assert reload(channel).status == "active"


def test_where_ch9_is_not_applied_a_closure_starts_without_its_notice_as_before(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    p = personas  # Indre Fosen's preset: no CH-9
    connector = fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=TWO_PM, ends_at=END
        )
        assert _closure_needs(p, p.employee, TWO_PM - timedelta(hours=1)) == []
    with time_machine.travel(TWO_PM, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closures_sweep(now=TWO_PM) == 1
        assert "Venter på at beskjeden publiseres" not in _closures_page(p, channel)
    assert reload(closure).state == ClosureState.IN_EFFECT
    assert not any(connector.enabled.values())
