"""PU-12: a crisis leader's confirmation decides only the text it showed. A post withdrawn,
changed and sent again while the confirmation was open is a new approval round; the old
form (approve or reject) decides nothing and says it was decided already."""

from __future__ import annotations

import re

import pytest

from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_approve, crisis_declare
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_publish, post_update, post_withdraw
from tests.crisis.test_post_decisions import sent
from tests.crisis.test_posts import DURING, SCHEDULED, client_for, page_texts

pytestmark = pytest.mark.django_db

CHANGED = SCHEDULED  # another text that passes the checks


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture
def world(db):
    from tests.publishing.conftest import make_world

    return make_world("krrund")


def _opened(world, post, action: str) -> tuple[str, dict[str, str]]:
    """The crisis leader opens the confirmation: its URL and the form it would post."""
    decide = f"/m/{world.municipality.slug}/krise/godkjenning/post/{post.pk}/"
    page = client_for(world.p.crisis_leader).get(f"{decide}?action={action}").content.decode()
    assert DURING in page
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    form.pop("csrfmiddlewaretoken", None)
    form["confirm"] = "yes"
    return decide, form


def _changed_and_sent_again(world, post, capture) -> Post:
    """The author withdraws the waiting post, edits it and publishes it again."""
    post_withdraw(actor=world.editor, post_id=post.pk)
    post_update(actor=world.editor, post_id=post.pk, text=CHANGED)
    with capture(execute=True):
        again = post_publish(actor=world.editor, post_id=post.pk)
    assert again.status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert again.approval_round == post.approval_round + 1
    return again


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_stale_crisis_confirmation_decides_nothing_on_a_changed_post(
    world, action, django_capture_on_commit_callbacks
):
    """PU-12: the leader saw text A; the author changed it to B and sent it again; the
    old confirmation neither releases nor rejects B."""
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    decide, form = _opened(world, post, action)
    if action == "reject":
        form["reason"] = "Vent til etter pressekonferansen."

    _changed_and_sent_again(world, post, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        stale = client_for(world.p.crisis_leader).post(decide, form, follow=True)

    body = stale.content.decode()
    assert "Dette er allerede avgjort." in body
    assert "Godkjent. Teksten publiseres nå." not in body and "Avvist." not in body
    post = Post.objects.get(pk=post.pk)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL and post.text == CHANGED
    assert post.crisis_approved_at is None and post.rejected_at is None
    assert CHANGED not in page_texts(world.page)
    assert not CrisisLogEntry.objects.filter(
        kind__in=("post_approved", "post_rejected"), object_id=str(post.pk)
    ).exists()


def test_the_current_rounds_confirmation_still_decides(world, django_capture_on_commit_callbacks):
    """The round the confirmation carries is the post's: it is decided as before."""
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    decide, form = _opened(world, post, "approve")
    assert form["round"] == str(post.approval_round)
    with django_capture_on_commit_callbacks(execute=True):
        done = client_for(world.p.crisis_leader).post(decide, form, follow=True)
    assert "Godkjent. Teksten publiseres nå." in done.content.decode()
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED
    assert page_texts(world.page).count(DURING) == 1


def test_the_service_compares_the_round_too(world, django_capture_on_commit_callbacks):
    """The console's API and CLI callers pass the round to `crisis_approve` likewise."""
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    shown = post.approval_round
    _changed_and_sent_again(world, post, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        returned = crisis_approve(
            municipality=world.municipality,
            kind="post",
            object_id=post.pk,
            actor=world.p.crisis_leader,
            approval_round=shown,
        )
    assert returned.status == PostStatus.AWAITING_CRISIS_APPROVAL
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_CRISIS_APPROVAL


def test_a_mangled_round_decides_nothing(world, django_capture_on_commit_callbacks):
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = sent(world, DURING, world.page, django_capture_on_commit_callbacks)
    decide, form = _opened(world, post, "approve")
    form["round"] = "١"  # not ASCII digits (core.ids.parse_id)
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(world.p.crisis_leader).post(decide, form, follow=True)
    assert "Skjemaet kunne ikke leses." in page.content.decode()
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_CRISIS_APPROVAL
