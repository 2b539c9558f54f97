"""The crisis console (PU-12): declare and end with a confirmation, the approval queue,
deputies, the banner on every page; outsiders get 404 and employees 403."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from ordstyrer.crisis.models import Crisis, CrisisDeputy
from ordstyrer.crisis.selectors import active_crisis
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.models import Reply, ReplyStatus
from ordstyrer.inbox.replies import reply_send
from tests.crisis.conftest import LATER, TUESDAY

pytestmark = pytest.mark.django_db

CONSEQUENCE = (
    "alle planlagte innlegg settes på pause, alle nye innlegg og svar venter på kriseleder"
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world, rest: str = "") -> str:
    return f"/m/{world.municipality.slug}/krise/{rest}"


def declared(world, name="Flom i Elvdalen") -> Crisis:
    return crisis_declare(
        municipality=world.municipality, name=name, actor=world.p.crisis_leader, now=TUESDAY
    )


def waiting_reply(world, item, capture) -> Reply:
    with time_machine.travel(LATER, tick=False), capture(execute=True):
        return reply_send(actor=world.editor, item=item, text="Vannet er trygt, hilsen Sigrid.")


def test_declare_takes_a_confirmation_that_shows_the_consequence(world):
    client = client_for(world.p.crisis_leader)
    page = client.get(url(world))
    assert page.status_code == 200 and "Ingen krise er erklært" in page.content.decode()

    first = client.post(url(world, "erklaer/"), {"name": "Flom i Elvdalen"})
    body = first.content.decode()
    assert first.status_code == 200 and CONSEQUENCE in body.lower()
    assert 'name="confirm" value="yes"' in body
    assert not Crisis.objects.exists()  # nothing happens before the confirmation

    done = client.post(url(world, "erklaer/"), {"name": "Flom i Elvdalen", "confirm": "yes"})
    assert done.status_code == 302
    assert active_crisis(municipality=world.municipality).name == "Flom i Elvdalen"
    # A replayed confirmation declares nothing twice and says so.
    again = client.post(
        url(world, "erklaer/"), {"name": "Flom i Elvdalen", "confirm": "yes"}, follow=True
    )
    assert "Krisen er allerede erklært." in again.content.decode()
    assert Crisis.objects.count() == 1
    # A different name while one is active: the Norwegian refusal.
    other = client.post(url(world, "erklaer/"), {"name": "Ras", "confirm": "yes"}, follow=True)
    assert "allerede erklært en krise: «Flom i Elvdalen»" in other.content.decode()


def test_an_empty_name_is_a_clear_error(world):
    client = client_for(world.p.communications)
    page = client.post(url(world, "erklaer/"), {"name": "  ", "confirm": "yes"}, follow=True)
    assert "Gi krisen et navn." in page.content.decode()
    assert not Crisis.objects.exists()


@pytest.mark.parametrize("name", ["F" * 300, "Flom\x00"])
def test_a_bad_name_says_what_is_wrong_with_it(world, name):
    client = client_for(world.p.communications)
    page = client.post(url(world, "erklaer/"), {"name": name, "confirm": "yes"}, follow=True)
    body = page.content.decode()
    assert page.status_code == 200 and "Navn på krisen:" in body
    assert "Gi krisen et navn." not in body
    assert not Crisis.objects.exists()


def test_a_reply_is_approved_through_the_console_once(
    world, item, django_capture_on_commit_callbacks
):
    declared(world)
    reply = waiting_reply(world, item, django_capture_on_commit_callbacks)
    client = client_for(world.p.crisis_leader)
    queue = client.get(url(world)).content.decode()
    assert "Vannet er trygt, hilsen Sigrid." in queue and "Godkjenn …" in queue

    decide = url(world, f"godkjenning/reply/{reply.pk}/")
    confirm = client.get(f"{decide}?action=approve").content.decode()
    assert "Svaret publiseres straks i kommunens navn" in confirm
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    # Without confirm=yes nothing happens (a stray POST only shows the confirmation).
    client.post(decide, {"action": "approve"})
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide, {"action": "approve", "confirm": "yes"}, follow=True)
    assert "Godkjent. Teksten publiseres nå." in done.content.decode()
    sent = Reply.objects.get(pk=reply.pk)
    assert sent.status == ReplyStatus.SENT and sent.attempts == 1
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(decide, {"action": "approve", "confirm": "yes"}, follow=True)
    assert "Dette er allerede avgjort." in replay.content.decode()
    assert Reply.objects.get(pk=reply.pk).attempts == 1


def test_a_rejection_needs_a_reason(world, item, django_capture_on_commit_callbacks):
    declared(world)
    reply = waiting_reply(world, item, django_capture_on_commit_callbacks)
    client = client_for(world.p.crisis_leader)
    decide = url(world, f"godkjenning/reply/{reply.pk}/")
    for blank in ("", "\u200b\ufeff"):  # nothing a reader sees is no reason
        page = client.post(decide, {"action": "reject", "confirm": "yes", "reason": blank})
        assert page.status_code == 200 and "field-error" in page.content.decode()
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"action": "reject", "confirm": "yes", "reason": "Vent til kl. 12."})
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.REJECTED


def test_end_takes_a_confirmation_then_lists_the_paused_posts(world):
    declared(world)
    client = client_for(world.p.communications)
    confirm = client.get(url(world, "avslutt/")).content.decode()
    assert "Bekreft: avslutt krisen" in confirm and "Flom i Elvdalen" in confirm
    assert active_crisis(municipality=world.municipality) is not None
    done = client.post(url(world, "avslutt/"), {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == url(world, "pause/")
    assert active_crisis(municipality=world.municipality) is None
    replay = client.post(url(world, "avslutt/"), {"confirm": "yes"}, follow=True)
    assert "Krisen er allerede avsluttet." in replay.content.decode()


def test_the_banner_is_on_every_console_page_while_a_crisis_is_active(world, item):
    slug = world.municipality.slug
    pages = [
        f"/m/{slug}/",
        f"/m/{slug}/sjekk/",
        f"/m/{slug}/retningslinjer/",
        f"/m/{slug}/innstillinger/",
        f"/m/{slug}/kanaler/",
        f"/m/{slug}/innboks/",
        f"/m/{slug}/innboks/{item.pk}/",
        f"/m/{slug}/krise/",
    ]
    editor = client_for(world.editor)
    leader = client_for(world.p.crisis_leader)
    for page in pages[:-1]:
        assert "crisis-banner" not in editor.get(page).content.decode(), page
    crisis = declared(world)
    for client, urls in ((editor, pages[:-1]), (leader, [pages[0], pages[-1]])):
        for page in urls:
            response = client.get(page)
            body = response.content.decode()
            assert response.status_code == 200, page
            assert 'class="crisis-banner"' in body and "Krise: Flom i Elvdalen." in body, page
    # Another municipality's pages show no banner.
    outsider = client_for(world.p.outsider)
    home = world.p.outsider.role_assignments.first().municipality.slug
    assert "crisis-banner" not in outsider.get(f"/m/{home}/").content.decode()
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    assert "crisis-banner" not in editor.get(pages[0]).content.decode()
    assert crisis.pk


def test_the_menu_shows_the_crisis_page_to_the_crisis_staff_only(world):
    dashboard = f"/m/{world.municipality.slug}/"
    link = f'href="{url(world)}"'
    assert link in client_for(world.p.crisis_leader).get(dashboard).content.decode()
    assert link in client_for(world.p.communications).get(dashboard).content.decode()
    assert link not in client_for(world.p.employee).get(dashboard).content.decode()
    CrisisDeputy.objects.create(
        municipality=world.municipality, user=world.p.employee, added_at=TUESDAY
    )
    assert link in client_for(world.p.employee).get(dashboard).content.decode()


def test_outsiders_get_404_and_employees_403(world, item, django_capture_on_commit_callbacks):
    crisis = declared(world)
    reply = waiting_reply(world, item, django_capture_on_commit_callbacks)
    gets = [
        "",
        "avslutt/",
        "pause/",
        f"logg/{crisis.pk}/",
        f"godkjenning/reply/{reply.pk}/?action=approve",
    ]
    posts = [
        ("erklaer/", {"name": "Ras", "confirm": "yes"}),
        ("avslutt/", {"confirm": "yes"}),
        (f"godkjenning/reply/{reply.pk}/", {"action": "approve", "confirm": "yes"}),
        ("stedfortredere/", {"user": world.p.employee.pk}),
    ]
    for user, status in ((world.p.outsider, 404), (world.p.employee, 403)):
        client = client_for(user)
        for path in gets:
            assert client.get(url(world, path)).status_code == status, (user, path)
        for path, data in posts:
            assert client.post(url(world, path), data).status_code == status, (user, path)
    # The outsider's own municipality does not reach this municipality's reply or log.
    home = world.p.outsider.role_assignments.first().municipality.slug
    outsider = client_for(world.p.outsider)
    assert outsider.get(f"/m/{home}/krise/logg/{crisis.pk}/").status_code == 404
    assert (
        outsider.get(f"/m/{home}/krise/godkjenning/reply/{reply.pk}/?action=approve").status_code
        == 404
    )
    # Communications sees the page but does not approve under this preset (PU-12).
    comms = client_for(world.p.communications)
    assert comms.get(url(world)).status_code == 200
    decide = url(world, f"godkjenning/reply/{reply.pk}/")
    assert comms.post(decide, {"action": "approve", "confirm": "yes"}).status_code == 403
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    assert active_crisis(municipality=world.municipality) == crisis


def test_deputies_are_named_and_removed_in_the_console(world):
    client = client_for(world.p.crisis_leader)
    client.post(url(world, "stedfortredere/"), {"user": world.p.chief_administrator.pk})
    assert CrisisDeputy.objects.filter(user=world.p.chief_administrator).exists()
    page = client.get(url(world)).content.decode()
    assert "Stedfortredere for kriselederen" in page
    # Nothing pre-selected in the picker.
    assert 'value="" selected' in page
    client.post(url(world, "stedfortredere/"), {"user": world.p.outsider.pk})
    assert not CrisisDeputy.objects.filter(user=world.p.outsider).exists()
    assert client.post(url(world, "stedfortredere/"), {"remove": "abc"}).status_code == 404
    assert CrisisDeputy.objects.exists()
    client.post(
        url(world, "stedfortredere/"), {"remove": world.p.chief_administrator.pk, "confirm": "yes"}
    )
    assert not CrisisDeputy.objects.exists()


def test_the_inbox_works_as_normal_and_says_the_reply_waits(
    world, item, django_capture_on_commit_callbacks
):
    declared(world)
    client = client_for(world.editor)
    url = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url}svar/", {"text": "Vannet er trygt, hilsen Sigrid."}, follow=True
        )
    assert response.status_code == 200
    assert (
        "Kommunen er i krise: svaret venter på kriselederen (PU-12)." in response.content.decode()
    )
    reply = Reply.objects.get(item=item)
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    assert reply.platform_id == ""


def test_the_check_page_says_pu12_while_a_crisis_is_declared(world):
    client = client_for(world.editor)
    check = f"/m/{world.municipality.slug}/sjekk/"
    text = {"kind": "post", "text": "Biblioteket har nye åpningstider fra mandag."}
    assert "PU-12" not in client.post(check, text).content.decode()
    declared(world)
    assert "PU-12" in client.post(check, text).content.decode()
