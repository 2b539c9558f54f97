"""Session 17 fixes on the channel page (CH-1, CH-3): the last *active* main administrator
stays, a retirement is confirmed before it happens, and editing a proposal keeps the
main administrators the roles panel added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole, ClosureState
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.tenants.models import RoleAssignment
from tests.channels.conftest import FULL_PLAN, active_channel, propose
from tests.factories import person_with_roles
from tests.inbox.conftest import TUESDAY, comment, ingest, make_world, text_of

pytestmark = pytest.mark.django_db

MAIN, EDITOR = ChannelRole.MAIN_ADMIN, ChannelRole.EDITOR


def roles_of(channel):
    return dict(channel.memberships.values_list("user__username", "role"))


# --- CH-3: a deactivated or departed main administrator does not count ------------------


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _depart(user):
    RoleAssignment.objects.filter(user=user).delete()


@pytest.mark.parametrize("gone", [_deactivate, _depart], ids=["deactivated", "departed"])
@pytest.mark.parametrize("change", ["remove", "demote"])
def test_the_last_active_main_admin_stays(personas, gone, change):
    p = personas
    channel = active_channel(p)  # p.employee is main administrator
    second = person_with_roles(p.municipality, username="nestemann")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    gone(second)
    with pytest.raises(ServiceError) as refused:
        if change == "remove":
            services.channel_role_remove(actor=p.communications, channel=channel, user=p.employee)
        else:
            services.channel_role_set(
                actor=p.communications, channel=channel, user=p.employee, role=EDITOR
            )
    assert refused.value.code == "last_main_admin" and refused.value.rule == "CH-3"
    assert roles_of(channel) == {p.employee.username: MAIN, "nestemann": MAIN}


def test_an_inactive_main_admin_goes_while_an_active_one_stays(personas):
    p = personas
    channel = active_channel(p)
    second = person_with_roles(p.municipality, username="nestemann")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    _deactivate(second)
    services.channel_role_remove(actor=p.communications, channel=channel, user=second)
    assert roles_of(channel) == {p.employee.username: MAIN}


# --- CH-3: editing a proposal keeps the main administrators added on the roles panel ----


def _edit_post(p, channel, **changes):
    """The edit form as the page fills it, with `changes`: a changed plan text, and the
    main administrator it showed posted back (its hidden initial)."""
    data = {
        "name": channel.name,
        "kind": channel.kind,
        "url": channel.url,
        "plan_purpose": channel.purpose,
        "plan_audience": channel.audience,
        "plan_main_admin": p.employee.pk,
        "initial-plan_main_admin": p.employee.pk,
        **{f"plan_{code}": text for code, text in FULL_PLAN.items()},
        "plan_follow_up": "Redaktøren følger med to ganger hver arbeidsdag.",
    }
    data.update(changes)
    return data


def _with_second_main_admin(p):
    # The edit form shows the first main administrator by first name (the memberships'
    # ordering): the employee's must sort before the second's, whatever the factory drew
    # (an «Øyvind» sorts after «Åse», and the test failed now and then).
    p.employee.first_name = "Anne"
    p.employee.save(update_fields=["first_name"])
    channel = propose(p)  # p.employee is named main administrator
    second = person_with_roles(p.municipality, username="nestemann", first_name="Åse")
    services.channel_role_set(actor=p.employee, channel=channel, user=second, role=MAIN)
    return channel, second


def test_saving_the_edit_form_unchanged_keeps_every_main_admin(client, personas):
    p = personas
    channel, _second = _with_second_main_admin(p)
    url = reverse("channels:edit", args=[p.municipality.slug, channel.pk])
    client.force_login(p.employee)
    response = client.post(url, _edit_post(p, channel))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.plan["follow_up"] == "Redaktøren følger med to ganger hver arbeidsdag."
    assert roles_of(channel) == {p.employee.username: MAIN, "nestemann": MAIN}
    # The page posts back whom it showed (the first main administrator).
    page = client.get(url).content.decode()
    assert f'name="initial-plan_main_admin" value="{p.employee.pk}"' in page
    # A form without the hidden initial (an older page) names the same person: no change.
    data = _edit_post(p, channel)
    del data["initial-plan_main_admin"]
    client.post(url, data)
    assert roles_of(channel) == {p.employee.username: MAIN, "nestemann": MAIN}
    # Two saves, and only the plan text changed (once): the main administrators did not.
    updates = AuditEntry.objects.filter(action="channel_update")
    assert [entry.data["fields"] for entry in updates] == [["plan"]]


def test_changing_the_main_admin_replaces_only_the_one_the_form_showed(client, personas):
    p = personas
    channel, _second = _with_second_main_admin(p)
    third = person_with_roles(p.municipality, username="tredjemann")
    url = reverse("channels:edit", args=[p.municipality.slug, channel.pk])
    client.force_login(p.employee)
    response = client.post(url, _edit_post(p, channel, plan_main_admin=third.pk))
    assert response.status_code == 302
    assert roles_of(channel) == {"nestemann": MAIN, "tredjemann": MAIN}
    assert AuditEntry.objects.get(action="channel_update").data["fields"] == ["plan", "main_admin"]


# --- CH-1, CH-3: retiring is confirmed, with what it closes and withdraws ---------------


def _busy_world():
    """An active channel with two open items, a reply queued and one waiting for the
    crisis leader (on a third item), and a planned closure."""
    world = make_world("avvikling")
    items = [ingest(world.channel, comment(f"c{i}")) for i in range(3)]
    for status in (ReplyStatus.QUEUED, ReplyStatus.AWAITING_CRISIS_APPROVAL):
        Reply.objects.create(
            item=items[2],
            author=world.editor,
            text="Svømmehallen åpner mandag.",
            effect="answer",
            created_at=TUESDAY,
            status=status,
        )
    start = timezone.now() + timedelta(days=2)
    services.closure_schedule(
        actor=world.p.employee,
        channel=world.channel,
        reason="Sommerferie",
        starts_at=start,
        ends_at=start + timedelta(days=7),
    )
    return world, items


def test_retiring_asks_first_then_retires_once(client):
    world, items = _busy_world()
    channel = world.channel
    url = reverse("channels:act", args=[world.municipality.slug, channel.pk])
    client.force_login(world.p.employee)

    # The detail page's form only asks: a page with the consequence, nothing done yet.
    response = client.post(url, {"action": "retire", "retire-reason": "Skolen er lagt ned."})
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "3 åpne henvendelser i innboksen lukkes" in page
    assert "1 svar som ikke er sendt ennå, trekkes tilbake" in page
    assert "1 svar som venter på kriselederen, trekkes tilbake" in page
    assert "1 planlagt stenging avlyses" in page
    assert "kan ikke angres" in page and "Skolen er lagt ned." in page
    html = response.content.decode()
    assert 'name="confirmed" value="1"' in html and "checked" not in html
    channel.refresh_from_db()
    assert channel.status == "active"
    assert InboxItem.objects.filter(channel=channel, open=True).count() == 3
    assert Reply.objects.filter(status=ReplyStatus.FAILED).count() == 0
    assert channel.closures.get().state == ClosureState.SCHEDULED

    # The confirmation retires.
    confirm = {"action": "retire", "retire-reason": "Skolen er lagt ned.", "confirmed": "1"}
    response = client.post(url, confirm, follow=True)
    assert "Kanalen er avviklet." in response.content.decode()
    channel.refresh_from_db()
    assert channel.status == "retired"
    assert InboxItem.objects.filter(channel=channel, open=True).count() == 0
    assert Reply.objects.filter(status=ReplyStatus.FAILED).count() == 2
    assert channel.closures.get().state == ClosureState.CANCELLED

    # A replayed (or double-clicked) confirmation: calmly done already, nothing more.
    response = client.post(url, confirm, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="message message-info">Kanalen er allerede avviklet.' in page
    assert "message-error" not in page
    assert channel.events.filter(action="retire").count() == 1


def test_the_retire_confirmation_refuses_what_the_service_would(client):
    world, _items = _busy_world()
    channel = world.channel
    url = reverse("channels:act", args=[world.municipality.slug, channel.pk])
    client.force_login(world.p.employee)
    # No reason: back to the channel with the service's message, no confirmation page.
    response = client.post(url, {"action": "retire", "retire-reason": "  "}, follow=True)
    assert "Skriv hvorfor kanalen avvikles." in response.content.decode()
    assert "Bekreft avvikling" not in response.content.decode()
    # Someone without the right to manage the channel gets no confirmation either.
    client.force_login(world.editor)
    response = client.post(url, {"action": "retire", "retire-reason": "Lagt ned."})
    assert response.status_code == 403
    channel.refresh_from_db()
    assert channel.status == "active"


def test_a_double_click_that_waited_for_the_first_one_is_calm(client, monkeypatch):
    """The second of two quick clicks read the channel active, then waited for the first
    click's lock; the service then refuses a retired channel, and the page says it is
    done already rather than showing an error."""
    world, _items = _busy_world()
    channel = world.channel
    real_retire = services.channel_retire

    def first_click_wins(**kwargs):
        real_retire(**kwargs)  # the first click, committed while the second waited
        return real_retire(**kwargs)

    monkeypatch.setattr(services, "channel_retire", first_click_wins)
    url = reverse("channels:act", args=[world.municipality.slug, channel.pk])
    client.force_login(world.p.employee)
    confirm = {"action": "retire", "retire-reason": "Skolen er lagt ned.", "confirmed": "1"}
    page = client.post(url, confirm, follow=True).content.decode()
    assert 'class="message message-info">Kanalen er allerede avviklet.' in page
    assert "message-error" not in page
    assert channel.events.filter(action="retire").count() == 1
