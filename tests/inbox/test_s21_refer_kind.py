"""«Henvis uten svar» has no kind chosen beforehand (DI-7, DI-8; AR-1, AR-3).

A formal referral journals the inquiry as an inbound archive record that can never be
removed (AR-3). The side form's kind was a select with «Formell henvendelse» first and
nothing empty: an editor who typed a note and clicked «Henvis» sent `formal` and
journaled an inquiry forever. As in the reply box (docs/inbox.md, «Henvis til»), nothing
is chosen until the editor chooses, and a post without a kind refers nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.inbox.models import Referral
from tests.inbox.conftest import comment, ingest
from tests.inbox.test_s19_referral_replay import key_of

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _kind_select(html: str) -> str:
    found = re.search(r'<select name="kind"[^>]*>.*?</select>', html, re.S)
    assert found, "the item page has no «Henvis til» select"
    return found.group(0)


def test_the_item_page_chooses_no_referral_kind_beforehand(world):
    """AR-3: the page offers an empty first choice, selected, and neither kind is;
    the select is required, so the browser does not send it empty either."""
    item = ingest(world.channel, comment("c1", "Jeg har søkt om byggetillatelse, hva skjer?"))
    html = _client(world.editor).get(
        reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    )
    select = _kind_select(html.content.decode())
    options = re.findall(r"<option ([^>]*)>", select)
    assert options[0].startswith('value=""'), options
    assert [o for o in options if "selected" in o] in ([], [options[0]]), options
    assert re.search(r"<select [^>]*\brequired\b", select), select
    assert {re.search(r'value="([^"]*)"', o).group(1) for o in options} == {
        "",
        "formal",
        "political",
    }


def _sent_kind(select: str) -> str:
    """What a browser sends for the select left untouched: its selected option, or else
    its first (HTML, «the select element»'s selectedness setting algorithm)."""
    options = re.findall(r"<option ([^>]*)>", select)
    chosen = next((o for o in options if re.search(r"\bselected\b", o)), options[0])
    return re.search(r'value="([^"]*)"', chosen).group(1)


def test_refer_posted_without_a_kind_journals_nothing(world):
    """AR-1, AR-3: «Henvis» with only a note (the kind as the browser sends it untouched,
    or none at all) makes no referral and no archive record, and says to choose where."""
    item = ingest(world.channel, comment("c1", "Jeg har søkt om byggetillatelse, hva skjer?"))
    editor = _client(world.editor)
    page = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    url = reverse("inbox:refer", args=[world.municipality.slug, item.pk])
    html = editor.get(page).content.decode()
    key = key_of(html, url)
    untouched = _sent_kind(_kind_select(html))
    records = ArchiveRecord.objects.count()
    for kind in ({"kind": untouched}, {}):
        response = editor.post(
            url, {**kind, "target": "", "note": "Byggesak", "intent_key": key}, follow=True
        )
        assert response.status_code in (200, 400)
        assert "Velg hvor saken skal henvises." in response.content.decode()
        assert "Henvisningen er registrert." not in response.content.decode()
    assert not Referral.objects.filter(item=item).exists()
    assert ArchiveRecord.objects.count() == records
    assert not ArchiveRecord.objects.filter(kind="journal_inbound").exists()
    assert not item.events.filter(action__startswith="refer_").exists()
    # Chosen, it refers (and a formal one is journaled) as before.
    response = editor.post(
        url, {"kind": "formal", "note": "Byggesak", "intent_key": key}, follow=True
    )
    assert "Henvisningen er registrert." in response.content.decode()
    assert Referral.objects.filter(item=item, kind="formal").count() == 1
    assert ArchiveRecord.objects.filter(kind="journal_inbound").count() == 1


def test_an_outsider_cannot_refer(world):
    """The refer post stays behind the municipality's access check (404 for another's)."""
    from tests.inbox.conftest import make_world

    item = ingest(world.channel, comment("c1"))
    other = make_world("utby")
    url = reverse("inbox:refer", args=[world.municipality.slug, item.pk])
    response = _client(other.editor).post(url, {"kind": "formal", "note": "x"})
    assert response.status_code in (403, 404)
    assert not Referral.objects.exists()
