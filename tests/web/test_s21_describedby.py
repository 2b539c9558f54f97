"""Every `aria-describedby` on a page names an element of the page, and a field's error is
named by its field (WCAG 1.3.1, 3.3.1, 4.1.2): `test_field_errors` for `web/_field.html`,
here for the fields a template renders by hand.

Django 5.2 puts `aria-describedby="<auto_id>_helptext <auto_id>_error"` on a field's
widget, and nothing on the inputs of a group of checkboxes or radio buttons (its
fieldset carries it). Before, the publish confirmation's error was `confirm-error`, the
take-down's and the consent withdrawal's had no id, the ban form's «done by hand» error
was `mod-ban-manual-error`, the moderation settings' help texts had no id: each input
pointed at nothing. The groups (the composer's channels, a paused post's decision, the
export's format, the reply's effect and referral kind) named no error at all. Each page
is posted invalid through its view, as a person does."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.ingest import inbox_ingest
from ordstyrer.publishing.models import ChannelPublishing, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.worktime.config import OSLO
from tests.inbox.conftest import comment
from tests.moderation.conftest import T0, citizen_comment
from tests.moderation.conftest import make_world as moderation_world
from tests.publishing.conftest import TOKEN_KEY, person_photo
from tests.publishing.conftest import make_world as publishing_world

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
SPAM = "Tjen 5000 kr om dagen hjemmefra! Klikk her: https://rask-gevinst.example"
WHY = "Reklame for en svindeltjeneste, lagt ut flere ganger."


@pytest.fixture(autouse=True)
def _product(settings, monkeypatch):
    """Tasks run at once; no platform but the simulated one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _described(doc: Any) -> dict[str, list[Any]]:
    """Each id some aria-describedby names → the elements naming it."""
    named: dict[str, list[Any]] = {}
    for element in doc.xpath("//*[@aria-describedby]"):
        for id_ in element.get("aria-describedby").split():
            named.setdefault(id_, []).append(element)
    return named


def assert_described(response: Any, form: Any = None, *fields: str) -> None:
    """Every id named in every aria-describedby of the page exists; and each of `fields`
    of `form` (which has an error) is described by the element that shows its error:
    the field's own input, or the fieldset around its checkboxes or radio buttons."""
    doc = lxml.html.fromstring(response.content.decode())
    ids = {element.get("id") for element in doc.xpath("//*[@id]")}
    named = _described(doc)
    assert named, "no aria-describedby on the page"
    missing = sorted(set(named) - ids)
    assert not missing, f"aria-describedby names ids that are not on the page: {missing}"
    for name in fields:
        message = form.errors[name][0]
        shown = [p for p in doc.xpath("//p") if message in p.text_content()]
        assert shown, f"{name}: its error «{message}» is not on the page"
        html_name = form[name].html_name
        tied = [
            element
            for p in shown
            if p.get("id")
            for element in named.get(p.get("id"), [])
            if element.get("name") == html_name or element.xpath(f'.//input[@name="{html_name}"]')
        ]
        assert tied, f"{name}: no input or group of it names its error «{message}»"


# --------------------------------------------------------------------------- publishing


def test_the_publish_confirmation_names_its_error(django_capture_on_commit_callbacks):
    w = publishing_world("s21dbconf")
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    response = _client(w.editor).post(
        reverse("publishing:confirm", args=[w.municipality.slug, post.pk]), {}
    )
    assert response.status_code == 200
    assert_described(response, response.context["form"], "confirm")
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT


