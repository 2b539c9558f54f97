""" "Someone else is writing a reply here" (#15, item 7) over HTTP.

Asking for a template (or a new reply) opens the reply box and names the person on the
item page of every colleague who may reply (CH-3), with since when; a heartbeat keeps it
alive while they type; after `presence.WINDOW` without a sign, or once the reply is
sent, the notice is gone. Outsiders get 404, people who only read the inbox 403.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from ordstyrer.inbox import presence
from ordstyrer.inbox.models import ReplyPresence
from tests.inbox.conftest import TUESDAY, comment, ingest
from tests.inbox.test_reply_intents import TEXT, client_for, key_in

OPENED = TUESDAY + timedelta(minutes=10)  # 12.10 in Oslo


def _urls(world, item):
    slug = world.municipality.slug
    return (
        reverse("inbox:detail", args=[slug, item.pk]),
        reverse("inbox:presence", args=[slug, item.pk]),
    )


def _name(user) -> str:
    return user.get_full_name() or user.username


@pytest.mark.django_db
def test_a_colleague_who_asked_for_a_template_is_named_with_since_when(world):
    item = ingest(world.channel, comment("c1"))
    page, _fragment = _urls(world, item)
    sigrid, kari = client_for(world.editor), client_for(world.p.communications)
    with time_machine.travel(OPENED, tick=False):
        assert sigrid.get(page + "?mal=acknowledge").status_code == 200
    with time_machine.travel(OPENED + timedelta(minutes=2), tick=False):
        html = kari.get(page).content.decode()
        own = sigrid.get(page).content.decode()
    assert f"<strong>{_name(world.editor)}</strong> skriver et svar her" in html
    assert "5. mai 2026 kl. 09.10" in html  # since when, in Oslo time and the one format
    assert 'datetime="2026-05-05T09:10:00+02:00"' in html
    # Nobody is told about themselves, and merely reading the page marks nobody.
    assert "skriver et svar her" not in own
    assert ReplyPresence.objects.filter(user=world.p.communications).count() == 0


@pytest.mark.django_db
def test_the_heartbeat_keeps_the_notice_and_silence_ends_it(world):
    item = ingest(world.channel, comment("c1"))
    page, fragment = _urls(world, item)
    sigrid, kari = client_for(world.editor), client_for(world.p.communications)
    with time_machine.travel(OPENED, tick=False):
        assert sigrid.post(fragment).status_code == 200
    # Typing four minutes later: still the same session (since 09.10), now seen again.
    with time_machine.travel(OPENED + timedelta(minutes=4), tick=False):
        sigrid.post(fragment)
    with time_machine.travel(OPENED + timedelta(minutes=8), tick=False):
        answer = kari.get(fragment)
        assert answer["Cache-Control"] == "no-store"
        assert "kl. 09.10" in answer.content.decode()
    # Five minutes after the last sign the notice is gone.
    late = OPENED + timedelta(minutes=4) + presence.WINDOW + timedelta(seconds=1)
    with time_machine.travel(late, tick=False):
        assert "skriver et svar her" not in kari.get(page).content.decode()
        assert "skriver et svar her" not in kari.get(fragment).content.decode()
        # Coming back after the gap starts a new session, with a new "since".
        sigrid.post(fragment)
        assert "kl. 09.19" in kari.get(fragment).content.decode()


@pytest.mark.django_db
def test_sending_the_reply_ends_the_notice(world, fake_platform):
    item = ingest(world.channel, comment("c1"))
    page, _fragment = _urls(world, item)
    sigrid, kari = client_for(world.editor), client_for(world.p.communications)
    with time_machine.travel(OPENED, tick=False):
        key = key_in(sigrid.get(page + "?mal=acknowledge").content.decode())
        assert "skriver et svar her" in kari.get(page).content.decode()
        sent = sigrid.post(
            reverse("inbox:reply", args=[world.municipality.slug, item.pk]),
            {"text": TEXT, "effect": "answer", "intent_key": key},
        )
        assert sent.status_code == 302
        assert "skriver et svar her" not in kari.get(page).content.decode()
    assert not ReplyPresence.objects.exists()


@pytest.mark.django_db
def test_a_refused_draft_keeps_the_writer_named(world):
    item = ingest(world.channel, comment("c1"))
    page, _fragment = _urls(world, item)
    sigrid, kari = client_for(world.editor), client_for(world.p.communications)
    with time_machine.travel(OPENED, tick=False):
        refused = sigrid.post(
            reverse("inbox:reply", args=[world.municipality.slug, item.pk]),
            {"text": "", "effect": "answer", "intent_key": "x" * 32},
        )
        assert refused.status_code == 400
        assert "skriver et svar her" in kari.get(page).content.decode()


@pytest.mark.django_db
def test_only_people_who_may_reply_mark_or_see_presence(world):
    """CH-3: a reader without the reply need gets 403, an outsider 404 (and neither
    is recorded); the editor of another channel may not mark this one."""
    item = ingest(world.channel, comment("c1"))
    _page, fragment = _urls(world, item)
    with time_machine.travel(OPENED, tick=False):
        assert client_for(world.p.outsider).post(fragment).status_code == 404
        assert client_for(world.p.chief_administrator).post(fragment).status_code == 403
        assert client_for(world.other_editor).post(fragment).status_code in (403, 404)
        assert client_for(world.p.archivist).get(fragment).status_code in (403, 404)
    assert not ReplyPresence.objects.exists()


@pytest.mark.django_db
def test_the_heartbeat_needs_the_csrf_token(world):
    item = ingest(world.channel, comment("c1"))
    _page, fragment = _urls(world, item)
    client = client_for(world.editor)
    client.handler.enforce_csrf_checks = True
    assert client.post(fragment).status_code == 403
    assert not ReplyPresence.objects.exists()
