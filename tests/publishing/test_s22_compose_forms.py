"""The composer and the media register's page as forms a person fills in and sends.

- A page writes only what the person changed on it (PU-4, PU-6): it carries the value
  each register field showed, and a field left as shown never overwrites what another
  person wrote in the shared register since; a field both changed is refused, with the
  register's value now.
- A file uploaded with the composer is stored with the post or not at all: a refused
  post leaves no file in the register (PU-6: a child's photo linked to no post), and a
  double click on «Lagre» gives one draft and one file (`core.intents`).
- An alt text with a NUL character is the form's error, never a 500 on PostgreSQL.
- A calendar week outside 1900–2100 is this week, never an overflow (as `core.reports`).
- A publishing confirmation whose `shown` is not ASCII is a changed post, never a 500.
"""

from __future__ import annotations

import re
import threading
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.publishing import media, services
from ordstyrer.publishing.models import MediaAsset, People, Post, PostStatus
from tests.publishing.conftest import make_world, png

BETTER_ALT = "Ordføreren klipper snoren foran den nye skolen"


class _Forms(HTMLParser):
    """The page's forms as a browser sends them: each form's (name, value) pairs, without
    file inputs and buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("file", "submit", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _s in self._options[:1]
            ]
            for value in chosen:
                self.forms[-1].append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A textarea's first line break is not its content (HTML).
            self.forms[-1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_data(response: Any, *, having: str) -> dict[str, Any]:
    """What the browser sends from the page's form with a field named `having`, as the
    test client takes it."""
    parser = _Forms()
    parser.feed(response.content.decode())
    form = next(f for f in parser.forms if any(name == having for name, _v in f))
    data: dict[str, Any] = {}
    for name, value in form:
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


def url(w: Any, name: str, *args: Any) -> str:
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def page_text(response: Any) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def editor(client, world):
    client.force_login(world.editor)
    return client


@pytest.fixture
def draft(world):
    """A draft with a file whose register alt text is a placeholder."""
    asset = media.media_upload(
        actor=world.editor,
        municipality=world.municipality,
        filename="snor.png",
        content=png(),
        alt_text="Bilde",
    )
    post = services.post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Den nye skolen er åpnet.",
        media_ids=[asset.pk],
    )
    return post, asset


# --------------------------------------------------------------- the composer (PU-4)


def test_a_stale_composer_leaves_the_alt_text_written_in_the_register_since(editor, world, draft):
    """The editor's page showed «Bilde»; communications writes a proper alt text in the
    register meanwhile; the editor saves the text without touching the alt text: the
    register keeps what communications wrote, for every post using the file (PU-4)."""
    post, asset = draft
    data = form_data(editor.get(url(world, "edit", post.pk)), having="text")
    assert data[f"alt_{asset.pk}"] == "Bilde"
    media.media_update(actor=world.p.communications, asset_id=asset.pk, alt_text=BETTER_ALT)

    data["text"] = "Den nye skolen er åpnet i dag."
    response = editor.post(url(world, "edit", post.pk), data)

    assert response.status_code == 302
    asset.refresh_from_db()
    post.refresh_from_db()
    assert asset.alt_text == BETTER_ALT
    assert post.text == "Den nye skolen er åpnet i dag."


def test_an_alt_text_changed_on_the_composer_is_written(editor, world, draft):
    post, asset = draft
    data = form_data(editor.get(url(world, "edit", post.pk)), having="text")
    data[f"alt_{asset.pk}"] = "Ordføreren klipper snoren"

    assert editor.post(url(world, "edit", post.pk), data).status_code == 302
    asset.refresh_from_db()
    assert asset.alt_text == "Ordføreren klipper snoren"


def test_an_alt_text_both_changed_is_refused_with_the_registers_value(editor, world, draft):
    """Changed on the page and in the register since it was shown: nothing is saved, the
    page says what the register holds now, and sending it again (now seen) writes it."""
    post, asset = draft
    data = form_data(editor.get(url(world, "edit", post.pk)), having="text")
    media.media_update(actor=world.p.communications, asset_id=asset.pk, alt_text=BETTER_ALT)
    data[f"alt_{asset.pk}"] = "Snorklipping"
    data["text"] = "Den nye skolen er åpnet i dag."

    response = editor.post(url(world, "edit", post.pk), data)

    assert response.status_code == 200
    said = page_text(response)
    assert "endret i registeret" in said and BETTER_ALT in said
    asset.refresh_from_db()
    post.refresh_from_db()
    assert asset.alt_text == BETTER_ALT
    assert post.text == "Den nye skolen er åpnet."  # nothing saved
    again = form_data(response, having="text")
    assert again[f"alt_{asset.pk}"] == "Snorklipping"  # what the person typed, kept
    assert editor.post(url(world, "edit", post.pk), again).status_code == 302
    asset.refresh_from_db()
    assert asset.alt_text == "Snorklipping"


def test_an_alt_text_left_alone_shows_the_register_after_a_refusal(editor, world, draft):
    """Refused for another reason (a time passed), the page shows the register's alt text
    as it is now: sent again, it does not write back the one shown before."""
    post, asset = draft
    data = form_data(editor.get(url(world, "edit", post.pk)), having="text")
    media.media_update(actor=world.p.communications, asset_id=asset.pk, alt_text=BETTER_ALT)
    data["publish_at"] = "2020-01-01T10:00"

    response = editor.post(url(world, "edit", post.pk), data)
    assert response.status_code == 200
    again = form_data(response, having="text")
    assert again[f"alt_{asset.pk}"] == BETTER_ALT
    again["publish_at"] = ""
    assert editor.post(url(world, "edit", post.pk), again).status_code == 302
    asset.refresh_from_db()
    assert asset.alt_text == BETTER_ALT


def test_a_nul_character_in_an_alt_text_is_the_forms_error(editor, world):
    """A 500 on PostgreSQL before (the text went to the database as it was posted)."""
    asset = media.media_upload(
        actor=world.editor, municipality=world.municipality, filename="a.png", content=png()
    )
    data = form_data(editor.get(url(world, "compose")), having="text")
    data.update(channels=[world.page.pk], text="Hei", media=[asset.pk])
    data[f"alt_{asset.pk}"] = "Et bilde\x00"

    response = editor.post(url(world, "compose"), data)

    assert response.status_code == 200
    assert "Null-tegn er ikke tillatt." in page_text(response)
    assert not Post.objects.exists()
    asset.refresh_from_db()
    assert asset.alt_text == ""


# ------------------------------------------------------- an upload with the composer


def composer_data(editor: Any, world: Any, **fields: Any) -> dict[str, Any]:
    data = form_data(editor.get(url(world, "compose")), having="text")
    data.update(
        channels=[world.page.pk],
        text="Her er bildet fra 17. mai.",
        upload=SimpleUploadedFile("barn.png", png(7), content_type="image/png"),
        upload_alt="Barn i tog",
        upload_children="yes",
    )
    data.update(fields)
    return data


def test_a_refused_post_stores_no_upload(editor, world):
    """PU-6: the child's photo of a refused post is not left in the register, linked to
    no post and not shown on the form; the form asks for the file again."""
    response = editor.post(
        url(world, "compose"), composer_data(editor, world, publish_at="2020-01-01T10:00")
    )

    assert response.status_code == 200
    said = page_text(response)
    assert "Tidspunktet for publisering har passert." in said
    assert "Filen er ikke lagret" in said
    assert not Post.objects.exists()
    assert not MediaAsset.objects.exists()


def test_an_upload_is_stored_with_its_post(editor, world):
    response = editor.post(url(world, "compose"), composer_data(editor, world))

    assert response.status_code == 302
    post = Post.objects.get()
    asset = MediaAsset.objects.get()
    assert [pm.asset_id for pm in post.attachments.all()] == [asset.pk]
    assert asset.alt_text == "Barn i tog" and asset.children is True


def test_a_double_submitted_composer_saves_one_draft_and_one_file(editor, world):
    """The same form sent twice (a double click on «Lagre», Back and send again): one
    draft, one copy of the file; the second send lands on the first draft."""
    data = composer_data(editor, world)
    assert data.get("intent_key")
    first = editor.post(url(world, "compose"), data)
    data["upload"] = SimpleUploadedFile("barn.png", png(7), content_type="image/png")
    second = editor.post(url(world, "compose"), data)

    post = Post.objects.get()
    assert MediaAsset.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url(world, "edit", post.pk)


def test_a_twin_past_the_check_meets_the_first_draft_at_the_insert(editor, world, monkeypatch):
    """Both sends of a double click look for the form's draft before either creates
    it: the second meets the first at the insert (publishing_one_post_per_intent) and
    lands on it, its own copy of the file undone, never a 500."""
    real, looked = services._intent_post, []

    def as_if_both_checked_first(municipality: Any, intent_key: str) -> Any:
        looked.append(intent_key)
        return None if len(looked) <= 2 else real(municipality, intent_key)

    monkeypatch.setattr(services, "_intent_post", as_if_both_checked_first)
    data = composer_data(editor, world)
    first = editor.post(url(world, "compose"), data)
    data["upload"] = SimpleUploadedFile("barn.png", png(7), content_type="image/png")
    second = editor.post(url(world, "compose"), data)

    assert len(looked) == 3  # the second send's check, then after the refused insert
    post = Post.objects.get()
    assert MediaAsset.objects.count() == 1
    assert first["Location"] == second["Location"] == url(world, "edit", post.pk)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_moment_saves_one_draft_and_one_file():
    """On PostgreSQL, two threads send the same composer form at once, both past the
    check: one draft, one file, both land on it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")
    world = make_world("dobbeltlagre")
    client = Client()
    client.force_login(world.editor)
    data = composer_data(client, world)
    barrier, local = threading.Barrier(2), threading.local()
    real = services._intent_post

    def both_checked_first(municipality: Any, intent_key: str) -> Any:
        found = real(municipality, intent_key)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait(timeout=20)
        return found

    services_patch = pytest.MonkeyPatch()
    services_patch.setattr(services, "_intent_post", both_checked_first)
    landed: list[Any] = []

    def send() -> None:
        try:
            own = Client()
            own.force_login(world.editor)
            sent = dict(data, upload=SimpleUploadedFile("barn.png", png(7), "image/png"))
            response = own.post(url(world, "compose"), sent)
            landed.append((response.status_code, response.get("Location")))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        services_patch.undo()
    post = Post.objects.get()
    assert MediaAsset.objects.count() == 1
    assert landed == [(302, url(world, "edit", post.pk))] * 2


