"""The closure notice promises only what the closure does on that platform (CH-9).

Until stop 23 every closure notice said «Mens kanalen er stengt, er det ikke mulig å
kommentere». A Facebook Page has no comment switch in the Graph API
(`FacebookConnector.capabilities` leaves out `COMMENT_SWITCH`): there the closure hides new
comments as they arrive (`CommentMode.HIDE_NEW`), and people can still write them. The
notice for a Facebook Page now says that new comments are hidden and not answered until
the channel opens again; on a platform that switches comments off (Instagram, the
simulated platform) it still says commenting is impossible. The house rules (CH-10), the
municipality's for all its pages, promised «Da er det ikke mulig å kommentere» too; they
now say comments are switched off, or new comments hidden where that is not possible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.closures import closure_notice_text
from ordstyrer.channels.models import Closure
from ordstyrer.policy import load_policy
from ordstyrer.policy.render import render_house_rules
from tests.channels.conftest import active_channel

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 6, 29, 8, 0, tzinfo=UTC)
START = MONDAY + timedelta(days=2)
END = START + timedelta(days=14)

IMPOSSIBLE = {
    "nb": "Mens kanalen er stengt, er det ikke mulig å kommentere.",
    "nn": "Medan kanalen er stengd, er det ikkje mogleg å kommentere.",
}
HIDDEN = {
    "nb": "Mens kanalen er stengt, blir nye kommentarer skjult, og vi svarer ikke på dem "
    "før vi åpner igjen 15. juli 2026 kl. 10.00.",
    "nn": "Medan kanalen er stengd, blir nye kommentarar skjulte, og vi svarar ikkje på dei "
    "før vi opnar igjen 15. juli 2026 kl. 10.00.",
}


def _closure(p, kind: str) -> Closure:
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p, kind=kind, name=f"Kanal på {kind}")
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Sommerferie", starts_at=START, ends_at=END
        )
    return Closure.objects.select_related("channel__municipality").get(pk=closure.pk)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_facebook_page_s_notice_says_new_comments_are_hidden(personas, lang):
    text = closure_notice_text(_closure(personas, "facebook"), lang)
    assert IMPOSSIBLE[lang] not in text
    assert HIDDEN[lang] in text


@pytest.mark.parametrize("kind", ["instagram", "simulated"])
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_platform_that_switches_comments_off_says_commenting_is_impossible(personas, kind, lang):
    text = closure_notice_text(_closure(personas, kind), lang)
    assert IMPOSSIBLE[lang] in text
    assert "skjul" not in text


def test_the_closure_page_shows_the_facebook_notice(personas):
    p = personas
    closure = _closure(p, "facebook")
    client = Client()
    client.force_login(p.employee)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(
            reverse("channels:closures", args=[p.municipality.slug, closure.channel_id])
        )
    assert page.status_code == 200
    html = page.content.decode()
    assert "ikke mulig å kommentere" not in html and "ikkje mogleg å kommentere" not in html
    assert "blir nye kommentarer skjult" in html and "blir nye kommentarar skjulte" in html


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_house_rules_do_not_promise_commenting_is_impossible(lang):
    """The house rules are the municipality's, for every platform (CH-9 applies in
    Gausdal's preset, the one whose house rules tell of closures)."""
    house = render_house_rules(load_policy("gausdal"), "md", lang)
    for promise in (
        "ikke mulig å kommentere",
        "ikkje mogleg å kommentere",
        "Commenting is then off",
    ):
        assert promise not in house
    said = {"nb": "skjuler nye kommentarer", "nn": "skjuler nye kommentarar", "en": "hide new"}
    assert said[lang] in house
