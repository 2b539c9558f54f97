"""Consent withdrawal and take-down (PU-6), and the publishing forms' hostile input.

- A partly published post (one channel out, another failed) is offered for take-down
  after a withdrawal, and taken down where it is out.
- Withdrawing a consent is a deliberate act: a confirmation page that lists the posts
  using the file and what happens to each, nothing ticked; a replayed form does nothing.
- Ids and approval rounds typed by a hostile form never give a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.publishing.models import MediaAsset, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import png

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
HOSTILE_IDS = ["²", "٣", "99999999999999999999999", str(2**63), "0", "-1", "1e3", " 7"]


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _photo(w) -> MediaAsset:
    from ordstyrer.publishing.media import media_upload

    return media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="biblioteket.png",
        content=png(5),
        alt_text="Biblioteket sett utenfra",
    )


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize("field", ["channels", "media"])
def test_live_check_with_a_hostile_id_is_no_server_error(client, world, field, value):
    w = world
    client.force_login(w.editor)
    form = {"text": TEXT, "channels": [str(w.page.pk)], field: value}
    if field == "channels":
        form["channels"] = [str(w.page.pk), value]
    response = client.post(url(w, "check"), form)
    assert response.status_code == 200
    body = response.content.decode()
    if field == "media":
        # Not an id of this municipality's files: said as an unknown file.
        assert "Ukjent bilde eller video." in body
    else:
        # Not a channel: left out, as an unknown channel id is; the rest is checked.
        assert "Ukjent bilde eller video." not in body


@pytest.mark.parametrize("value", ["99999999999999999999999", str(2**63), "²"])
@pytest.mark.parametrize("field", ["channels", "media"])
def test_composer_with_a_hostile_id_is_a_form_error(client, world, field, value):
    w = world
    client.force_login(w.editor)
    form = {"text": TEXT, "channels": [str(w.page.pk)]}
    form[field] = [*form.get(field, []), value]
    response = client.post(url(w, "compose"), form)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [f'"{value}" er ikke en gyldig verdi.']
    assert not Post.objects.filter(municipality=w.municipality).exists()


def test_live_check_still_reads_real_ids(client, world):
    w = world
    client.force_login(w.editor)
    photo = _photo(w)
    response = client.post(
        url(w, "check"),
        {"text": TEXT, "channels": [str(w.page.pk)], "media": [str(photo.pk)]},
    )
    assert response.status_code == 200
    assert "Ukjent bilde eller video." not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", str(2**63), "0"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_hostile_approval_round_is_no_server_error_and_decides_nothing(
    client, world, action, value
):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.unit_leader)
    form = {"action": action, "round": value, "confirm": "yes", "reason": "Vent."}
    response = client.post(url(w, "decide", post.pk), form, follow=True)
    assert response.status_code == 200
    assert "Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen." in (
        response.content.decode()
    )
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL


def test_a_hostile_round_from_another_municipality_is_still_404(client, world):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.outsider)
    form = {"action": "approve", "round": "²", "confirm": "yes"}
    assert client.post(url(w, "decide", post.pk), form).status_code == 404