def test_two_composer_pages_save_two_drafts(editor, world):
    """Each page its own intent: two posts written on two pages are two drafts."""
    editor.post(url(world, "compose"), composer_data(editor, world, text="Første"))
    editor.post(url(world, "compose"), composer_data(editor, world, text="Andre"))
    assert sorted(Post.objects.values_list("text", flat=True)) == ["Andre", "Første"]


# ----------------------------------------------------- the register's page (PU-6)


def consented(world: Any, asset: MediaAsset) -> None:
    media.consent_record(
        actor=world.p.communications,
        asset_id=asset.pk,
        person_name="Ola (7)",
        given_by="Kari, mor",
        given_at=timezone.localdate(),
        is_child=True,
        form_name="skjema.pdf",
        form_content=b"%PDF-1.4 signert",
    )


def test_a_stale_register_page_keeps_the_facts_a_consent_recorded(editor, world):
    """The page was opened before communications recorded a child's consent; the editor
    writes the alt text and saves: the consent's facts (recognisable, a child) stay, so
    PU-6 still asks for the signed form, and the alt text is written."""
    asset = media.media_upload(
        actor=world.editor, municipality=world.municipality, filename="barn.png", content=png()
    )
    data = form_data(editor.get(url(world, "media_detail", asset.pk)), having="alt_text")
    assert data["people"] == "" and data["children"] == ""
    consented(world, asset)
    asset.refresh_from_db()
    assert (asset.people, asset.children) == (People.RECOGNISABLE, True)

    data.update(alt_text="Barn på skoletur", photographer="Per")
    response = editor.post(url(world, "media_detail", asset.pk), data)

    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.people, asset.children) == (People.RECOGNISABLE, True)
    assert (asset.alt_text, asset.photographer) == ("Barn på skoletur", "Per")