def test_the_take_down_confirmation_names_its_error(django_capture_on_commit_callbacks):
    w = publishing_world("s21dbdown")
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED
    response = _client(w.editor).post(
        reverse("publishing:take_down", args=[w.municipality.slug, post.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert_described(response, response.context["confirm_form"], "confirm")
    assert Post.objects.get(pk=post.pk).taken_down_at is None


def test_the_consent_withdrawal_names_its_error():
    w = publishing_world("s21dbconsent")
    photo, consent = person_photo(w)
    response = _client(w.editor).post(
        reverse("publishing:consent_withdraw", args=[w.municipality.slug, photo.pk, consent.pk]),
        {"note": ""},
    )
    assert response.status_code == 200
    assert_described(response, response.context["confirm_form"], "confirm")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_composer_s_channels_name_their_error():
    w = publishing_world("s21dbcompose")
    response = _client(w.editor).post(
        reverse("publishing:compose", args=[w.municipality.slug]),
        {"text": TEXT, "action": "save"},
    )
    assert response.status_code == 200
    assert_described(response, response.context["form"], "channels")
    assert not Post.objects.filter(municipality=w.municipality).exists()


# --------------------------------------------------------------------------- crisis


def test_a_paused_post_s_decision_names_its_error():
    w = publishing_world("s21dbpaused")
    ChannelPublishing.objects.create(channel=w.page, approval="none")
    day = timezone.localdate() + timedelta(days=3)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
        publish_at=datetime.combine(day, time(10), tzinfo=OSLO),
    )
    assert post_publish(actor=w.editor, post_id=post.pk).status == PostStatus.SCHEDULED
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED

    response = _client(w.p.communications).post(
        reverse("crisis:paused_decide", args=[w.municipality.slug, post.pk]), {}
    )
    assert response.status_code == 200
    (_post, form), *_ = response.context["rows"]
    assert_described(response, form, "decision")
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED


# --------------------------------------------------------------------------- archive


def test_the_export_s_format_names_its_error():
    w = publishing_world("s21dbexport")
    response = _client(w.p.communications).post(
        reverse("archive:exports", args=[w.municipality.slug]), {"since": "", "until": ""}
    )
    assert response.status_code == 200
    assert_described(response, response.context["form"], "format", "since", "until")


# --------------------------------------------------------------------------- moderation


def test_the_ban_form_names_its_done_by_hand_error(db):
    """Instagram cannot ban through its API (MO-1): the ban form asks that it was done in
    the app, and the refusal goes beside that checkbox."""
    with time_machine.travel(T0, tick=False):
        world = moderation_world("s21dbban", "indre-fosen", kind="instagram")
        item = inbox_ingest(
            channel=world.channel,
            comment=comment("ig-c1", SPAM, author="ig-7", name="Rask Gevinst", post="ig-m-1"),
            received_at=world.channel.created_at,
        )
        assert item is not None
        response = _client(world.admin).post(
            reverse("moderation:ban", args=[world.municipality.slug, item.pk]),
            {"ground": "spam", "justification": WHY},
        )
    assert response.status_code == 400
    assert_described(response, response.context["form"], "manual")


@pytest.mark.parametrize("preset", ["indre-fosen", "gausdal"])
def test_the_moderation_settings_name_their_help_texts(db, preset):
    with time_machine.travel(T0, tick=False):
        world = moderation_world(f"s21dbset-{preset}", preset)
        response = _client(world.p.communications).get(
            reverse("moderation:settings", args=[world.municipality.slug])
        )
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    second = doc.xpath('//input[@name="second_approver"]')[0]
    assert second.get("aria-describedby") == "id_second_approver_helptext"
    assert_described(response)


# --------------------------------------------------------------------------- inbox


def test_the_reply_s_effect_and_referral_kind_name_their_errors(db):
    """A form posted with choices the page never offered (an old page, a hostile form):
    the errors beside the groups, each named by its fieldset."""
    with time_machine.travel(T0, tick=False):
        world = moderation_world("s21dbreply")
        item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
        response = _client(world.editor).post(
            reverse("inbox:reply", args=[world.municipality.slug, item.pk]),
            {"text": "Den åpner mandag.", "effect": "tull", "referral_kind": "tull"},
        )
    assert response.status_code == 400
    assert_described(response, response.context["reply_form"], "effect", "referral_kind")
