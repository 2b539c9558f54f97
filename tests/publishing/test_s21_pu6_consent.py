"""PU-6 (block, Indre Fosen and Midt-Telemark): a photo of recognisable people with no
consent at all is refused, also when "children" is left unanswered. Before, the children
question (a warn) stood in for the whole check, and an override reason sent the photo
out; the composer had no children field, so an upload from it always took that path.
The composer now asks it (`upload_children`, nothing preselected)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.policy import Draft, Media, check, load_policy
from ordstyrer.publishing.media import consent_record
from ordstyrer.publishing.models import MediaAsset, Post, PostStatus
from ordstyrer.publishing.services import PostRefused, post_publish
from tests.publishing.conftest import make_world, png, upload

TEXT = "Biblioteket har fått nye lesestoler. Kom innom og prøv dem i ukene som kommer!"
PU6_PRESETS = ("indre-fosen", "midt-telemark")
OTHER_PRESETS = ("birkenes", "gausdal", "rennebu")
NO_CONSENT = "bildet viser gjenkjennbare personer uten samtykke"
CHILDREN_Q = "Er det barn på bildet?"
REASON = "Avklart med kommunikasjon."


def _photo(**facts) -> Draft:
    media = Media(
        type="image",
        alt="Lånere i de nye lesestolene",
        people="recognisable",
        photographer_consent=True,
        **facts,
    )
    return Draft(TEXT, media=(media,))


def _pu6(draft: Draft, preset_id: str) -> list[str]:
    return sorted(f.severity for f in check(draft, load_policy(preset_id)) if f.rule == "PU-6")


# ------------------------------------------------------------------ the library


@pytest.mark.parametrize("preset_id", PU6_PRESETS)
@pytest.mark.parametrize(
    ("name", "facts", "expected"),
    [
        # The defect: consent=False with children unanswered was only the question.
        ("no consent, children unanswered", {"consent": False}, ["block", "warn"]),
        ("no consent, no children", {"consent": False, "children": False}, ["block"]),
        ("consent, children unanswered", {"consent": True}, ["warn"]),
        ("nothing stated beyond people", {}, ["warn", "warn"]),
        ("consent, no children", {"consent": True, "children": False}, []),
    ],
)
def test_pu6_no_consent_blocks_whatever_children_says(preset_id, name, facts, expected):
    assert _pu6(_photo(**facts), preset_id) == expected, name


def test_pu6_the_block_says_no_consent_and_the_question_stays():
    findings = check(_photo(consent=False), load_policy("indre-fosen"))
    pu6 = {f.severity: f for f in findings if f.rule == "PU-6"}
    assert NO_CONSENT in pu6["block"].message_nb
    assert CHILDREN_Q in pu6["warn"].message_nb


@pytest.mark.parametrize("preset_id", OTHER_PRESETS)
def test_pu6_is_still_off_where_the_preset_lacks_it(preset_id):
    assert _pu6(_photo(consent=False), preset_id) == []
    assert _pu6(_photo(), preset_id) == []


# ------------------------------------------------------------------ the composer


def _compose(client, w, **fields):
    data = {
        "channels": [w.page.pk],
        "text": TEXT,
        "upload": upload(content=png(11)),
        "upload_alt": "Lånere i de nye lesestolene",
        "upload_people": "recognisable",
        "upload_photographer_permission": "yes",
        "action": "publish",
        **fields,
    }
    data["upload"].name = "lesestoler.png"
    return client.post(reverse("publishing:compose", args=[w.municipality.slug]), data)


def _confirm_url(w, post) -> str:
    return reverse("publishing:confirm", args=[w.municipality.slug, post.pk])


def _shown(page: str) -> str:
    found = re.search(r'name="shown" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _drafted(client, w, **fields) -> tuple[Post, MediaAsset]:
    response = _compose(client, w, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.filter(municipality=w.municipality).latest("pk")
    assert response["Location"] == _confirm_url(w, post)
    return post, post.attachments.get().asset


def test_the_composer_asks_about_children_with_nothing_preselected(client, db):
    w = make_world()
    client.force_login(w.editor)
    page = client.get(reverse("publishing:compose", args=[w.municipality.slug])).content.decode()
    select = re.search(r'<select name="upload_children".*?</select>', page, re.S)
    assert select is not None
    options = dict(re.findall(r'<option value="([^"]*)"([^>]*)>', select.group()))
    assert set(options) == {"", "yes", "no"}
    assert "selected" not in options["yes"] and "selected" not in options["no"]
    assert "Barn på bildet du laster opp (PU-6)" in page


@pytest.mark.parametrize(("answer", "stored"), [("", None), ("yes", True), ("no", False)])
def test_the_composer_stores_the_children_answer(client, db, answer, stored):
    w = make_world()
    client.force_login(w.editor)
    _post, asset = _drafted(client, w, upload_children=answer)
    assert asset.children is stored


@pytest.mark.parametrize("children", ["", "no"])
def test_an_upload_of_people_with_no_consent_is_refused_over_an_override(client, db, children):
    """Indre Fosen, «Nytt innlegg»: a photo with recognisable people and nobody
    registered. The confirmation says it cannot go, and an override reason forced
    through the form sends nothing."""
    w = make_world()
    client.force_login(w.editor)
    post, _asset = _drafted(client, w, upload_children=children)

    page = client.get(_confirm_url(w, post)).content.decode()
    assert NO_CONSENT in page
    assert "Innlegget kan ikke publiseres før det som stopper er rettet." in page

    sent = client.post(
        _confirm_url(w, post), {"confirm": "on", "override_reason": REASON, "shown": ""}
    )
    assert sent.status_code == 200
    body = sent.content.decode()
    assert "Innlegget kan ikke publiseres før det som stopper er rettet." in body
    assert "Vedlegg 1: " + NO_CONSENT in body
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT

    # The service behind it: a block finding is never overridden (PU-6).
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)
    assert refused.value.rule == "PU-6"
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT


def test_the_same_upload_with_consent_registered_is_published(client, db):
    w = make_world()
    client.force_login(w.editor)
    post, asset = _drafted(client, w)
    consent_record(
        actor=w.editor,
        asset_id=asset.pk,
        person_name="Kari Nordmann",
        given_by="Kari Nordmann",
        given_at=timezone.localdate(),
    )
    page = client.get(_confirm_url(w, post)).content.decode()
    assert NO_CONSENT not in page
    sent = client.post(
        _confirm_url(w, post), {"confirm": "on", "override_reason": REASON, "shown": _shown(page)}
    )
    assert sent.status_code == 302
    assert Post.objects.get(pk=post.pk).status != PostStatus.DRAFT


def test_children_said_yes_in_the_composer_needs_the_signed_form(client, db):
    w = make_world()
    client.force_login(w.editor)
    post, _asset = _drafted(client, w, upload_children="yes")
    page = client.get(_confirm_url(w, post)).content.decode()
    assert "det finnes ikke signert samtykkeskjema" in page
    with pytest.raises(PostRefused):
        post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)


@pytest.mark.parametrize("preset", OTHER_PRESETS)
def test_without_pu6_the_same_upload_goes_out(client, db, preset):
    """Birkenes, Gausdal, Rennebu: PU-6 is not in their guideline; nothing changes."""
    w = make_world(slug=f"pu6-{preset}", preset=preset)
    client.force_login(w.editor)
    post, _asset = _drafted(client, w)
    page = client.get(_confirm_url(w, post)).content.decode()
    assert NO_CONSENT not in page and CHILDREN_Q not in page
    sent = client.post(
        _confirm_url(w, post), {"confirm": "on", "override_reason": REASON, "shown": _shown(page)}
    )
    assert sent.status_code == 302
    assert Post.objects.get(pk=post.pk).status != PostStatus.DRAFT


def test_a_user_of_another_municipality_cannot_use_the_composer(client, db):
    w = make_world()
    client.force_login(w.p.outsider)
    response = _compose(client, w)
    assert response.status_code in (403, 404)
    assert not MediaAsset.objects.filter(municipality=w.municipality).exists()
