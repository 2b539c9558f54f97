"""QA findings on the item page's panel forms (note, refer, escalate): a text past its
length or with a NUL character showed one fixed sentence ("Notatet er tomt.") and lost
the text; notes made only of zero-width characters were stored as if they said
something. Now the field's own error, the page again with the text as typed, nothing
stored; an empty field still says its one sentence."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from ordstyrer.inbox.forms import EscalateForm, NoteForm
from ordstyrer.inbox.models import InboxItem, Referral
from tests.inbox.conftest import comment, ingest

ZERO_WIDTH = "\u200b\u200d\ufeff"


@pytest.fixture
def page(world):
    item = ingest(world.channel, comment("c1", "Når kommer brøytebilen?"))
    client = Client()
    client.force_login(world.editor)
    return client, item, f"/m/{world.municipality.slug}/innboks/{item.pk}/"


def events(item: InboxItem) -> list[str]:
    return list(item.events.values_list("action", flat=True))


@pytest.mark.parametrize(
    ("suffix", "data", "field", "error"),
    [
        ("notat/", {"text": "x" * 100_000}, "text", "5000 eller færre tegn"),
        ("notat/", {"text": "Ring\x00 tilbake"}, "text", "Null-tegn er ikke tillatt"),
        (
            "henvis/",
            {"kind": "political", "target": "k" * 100_000},
            "target",
            "255 eller færre tegn",
        ),
        ("eskaler/", {"note": "m" * 100_000}, "note", "5000 eller færre tegn"),
    ],
    ids=["long-note", "nul-note", "long-target", "long-escalation"],
)
def test_a_bad_text_shows_its_own_error_and_is_kept(world, page, suffix, data, field, error):
    client, item, detail = page
    before = events(item)
    response = client.post(f"{detail}{suffix}", data)
    assert response.status_code == 400
    html = response.content.decode()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(said) == 1 and error in said[0]  # on top of the page, with the field's label
    assert "Notatet er tomt." not in html and "Velg hvor saken skal henvises." not in html
    form_key = {"notat/": "note_form", "henvis/": "refer_form", "eskaler/": "escalate_form"}
    form = response.context[form_key[suffix]]
    assert error in " ".join(form.errors[field])  # and at the field
    assert 'class="field-error"' in html
    kept = data[field].split("\x00")[-1][:50]
    assert kept in html  # the text as typed, to shorten or fix
    assert events(item) == before
    assert not Referral.objects.filter(item=item).exists()


def test_an_empty_note_still_says_its_sentence_and_goes_back(world, page):
    client, item, detail = page
    for text in ("  ", ZERO_WIDTH):
        response = client.post(f"{detail}notat/", {"text": text})
        assert response.status_code == 302 and response["Location"] == f"{detail}#logg"
        said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
        assert said == [("error", "Notatet er tomt.")]
        client.get(response["Location"])
    assert "note" not in events(item)


def test_an_escalation_of_zero_width_characters_is_missing(world, page):
    client, item, detail = page
    response = client.post(f"{detail}eskaler/", {"note": ZERO_WIDTH})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["Skriv kort hvorfor saken kan være omdømmekritisk."]
    item.refresh_from_db()
    assert item.escalated_at is None


def test_the_forms_keep_visible_text_as_written():
    note = NoteForm({"text": f"{ZERO_WIDTH}Ring tilbake"})
    assert note.is_valid() and note.cleaned_data["text"] == f"{ZERO_WIDTH}Ring tilbake"
    assert not EscalateForm({"note": "\u2060\u00ad "}).is_valid()
