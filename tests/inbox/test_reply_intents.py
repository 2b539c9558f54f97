"""One reply per intent (#15): the reply form carries a key made when it is rendered; a
double click, Back + submit or a retried request publishes the reply once and returns
the first one; after sending, the reply box stays closed until the editor asks again."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from ordstyrer.core.intents import new_intent_key
from ordstyrer.inbox.models import Reply
from ordstyrer.inbox.replies import reply_send
from tests.factories import PASSWORD
from tests.inbox.conftest import TUESDAY, comment, ingest, make_world

LATER = TUESDAY + timedelta(minutes=20)
TEXT = "Hei! Svømmehallen åpner mandag 10. august. Hilsen Sigrid"


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def key_in(html: str) -> str:
    found = re.search(r'name="intent_key" value="([0-9a-f]{32})"', html)
    assert found, "the reply form carries no intent key"
    return found.group(1)


@pytest.mark.django_db
def test_a_replayed_reply_is_the_first_reply(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    key = new_intent_key()
    with time_machine.travel(LATER, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = reply_send(actor=world.editor, item=item, text=TEXT, intent_key=key)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = reply_send(actor=world.editor, item=item, text=TEXT, intent_key=key)
    assert again.pk == first.pk and not callbacks
    assert Reply.objects.count() == 1 and fake_platform.sent == [("c1", TEXT)]
    # Another form (another key) is another reply, as before.
    with time_machine.travel(LATER, tick=False):
        reply_send(actor=world.editor, item=item, text=TEXT, intent_key=new_intent_key())
    assert Reply.objects.count() == 2


@pytest.mark.django_db
def test_back_and_submit_in_the_console_publishes_once(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    page_url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    reply_url = reverse("inbox:reply", args=[world.municipality.slug, item.pk])
    editor = client_for(world.editor)
    with time_machine.travel(LATER, tick=False):
        html = editor.get(page_url).content.decode()
        key = key_in(html)
        assert key != key_in(editor.get(page_url).content.decode())  # fresh per render
        post = {"text": TEXT, "effect": "answer", "template": "", "intent_key": key}
        for _attempt in range(3):  # a double click, then Back + submit
            with django_capture_on_commit_callbacks(execute=True):
                response = editor.post(reply_url, post)
            assert response.status_code == 302
        assert Reply.objects.count() == 1 and len(fake_platform.sent) == 1
        # The box is closed now; the editor asks for a new reply to open it.
        after = editor.get(page_url).content.decode()
        assert "Skriv et nytt svar" in after and 'id="reply_text"' not in after
        reopened = editor.get(page_url + "?svar=nytt").content.decode()
        assert 'id="reply_text"' in reopened and key_in(reopened) != key
        # An outsider replaying the post gets 404; another channel's editor 403.
        assert client_for(world.p.outsider).post(reply_url, post).status_code == 404
        assert client_for(world.other_editor).post(reply_url, post).status_code == 403
    assert Reply.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two requests racing need PostgreSQL (DATABASE_URL=postgres://…)",
)
def test_two_posts_of_one_form_racing_make_one_reply(fake_platform, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    world = make_world("pgreply")
    item = ingest(world.channel, comment("c-race"))
    key = new_intent_key()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait()
            with time_machine.travel(LATER, tick=False):
                results.append(
                    reply_send(actor=world.editor, item=item, text=TEXT, intent_key=key).pk
                )
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2 and len(set(results)) == 1
    assert Reply.objects.filter(item=item).count() == 1


@pytest.mark.django_db
def test_a_replayed_bulk_form_returns_the_first_result(world):
    """The bulk form carries a key too: the same action on the same items posted again
    says what the first post did; another action from the same page is a new intent."""
    first = ingest(world.channel, comment("c1"))
    second = ingest(world.channel, comment("c2", author="u2"))
    editor = client_for(world.editor)
    url = reverse("inbox:list", args=[world.municipality.slug])
    key = key_in(editor.get(url).content.decode())
    post = {"action": "acknowledge", "item": [str(first.pk)], "intent_key": key, "next": url}
    bulk = reverse("inbox:bulk", args=[world.municipality.slug])
    with time_machine.travel(LATER, tick=False):
        for _attempt in range(2):
            response = editor.post(bulk, post, follow=True)
            html = response.content.decode()
            assert "Utført for 1 henvendelse." in html
            assert "allerede" not in html.lower()
        # The same page, another row: acted on, not swallowed as a replay.
        other = editor.post(bulk, {**post, "item": [str(second.pk)]}, follow=True)
        assert "Utført for 1 henvendelse." in other.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == "acknowledged"
    # An outsider replaying the form gets 404.
    assert client_for(world.p.outsider).post(bulk, post).status_code == 404
