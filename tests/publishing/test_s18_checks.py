"""Review s18: what the platform refuses is refused before sending (PU-4 alt text on every
preset), and PU-1 reads an image's alt text as well as the post's text."""

from __future__ import annotations

import pytest

from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import PostRefused, post_create, post_publish
from tests.publishing.conftest import make_world, png
from tests.publishing.test_services import CLEAN, FNR


def _photo(w, alt_text: str, seed: int = 5):
    photo = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="biblioteket.png",
        content=png(seed),
        alt_text=alt_text,
    )
    return media_update(
        actor=w.editor, asset_id=photo.pk, people="none", photographer_permission=True
    )


def _post(w, photo, text: str = CLEAN):
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=text,
        media_ids=[photo.pk],
    )


@pytest.mark.django_db
def test_image_without_alt_text_is_refused_where_the_preset_has_no_pu4():
    """PU-4: Gausdal's preset has no PU-4, but every platform refuses an image without a
    text alternative — the post is refused before sending, not failed after approval."""
    w = make_world("s18gausdal", "gausdal")
    post = _post(w, _photo(w, ""))
    block = [f for f in post.findings if f["severity"] == "block"]
    assert [f["rule"] for f in block] == ["channel"]
    assert "alternativ tekst" in block[0]["message_nb"] and block[0]["message_nn"]
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=w.editor, post_id=post.pk)
    assert refused.value.code == "blocked"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    # With alt text the same post goes out.
    fine = _post(w, _photo(w, "Bokhyller med nye bøker i biblioteket", seed=6))
    assert post_publish(actor=w.editor, post_id=fine.pk).status == PostStatus.PUBLISHING


@pytest.mark.django_db
def test_pu4_warning_override_cannot_send_an_image_without_alt_text():
    """PU-4 warns in Indre Fosen; a reason overrides the warning, never the platform's
    refusal: the post is blocked rather than approved and failed."""
    w = make_world("s18fosen", "indre-fosen")
    post = _post(w, _photo(w, "   "))
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=w.editor, post_id=post.pk, override_reason="Bildet er pynt.")
    assert refused.value.code == "blocked"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


@pytest.mark.django_db
def test_national_id_in_the_alt_text_blocks_pu1():
    """PU-1: the alt text goes to the platforms with the image (alt_text_custom /
    alt_text), so a national identity number in it blocks like one in the text."""
    w = make_world("s18alt", "indre-fosen")
    post = _post(w, _photo(w, FNR))
    [found] = [f for f in post.findings if f["rule"] == "PU-1"]
    assert found["severity"] == "block" and found["span"] is None
    assert found["message_nb"].startswith("Vedlegg 1 (alternativ tekst): ")
    assert "15038512363" not in found["message_nb"]  # masked (issue #18)
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=w.editor, post_id=post.pk, override_reason="Må ut i dag.")
    assert refused.value.code == "blocked"
    assert refused.value.rule == "PU-1"