def test_a_register_fact_both_changed_is_refused(editor, world):
    asset = media.media_upload(
        actor=world.editor, municipality=world.municipality, filename="barn.png", content=png()
    )
    data = form_data(editor.get(url(world, "media_detail", asset.pk)), having="alt_text")
    consented(world, asset)
    data.update(people=People.NONE, alt_text="Skoletur")

    response = editor.post(url(world, "media_detail", asset.pk), data)

    assert response.status_code == 200
    said = page_text(response)
    assert "Ingenting er lagret" in said and "Gjenkjennbare personer" in said
    asset.refresh_from_db()
    assert (asset.people, asset.alt_text) == (People.RECOGNISABLE, "")
    again = form_data(response, having="alt_text")
    assert again["people"] == People.NONE and again["alt_text"] == "Skoletur"


def test_a_register_page_saves_what_was_changed(editor, world):
    asset = media.media_upload(
        actor=world.editor, municipality=world.municipality, filename="barn.png", content=png()
    )
    data = form_data(editor.get(url(world, "media_detail", asset.pk)), having="alt_text")
    data.update(people=People.NONE, children="no", photographer_permission="yes")
    assert editor.post(url(world, "media_detail", asset.pk), data).status_code == 302
    asset.refresh_from_db()
    assert (asset.people, asset.children, asset.photographer_permission) == (
        People.NONE,
        False,
        True,
    )


# ------------------------------------------------------------------ odd input


@pytest.mark.parametrize("week", ["0001-01-01", "0001-01-03", "9999-12-31", "1899-12-31"])
def test_a_calendar_week_out_of_range_is_this_week(editor, world, week):
    response = editor.get(url(world, "calendar"), {"uke": week})
    assert response.status_code == 200
    start = response.context["week"].start
    assert start <= timezone.localdate() < start + timezone.timedelta(days=7)


def test_a_calendar_week_at_the_range_edges_is_shown(editor, world):
    for week in ("1900-01-03", "2100-12-31"):
        response = editor.get(url(world, "calendar"), {"uke": week})
        assert response.status_code == 200
        assert response.context["week"].start.year in (1899, 1900, 2100)


def test_a_confirmation_shown_value_not_ascii_is_a_changed_post(editor, world):
    post = services.post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Biblioteket holder stengt fredag på grunn av vannlekkasje.",
    )
    response = editor.post(url(world, "confirm", post.pk), {"confirm": "on", "shown": "blåbær"})

    assert response.status_code == 200
    assert "Ingenting er sendt" in page_text(response)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
