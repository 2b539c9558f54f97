"""PU-12, deliberate acts idempotent on replay: the declaration's confirmation carried
only the crisis's name. Posted again after that crisis had ended (Back and resubmit, a
restored tab), it declared a second crisis and paused every scheduled post — where the
end's confirmation carries the crisis it was shown for. Now the declaration's
confirmation carries the latest crisis when it was shown (or none), and a crisis declared
since (ended or not) refuses it with a message that says why; nothing is declared."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.core.errors import Conflict
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.crisis.test_posts import client_for
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

STALE = "Det er erklært en krise siden denne bekreftelsen ble vist"


@pytest.fixture
def world(db):
    return make_world("krrep")


def confirmation_form(client, url, name) -> dict[str, str]:
    """The declaration's confirmation as the page writes it: its hidden fields."""
    page = client.post(url, {"name": name}).content.decode()
    assert "Bekreft: erklær krise" in page
    form = page.split(f'action="{url}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return {**fields, "confirm": "yes"}


def scheduled(world):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Kulturskolen har åpen dag lørdag.",
        publish_at=timezone.now() + timedelta(days=1),
    )
    post = post_publish(actor=world.editor, post_id=post.pk, override_reason="ok")
    assert post.status == PostStatus.SCHEDULED
    return post


@pytest.mark.parametrize("before", [False, True], ids=["first-crisis", "after-an-earlier"])
def test_pu12_a_replayed_declaration_after_the_end_declares_nothing(world, before):
    slug = world.municipality.slug
    url = f"/m/{slug}/krise/erklaer/"
    if before:  # an earlier crisis, long over
        crisis_declare(municipality=world.municipality, name="Storm", actor=world.p.crisis_leader)
        crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    leader = client_for(world.p.crisis_leader)
    form = confirmation_form(leader, url, "Flom i sentrum")
    assert leader.post(url, form).status_code == 302
    crisis = Crisis.objects.get(municipality=world.municipality, name="Flom i sentrum")
    # A double click while it lasts: said calmly, nothing twice.
    again = leader.post(url, form, follow=True).content.decode()
    assert "Krisen er allerede erklært." in again
    leader.post(f"/m/{slug}/krise/avslutt/", {"confirm": "yes", "crisis": str(crisis.pk)})
    post = scheduled(world)

    replay = leader.post(url, form, follow=True).content.decode()
    assert STALE in replay
    assert not Crisis.objects.filter(municipality=world.municipality, ended_at=None).exists()
    assert Crisis.objects.filter(municipality=world.municipality).count() == 1 + before
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_pu12_a_confirmation_shown_before_another_declaration_declares_nothing(world):
    """Two people open the confirmation; the other declares and ends a crisis meanwhile."""
    slug = world.municipality.slug
    url = f"/m/{slug}/krise/erklaer/"
    leader = client_for(world.p.crisis_leader)
    form = confirmation_form(leader, url, "Flom")
    crisis_declare(municipality=world.municipality, name="Ras", actor=world.p.communications)
    crisis_end(municipality=world.municipality, actor=world.p.communications)
    page = leader.post(url, form, follow=True).content.decode()
    assert STALE in page
    assert list(Crisis.objects.values_list("name", flat=True)) == ["Ras"]
    # A fresh confirmation declares.
    assert leader.post(url, confirmation_form(leader, url, "Flom")).status_code == 302
    assert Crisis.objects.get(ended_at=None).name == "Flom"


def test_pu12_an_unreadable_confirmation_declares_nothing(world):
    url = f"/m/{world.municipality.slug}/krise/erklaer/"
    leader = client_for(world.p.crisis_leader)
    page = leader.post(url, {"name": "Flom", "after": "x1", "confirm": "yes"}, follow=True)
    assert "Skjemaet kunne ikke leses." in page.content.decode()
    assert not Crisis.objects.exists()


def test_pu12_the_service_refuses_a_declaration_shown_before_another(world):
    """`crisis_declare(after=…)`: the latest crisis the caller saw (0: none)."""
    m = world.municipality
    leader = world.p.crisis_leader
    first = crisis_declare(municipality=m, name="Storm", actor=leader, after=0)
    crisis_end(municipality=m, actor=leader)
    with pytest.raises(Conflict) as refused:
        crisis_declare(municipality=m, name="Storm", actor=leader, after=0)
    assert STALE in str(refused.value.message)
    second = crisis_declare(municipality=m, name="Flom", actor=leader, after=first.pk)
    assert second.ended_at is None
