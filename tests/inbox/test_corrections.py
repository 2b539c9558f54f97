"""Editors' corrections of the triage categories (issue #16, item 4): they take effect at
once under the municipality's own policy (MO-1 grounds, DI-7/DI-8 actions), are logged,
are idempotent, and come out as labelled rows the training commands read."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.inbox.corrections import corrections_rows, item_correct_categories
from ordstyrer.inbox.forms import HATE_GROUND_CHOICES
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.services import items_bulk
from ordstyrer.language.classify import HATE_GROUNDS
from ordstyrer.language.train.comments import load_jsonl
from tests.inbox.conftest import TUESDAY, comment, ingest, make_world

QUESTION = "Når åpner svømmehallen igjen etter ferien?"


def _item(world, cid: str = "k1", text: str = QUESTION, **kw) -> InboxItem:
    item = ingest(world.channel, comment(cid, text, **kw))
    assert item is not None
    return item


def _events(item: InboxItem) -> list:
    return list(item.events.filter(action="categories"))


def test_a_correction_changes_category_action_and_timeline(world) -> None:
    item = _item(world)
    assert item.category == "question" and item.action == "answer"
    item = item_correct_categories(actor=world.editor, item=item, labels=["complaint"])
    item.refresh_from_db()
    assert item.categories == ["complaint"]
    assert item.category == "complaint"
    assert item.action == "acknowledge"  # DI-2: a complaint is acknowledged
    assert item.triage["action_text"].startswith("Bekreft mottak")
    assert item.triage["scores"]["question"] > 0.5  # the model's reading stays on record
    (event,) = _events(item)
    assert event.actor == world.editor
    assert event.data["from"] == ["question"] and event.data["to"] == ["complaint"]
    assert event.categories_text == "Klage"


def test_case_processing_is_referred_to_the_formal_channel(world) -> None:
    item = item_correct_categories(
        actor=world.editor, item=_item(world), labels=["question", "case_processing"]
    )
    assert item.action == "refer_formal"  # DI-7
    assert item.categories == ["question", "case_processing"]
    assert any(f["rule"] == "DI-7" for f in item.triage["findings"])


@pytest.mark.parametrize(
    ("preset", "action", "grounds"),
    [
        # Indre Fosen lists hate speech as a deletion ground: an editor's reading is not a
        # guess, so an editor may delete after archiving (MO-1, MO-2).
        ("indre-fosen", "delete_allowed", ["hate_speech"]),
        # Gausdal lists no deletion grounds: harmful comments are escalated.
        ("gausdal", "escalate", []),
    ],
)
def test_hate_speech_follows_the_municipalitys_own_grounds(db, preset, action, grounds) -> None:
    world = make_world(slug=f"k-{preset}", preset=preset)
    item = item_correct_categories(
        actor=world.editor, item=_item(world), labels=["hate_speech"], hate_ground="religion"
    )
    assert item.action == action
    assert item.triage["grounds"] == grounds
    assert item.triage["hate_ground"] == "religion"


def test_the_same_correction_twice_is_one(world) -> None:
    item = _item(world)
    for _ in range(2):
        item_correct_categories(actor=world.editor, item=item, labels=["praise"])
    assert len(_events(item)) == 1
    # Saving the model's reading unchanged confirms it: once, and it is a label too.
    other = _item(world, "k2")
    for _ in range(2):
        item_correct_categories(actor=world.editor, item=other, labels=["question"])
    (confirmed,) = _events(other)
    assert confirmed.data["from"] == confirmed.data["to"] == ["question"]
    # The author edits the text: the same reading of the new text is a new label.
    ingest(
        world.channel,
        comment("k2", QUESTION + " Og hvor lenge er den åpen?", edited=True),
        at=TUESDAY + timedelta(hours=1),
    )
    item_correct_categories(actor=world.editor, item=other, labels=["question"])
    assert len(_events(other)) == 2


@pytest.mark.parametrize(
    ("labels", "ground", "message"),
    [
        ([], "", "Velg minst én kategori."),
        (["complaint", "nonsense"], "", "Ukjent kategori."),
        (["complaint"], "religion", "straffeloven § 185"),
        (["hate_speech"], "weather", "Ukjent grunnlag"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(world, labels, ground, message) -> None:
    item = _item(world)
    with pytest.raises(ServiceError, match=message):
        item_correct_categories(actor=world.editor, item=item, labels=labels, hate_ground=ground)
    item.refresh_from_db()
    assert item.categories == ["question"] and _events(item) == []


def test_only_those_who_work_on_the_channel_may_correct(world) -> None:
    item = _item(world)
    with pytest.raises(NotPermitted):
        item_correct_categories(actor=world.other_editor, item=item, labels=["complaint"])
    assert _events(item) == []


def test_an_item_without_text_cannot_be_corrected(world) -> None:
    item = ingest(world.channel, comment("gone", "", removed=True))
    assert item is not None
    with pytest.raises(ServiceError, match="ingen tekst"):
        item_correct_categories(actor=world.editor, item=item, labels=["neutral"])


def test_rows_for_training(world, tmp_path) -> None:
    fnr = "Hjelp meg med sosialhjelp, fnr 01010750160, jeg har ventet i tre uker"
    a = item_correct_categories(
        actor=world.editor, item=_item(world, "a", fnr), labels=["case_processing"]
    )
    b = _item(world, "b", "Dere er helt ubrukelige alle sammen", post="post-2")
    item_correct_categories(actor=world.editor, item=b, labels=["complaint"])
    item_correct_categories(actor=world.editor, item=b, labels=["harassment", "complaint"])
    edited = item_correct_categories(
        actor=world.editor, item=_item(world, "c", "Flott jobba!"), labels=["praise"]
    )
    _item(world, "d", "Ingen har rettet denne")
    # The author edits "c" after the correction: its labels were for the old text.
    ingest(
        world.channel,
        comment("c", "Flott jobba! Men hvorfor stengte dere biblioteket?", edited=True),
        at=TUESDAY + timedelta(days=1),
    )
    # Another municipality's corrections stay its own.
    elsewhere = make_world(slug="annenby")
    item_correct_categories(
        actor=elsewhere.editor, item=_item(elsewhere, "x"), labels=["complaint"]
    )

    rows = {row["id"]: row for row in corrections_rows(world.municipality)}
    slug = world.municipality.slug
    assert set(rows) == {f"{slug}-{a.pk}", f"{slug}-{b.pk}"}
    assert f"{slug}-{edited.pk}" not in rows
    first = rows[f"{slug}-{a.pk}"]
    assert "01010750160" not in first["text"] and "******50160" in first["text"]  # PU-1
    assert first["labels"] == ["case_processing"]
    assert first["source"] == "correction" and first["municipality"] == slug
    # The latest correction counts; categories in the model's order.
    assert rows[f"{slug}-{b.pk}"]["labels"] == ["complaint", "harassment"]
    assert first["group"] != rows[f"{slug}-{b.pk}"]["group"]  # two posts, two groups
    assert not any("Kari" in json.dumps(row) for row in rows.values())  # no author

    out = tmp_path / "rettelser.jsonl"
    said = io.StringIO()
    call_command("corrections_export", municipality=slug, out=out, stderr=said)
    assert said.getvalue().strip() == "2 rettelser fra Innby kommune skrevet."
    loaded = load_jsonl(out)  # what `train.comments --corrections` reads
    assert {r["id"] for r in loaded} == set(rows)
    assert out.stat().st_mode & 0o077 == 0


def test_the_export_command_refuses_with_one_line(world, tmp_path) -> None:
    with pytest.raises(CommandError, match="Fant ingen kommune"):
        call_command("corrections_export", municipality="finnes-ikke")
    with pytest.raises(CommandError, match="Mappen finnes ikke"):
        call_command("corrections_export", municipality="innby", out=tmp_path / "x" / "y.jsonl")


def test_the_forms_grounds_are_the_language_librarys() -> None:
    assert tuple(code for code, _ in HATE_GROUND_CHOICES if code) == HATE_GROUNDS


def test_a_wave_of_scams_is_marked_spam_in_one_go(world) -> None:
    scams = [
        _item(world, f"s{i}", f"Gratulerer! Du er trukket ut som vinner nr {i}, klikk lenken")
        for i in range(3)
    ]
    theirs = ingest(world.other_channel, comment("s9", "Gratulerer, du har vunnet!"))
    ids = [s.pk for s in scams] + [theirs.pk]
    result = items_bulk(
        actor=world.editor,
        municipality=world.municipality,
        item_ids=ids,
        action="spam",
        intent_key="k" * 32,
    )
    assert sorted(result.done) == sorted(s.pk for s in scams)
    assert list(result.refused) == [theirs.pk]  # not the editor's channel (CH-3)
    for scam in scams:
        scam.refresh_from_db()
        assert scam.categories == ["spam"] and len(_events(scam)) == 1
    # The same form again (a double click): the first result, nothing done twice.
    again = items_bulk(
        actor=world.editor,
        municipality=world.municipality,
        item_ids=ids,
        action="spam",
        intent_key="k" * 32,
    )
    assert again.done == result.done
    assert all(len(_events(scam)) == 1 for scam in scams)


# The item page.


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_item_page_corrects_and_says_so(world) -> None:
    item = _item(world)
    client = _client(world.editor)
    page = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    html = client.get(page).content.decode()
    assert 'id="kategori"' in html
    assert 'value="question" id="categories_labels_0" checked' in html  # as it stands
    response = client.post(f"{page}kategori/", {"labels": ["complaint", "political"]})
    assert response.status_code == 302 and response["Location"].endswith("#kategori")
    after = client.get(page).content.decode()
    assert "Kategoriene er lagret" in after
    assert "Kategori rettet – Klage, Politisk henvendelse" in after
    item.refresh_from_db()
    assert item.categories == ["complaint", "political"]
    # Twice (a double click): one correction.
    client.post(f"{page}kategori/", {"labels": ["complaint", "political"]})
    assert len(_events(item)) == 1


def test_the_item_page_refuses_an_empty_choice_in_norwegian(world) -> None:
    """The error inside the panel, which stays open with what the editor chose (QA: at
    the top of the page it was out of sight, and the panel showed the saved state)."""
    item = item_correct_categories(
        actor=world.editor, item=_item(world), labels=["hate_speech"], hate_ground="religion"
    )
    client = _client(world.editor)
    page = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    response = client.post(f"{page}kategori/", {"hate_ground": "disability"})
    assert response.status_code == 400
    html = response.content.decode()
    panel = html[html.index('class="categories-fix"') :]
    assert panel.startswith('class="categories-fix" open')
    assert 'role="alert" id="categories-errors"><p>Velg minst én kategori.</p>' in panel
    assert 'value="hate_speech" id="categories_labels_8" checked' not in panel
    assert '<option value="disability" selected>' in panel  # as posted, not as saved
    item.refresh_from_db()
    assert item.categories == ["hate_speech"]


def test_unticking_hate_speech_drops_its_ground(world) -> None:
    """QA: the panel reopens with the editor's § 185 ground; moving the comment to another
    category must not need the ground cleared by hand first."""
    item = item_correct_categories(
        actor=world.editor, item=_item(world), labels=["hate_speech"], hate_ground="religion"
    )
    page = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    client = _client(world.editor)
    assert '<option value="religion" selected>' in client.get(page).content.decode()
    response = client.post(f"{page}kategori/", {"labels": ["complaint"], "hate_ground": "religion"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.categories == ["complaint"] and item.triage["hate_ground"] is None


def test_only_workers_see_and_post_the_form(world) -> None:
    item = _item(world)
    page = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    # The chief administrator reads every inbox (CH-4) but does not work in it.
    chief = _client(world.p.chief_administrator)
    assert 'id="kategori"' not in chief.get(page).content.decode()
    assert chief.post(f"{page}kategori/", {"labels": ["spam"]}).status_code == 403
    assert _client(world.other_editor).post(
        f"{page}kategori/", {"labels": ["spam"]}
    ).status_code in (403, 404)
    item.refresh_from_db()
    assert item.categories == ["question"]
