"""The channel pages through Django's test client: isolation, forms, CSV, query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel, ChannelStatus, Closure
from tests.channels.conftest import FULL_PLAN, active_channel, propose
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

CHANNEL_PAGES = ["detail", "closures", "house_rules", "review"]
POSTS = ["act", "roles", "closures", "review"]


def urls(p, channel):
    slug = p.municipality.slug
    yield reverse("channels:list", args=[slug])
    yield reverse("channels:propose", args=[slug])
    yield reverse("channels:accounts_csv", args=[slug])
    for name in CHANNEL_PAGES:
        yield reverse(f"channels:{name}", args=[slug, channel.pk])


def test_member_sees_every_page_outsider_gets_404(client, personas):
    p = personas
    channel = active_channel(p)
    closure = services.closure_schedule(
        actor=p.employee,
        channel=channel,
        reason="Ferie",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    slug = p.municipality.slug
    for url in urls(p, channel):
        client.force_login(p.employee)
        assert client.get(url).status_code == 200, url
        client.force_login(p.outsider)
        assert client.get(url).status_code == 404, url
        client.logout()
        assert client.get(url).status_code == 302, url
    client.force_login(p.outsider)
    assert client.get(reverse("channels:edit", args=[slug, channel.pk])).status_code == 404
    for name in POSTS:
        url = reverse(f"channels:{name}", args=[slug, channel.pk])
        assert client.post(url, {"action": "retire", "retire-reason": "x"}).status_code == 404, url
    url = reverse("channels:closure_action", args=[slug, channel.pk, closure.pk])
    assert client.post(url, {"action": "end"}).status_code == 404
    assert client.post(reverse("channels:propose", args=[slug]), {"name": "x"}).status_code == 404
    # A channel of the outsider's own municipality cannot be reached under ours, and vice versa.
    other = Channel.objects.create(
        municipality=p.outsider.role_assignments.first().municipality,
        kind="facebook",
        name="Nabo",
        created_at=timezone.now(),
    )
    client.force_login(p.employee)
    assert client.get(reverse("channels:detail", args=[slug, other.pk])).status_code == 404
    assert (
        client.get(reverse("channels:detail", args=[other.municipality.slug, other.pk])).status_code
        == 404
    )
    assert Closure.objects.get(pk=closure.pk).state == "scheduled"
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.ACTIVE


def test_list_view_has_a_fixed_number_of_queries(client, personas, django_assert_num_queries):
    p = personas
    client.force_login(p.communications)
    url = reverse("channels:list", args=[p.municipality.slug])
    active_channel(p, name="En")
    first = propose(p, name="Venter først")
    services.channel_submit(actor=p.employee, channel=first)
    services.channel_approve(actor=p.unit_leader, channel=first)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    unit = UnitFactory(municipality=p.municipality)
    for i in range(6):
        channel = active_channel(p, name=f"Kanal {i}", unit=unit)
        if i % 2:
            services.channel_role_set(
                actor=p.employee, channel=channel, user=p.unit_leader, role="editor"
            )
    submitted = propose(p, name="Venter")
    services.channel_submit(actor=p.employee, channel=submitted)
    services.channel_approve(actor=p.unit_leader, channel=submitted)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    page = response.content.decode()
    assert "Kanal 5" in page and "Venter på din godkjenning" in page


def test_account_list_csv_lists_official_accounts_only(client, personas):
    p = personas
    active_channel(p, name="=HYPERLINK(1)", purpose="+formål")
    propose(p, name="Bare et utkast")
    client.force_login(p.archivist)
    response = client.get(reverse("channels:accounts_csv", args=[p.municipality.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Navn", "Plattform", "Nettadresse", "Eierenhet"]
    assert len(rows) == 2
    name, _kind, _url, _unit, purpose, audience, main_admin, status, *_ = rows[1]
    assert name == "'=HYPERLINK(1)" and purpose == "'+formål"
    assert audience == "Foreldre" and status == "Aktiv"
    assert main_admin == p.employee.get_full_name()


def test_propose_and_submit_through_the_form(client, personas):
    p = personas
    client.force_login(p.employee)
    url = reverse("channels:propose", args=[p.municipality.slug])
    page = client.get(url).content.decode()
    assert "CH-2" in page and "CH-11" in page and "Påkrevd før forslaget sendes inn" in page
    data = {
        "name": "Skolens side",
        "kind": "facebook",
        "plan_purpose": "Informasjon",
        "plan_main_admin": p.employee.pk,
        **{f"plan_{k}": v for k, v in FULL_PLAN.items()},
        "submit_now": "1",
    }
    response = client.post(url, data)
    channel = Channel.objects.get(name="Skolens side")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "channels:detail", args=[p.municipality.slug, channel.pk]
    )
    assert channel.status == ChannelStatus.SUBMITTED


def test_incomplete_plan_is_saved_as_draft_with_the_reason(client, personas):
    p = personas
    client.force_login(p.employee)
    url = reverse("channels:propose", args=[p.municipality.slug])
    response = client.post(
        url, {"name": "Halv plan", "kind": "facebook", "submit_now": "1"}, follow=True
    )
    page = response.content.decode()
    assert Channel.objects.get(name="Halv plan").status == ChannelStatus.DRAFT
    assert "Planen mangler" in page and "CH-2" in page


def test_approve_and_reject_through_the_detail_page(client, personas):
    p = personas
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    act = reverse("channels:act", args=[p.municipality.slug, channel.pk])
    detail = reverse("channels:detail", args=[p.municipality.slug, channel.pk])
    client.force_login(p.unit_leader)
    assert "Din avgjørelse" in client.get(detail).content.decode()
    client.post(act, {"action": "approve", "decision-comment": "Drøftet", "confirmed": "1"})
    client.force_login(p.archivist)
    page = client.get(detail).content.decode()
    assert "Din avgjørelse" not in page
    response = client.post(act, {"action": "approve", "confirmed": "1"})
    assert response.status_code == 403
    client.force_login(p.communications)
    page = client.post(act, {"action": "reject", "confirmed": "1"}, follow=True).content.decode()
    assert "Skriv hvorfor" in page
    client.post(act, {"action": "reject", "decision-comment": "Ikke nå", "confirmed": "1"})
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.REJECTED and channel.rejection_reason == "Ikke nå"


def test_roles_form_and_the_last_main_admin_message(client, personas):
    p = personas
    channel = active_channel(p)
    url = reverse("channels:roles", args=[p.municipality.slug, channel.pk])
    client.force_login(p.unit_leader)
    assert (
        client.post(url, {"role-user": p.unit_leader.pk, "role-role": "editor"}).status_code == 403
    )
    client.force_login(p.employee)
    client.post(url, {"role-user": p.unit_leader.pk, "role-role": "editor"})
    assert channel.memberships.get(user=p.unit_leader).role == "editor"

    # Removing is confirmed on a page of its own (CH-3, tests/channels/test_s20_role_remove.py).
    def remove(user, role):
        confirm = reverse("channels:role_remove", args=[p.municipality.slug, channel.pk, user.pk])
        return client.post(confirm, {"role": role, "confirmed": "1"}, follow=True)

    page = remove(p.employee, "main_admin").content.decode()
    assert "minst én hovedadministrator" in page
    remove(p.unit_leader, "editor")
    assert not channel.memberships.filter(user=p.unit_leader).exists()
    assert client.post(url, {"remove": "ikke-et-tall"}).status_code == 302


def test_closure_page_schedules_and_shows_both_notices(client, personas):
    p = personas
    channel = active_channel(p)
    client.force_login(p.employee)
    url = reverse("channels:closures", args=[p.municipality.slug, channel.pk])
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(
        url,
        {
            "reason": "Sommerferie",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "er stengt for kommentarer" in page and "er stengd for kommentarar" in page
    closure = Closure.objects.get(channel=channel)
    assert closure.state == "scheduled"
    client.force_login(p.unit_leader)
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_house_rules_page_is_rendered_from_the_policy(client):
    from tests.conftest import make_personas

    p = make_personas("hus", "gausdal")
    channel = active_channel(p)
    client.force_login(p.employee)
    page = client.get(reverse("channels:house_rules", args=[p.municipality.slug, channel.pk]))
    text = page.content.decode()
    assert "Regler for Hus kommunes sider" in text  # the municipality, not its preset
    assert "CH-10" in text and "Svartid" in text
    assert "## " not in text  # the paste-ready text is plain


def test_review_page_records_a_review(client):
    from tests.conftest import make_personas

    p = make_personas("gj", "midt-telemark")
    channel = active_channel(p)
    url = reverse("channels:review", args=[p.municipality.slug, channel.pk])
    client.force_login(p.unit_leader)
    assert client.post(url, {"notes": "x"}).status_code == 403
    client.force_login(p.employee)
    response = client.post(url, {"check_info_current": "on", "notes": "Alt i orden"}, follow=True)
    assert "Gjennomgangen er registrert" in response.content.decode()
    done = channel.reviews.get(completed_at__isnull=False)
    assert done.answers["info_current"] is True and done.answers["followed_up"] is False


def test_edit_page_only_for_proposal_editors_and_editable_states(client, personas):
    p = personas
    channel = propose(p)
    url = reverse("channels:edit", args=[p.municipality.slug, channel.pk])
    client.force_login(p.archivist)
    assert client.get(url).status_code == 403
    client.force_login(p.employee)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "Nytt navn", "kind": "facebook", "plan_main_admin": p.employee.pk},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Nytt navn" and channel.purpose == ""
    services.channel_update(
        actor=p.employee, channel=channel, purpose="Informasjon", plan=FULL_PLAN
    )
    services.channel_submit(actor=p.employee, channel=channel)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "channels:detail", args=[p.municipality.slug, channel.pk]
    )
