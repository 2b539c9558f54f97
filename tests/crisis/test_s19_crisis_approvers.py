"""PU-12: the crisis leader approves all information, and the crisis staff — not
communications — decides who approves in its stead.

Birkenes (003) «I krisesituasjoner hvor rådmannen har satt kriseledelse godkjennes all
informasjon av kriseleder»; Indre Fosen (000) «Under krisesituasjoner skal all
kommunikasjon gå via kommunens krisestab»; Gausdal (004 item 12) «Under
krisesituasjoner der rådmannen har satt krisestab, skal all kommunikasjon gå via
kommunal kriseledelse».

* Only the crisis leader (and the chief administrator where the preset lets them
  declare) names and removes deputies: communications could otherwise name a colleague,
  who names them back, and each approves their own texts.
* A crisis approval of one's own post or reply is refused, unless the approver is the
  crisis leader.
* In Birkenes and Gausdal the crisis leader and the chief administrator declare and end a
  crisis, communications does not.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis.models import Crisis, CrisisDeputy
from ordstyrer.crisis.selectors import active_crisis, crisis_settings
from ordstyrer.crisis.services import (
    crisis_approve,
    crisis_declare,
    crisis_deputy_add,
    crisis_deputy_remove,
    crisis_end,
)
from ordstyrer.inbox.models import Reply, ReplyStatus
from ordstyrer.inbox.replies import reply_send
from ordstyrer.policy import load_policy
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.conftest import make_personas
from tests.crisis.conftest import LATER, TUESDAY
from tests.publishing.conftest import make_world as make_publishing_world

pytestmark = pytest.mark.django_db

OWN = "Du kan ikke godkjenne en tekst du selv har skrevet, endret eller sendt inn."
NAMERS = "Bare disse rollene kan oppnevne og fjerne stedfortredere her"
DURING = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)
REPLY = "Takk for at du spør. Vannet er trygt å drikke, hilsen Sigrid."


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deputies(municipality) -> set[int]:
    return set(
        CrisisDeputy.objects.filter(municipality=municipality).values_list("user", flat=True)
    )


# --- who names the deputies ---------------------------------------------------------------


@pytest.mark.parametrize("preset", ["indre-fosen", "rennebu", "midt-telemark", "birkenes"])
def test_communications_names_and_removes_no_deputy(preset):
    """PU-12: communications, whose texts the deputies approve, names nobody — not a
    colleague who could name them back."""
    p = make_personas(f"s19nam{preset[:4]}", preset)
    with pytest.raises(NotPermitted) as refused:
        crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=p.communications)
    assert NAMERS in str(refused.value) and "Kriseleder" in str(refused.value)
    assert not deputies(p.municipality)

    crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=p.crisis_leader)
    with pytest.raises(NotPermitted):
        crisis_deputy_remove(municipality=p.municipality, user=p.employee, actor=p.communications)
    assert deputies(p.municipality) == {p.employee.pk}
    assert crisis_deputy_remove(municipality=p.municipality, user=p.employee, actor=p.crisis_leader)


@pytest.mark.parametrize(("preset", "names"), [("birkenes", True), ("indre-fosen", False)])
def test_the_chief_administrator_names_deputies_only_where_they_declare(preset, names):
    """PU-12: the rådmann sets up the crisis management in Birkenes and Gausdal."""
    p = make_personas(f"s19rad{preset[:4]}", preset)
    if not names:
        with pytest.raises(NotPermitted) as refused:
            crisis_deputy_add(
                municipality=p.municipality, user=p.employee, actor=p.chief_administrator
            )
        assert "Kriseleder (PU-12)" in str(refused.value)
        assert not deputies(p.municipality)
        return
    crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=p.chief_administrator)
    assert deputies(p.municipality) == {p.employee.pk}
    crisis_deputy_remove(municipality=p.municipality, user=p.employee, actor=p.chief_administrator)
    assert not deputies(p.municipality)


def test_the_console_lets_communications_name_no_deputy():
    """PU-12: the console neither offers nor does it for communications."""
    p = make_personas("s19namweb", "indre-fosen")
    url = f"/m/{p.municipality.slug}/krise/"
    comms = client_for(p.communications)
    assert "Oppnevn stedfortreder" not in comms.get(url).content.decode()
    refused = comms.post(f"{url}stedfortredere/", {"user": p.employee.pk})
    assert refused.status_code == 403
    assert NAMERS in refused.content.decode()
    assert not deputies(p.municipality)

    leader = client_for(p.crisis_leader)
    assert "Oppnevn stedfortreder" in leader.get(url).content.decode()
    assert leader.post(f"{url}stedfortredere/", {"user": p.employee.pk}).status_code == 302
    assert deputies(p.municipality) == {p.employee.pk}
    removed = comms.post(f"{url}stedfortredere/", {"remove": p.employee.pk})
    assert removed.status_code == 403
    assert deputies(p.municipality) == {p.employee.pk}


# --- nobody but the crisis leader approves their own text in a crisis -----------------


@pytest.fixture
def pub(db):
    return make_publishing_world("s19pub")


def crisis_post(world, author, capture) -> Post:
    post = post_create(
        actor=author,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=DURING,
    )
    with capture(execute=True):
        return post_publish(actor=author, post_id=post.pk, now=timezone.now())


def status(post) -> str:
    return Post.objects.get(pk=post.pk).status


def test_a_deputy_does_not_approve_their_own_post(pub, django_capture_on_commit_callbacks):
    """PU-12: a deputy's post waits for the crisis leader or another deputy."""
    m = pub.municipality
    crisis_deputy_add(municipality=m, user=pub.editor, actor=pub.p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader)
    post = crisis_post(pub, pub.editor, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL

    with pytest.raises(NotPermitted) as refused:
        crisis_approve(municipality=m, kind="post", object_id=post.pk, actor=pub.editor)
    assert OWN in str(refused.value) and "kriselederen" in str(refused.value)
    assert status(post) == PostStatus.AWAITING_CRISIS_APPROVAL

    # The console: neither the confirmation nor its POST.
    decide = f"/m/{m.slug}/krise/godkjenning/post/{post.pk}/"
    editor = client_for(pub.editor)
    shown = editor.get(f"{decide}?action=approve")
    assert shown.status_code == 403 and OWN in shown.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        posted = editor.post(
            decide, {"action": "approve", "confirm": "yes", "round": post.approval_round}
        )
    assert posted.status_code == 403 and OWN in posted.content.decode()
    assert status(post) == PostStatus.AWAITING_CRISIS_APPROVAL

    # Another deputy approves it.
    crisis_deputy_add(municipality=m, user=pub.p.employee, actor=pub.p.crisis_leader)
    with django_capture_on_commit_callbacks(execute=True):
        crisis_approve(municipality=m, kind="post", object_id=post.pk, actor=pub.p.employee)
    assert Post.objects.get(pk=post.pk).crisis_approved_by == pub.p.employee


def test_the_crisis_leader_approves_their_own_post(pub, django_capture_on_commit_callbacks):
    """PU-12: the crisis leader approves all information, theirs too."""
    m = pub.municipality
    channel_services.channel_role_set(
        actor=pub.p.employee, channel=pub.page, user=pub.p.crisis_leader, role=ChannelRole.EDITOR
    )
    crisis_declare(municipality=m, name="Flom", actor=pub.p.crisis_leader)
    post = crisis_post(pub, pub.p.crisis_leader, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    decide = f"/m/{m.slug}/krise/godkjenning/post/{post.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        done = client_for(pub.p.crisis_leader).post(
            decide, {"action": "approve", "confirm": "yes", "round": post.approval_round}
        )
    assert done.status_code == 302
    assert Post.objects.get(pk=post.pk).crisis_approved_by == pub.p.crisis_leader


def waiting_reply(world, author, item, capture) -> Reply:
    with time_machine.travel(LATER, tick=False), capture(execute=True):
        reply = reply_send(actor=author, item=item, text=REPLY)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    return reply


def test_a_deputy_does_not_approve_their_own_reply(world, item, django_capture_on_commit_callbacks):
    """PU-12: a deputy's reply waits for the crisis leader or another deputy."""
    m = world.municipality
    crisis_deputy_add(municipality=m, user=world.editor, actor=world.p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=world.p.crisis_leader, now=TUESDAY)
    reply = waiting_reply(world, world.editor, item, django_capture_on_commit_callbacks)

    with pytest.raises(NotPermitted) as refused:
        crisis_approve(municipality=m, kind="reply", object_id=reply.pk, actor=world.editor)
    assert OWN in str(refused.value)
    decide = f"/m/{m.slug}/krise/godkjenning/reply/{reply.pk}/"
    editor = client_for(world.editor)
    assert editor.get(f"{decide}?action=approve").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        posted = editor.post(decide, {"action": "approve", "confirm": "yes"})
    assert posted.status_code == 403 and OWN in posted.content.decode()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL
    assert reply.crisis_decided_by is None

    # The crisis leader approves it.
    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        crisis_approve(
            municipality=m, kind="reply", object_id=reply.pk, actor=world.p.crisis_leader
        )
    reply.refresh_from_db()
    assert reply.crisis_decided_by == world.p.crisis_leader


# --- who declares and ends a crisis in Birkenes and Gausdal -----------------------------


@pytest.mark.parametrize("preset", ["birkenes", "gausdal"])
def test_the_presets_declarers_are_the_crisis_leader_and_the_radmann(preset):
    """PU-12 `declared_by`: «hvor rådmannen har satt kriseledelse» (Birkenes), «der
    rådmannen har satt krisestab» (Gausdal)."""
    assert tuple(load_policy(preset).params("PU-12")["declared_by"]) == (
        "crisis_leader",
        "chief_administrator",
    )


@pytest.mark.parametrize("preset", ["birkenes", "gausdal"])
def test_communications_neither_declares_nor_ends_a_crisis_there(preset):
    """PU-12: the rådmann sets up the crisis management; communications does not."""
    p = make_personas(f"s19dec{preset[:4]}", preset)
    assert crisis_settings(municipality=p.municipality)["declared_by"] == (
        "crisis_leader",
        "chief_administrator",
    )
    with pytest.raises(NotPermitted) as refused:
        crisis_declare(municipality=p.municipality, name="Flom", actor=p.communications)
    assert "Kriseleder, Kommunedirektør/rådmann (PU-12)" in str(refused.value)
    assert not Crisis.objects.exists()

    crisis_declare(municipality=p.municipality, name="Flom", actor=p.crisis_leader)
    with pytest.raises(NotPermitted):
        crisis_end(municipality=p.municipality, actor=p.communications)
    assert active_crisis(municipality=p.municipality) is not None
    crisis_end(municipality=p.municipality, actor=p.crisis_leader)  # the crisis leader ends it

    crisis_declare(municipality=p.municipality, name="Storm", actor=p.chief_administrator)
    crisis_end(municipality=p.municipality, actor=p.chief_administrator)
    assert active_crisis(municipality=p.municipality) is None


def test_the_console_refuses_communications_a_declaration_in_gausdal():
    """PU-12 in the console: the declaration is not offered and a POST is refused."""
    p = make_personas("s19decweb", "gausdal")
    client = client_for(p.communications)
    base = f"/m/{p.municipality.slug}/krise/"
    assert "Erklær krise" not in client.get(base).content.decode()
    refused = client.post(f"{base}erklaer/", {"name": "Storm", "confirm": "yes"})
    assert refused.status_code == 403
    assert "Kriseleder, Kommunedirektør/rådmann (PU-12)" in refused.content.decode()
    assert not Crisis.objects.exists()
