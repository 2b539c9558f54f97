"""PU-4, four eyes: the alt text an approver approved is the alt text that goes out. While
a post with the file is on its way (waiting, scheduled, publishing, paused) nobody
changes the file's alt text or title, in the console's register or through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.core.errors import Conflict
from ordstyrer.publishing.media import media_update
from ordstyrer.publishing.models import MediaAsset, PostStatus
from ordstyrer.publishing.services import post_approve, post_create, post_publish, post_withdraw
from tests.api.conftest import ApiClient, token_for
from tests.factories import person_with_roles
from tests.publishing.conftest import person_photo

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
ALT = "Folk utenfor biblioteket"


def _other_editor(w):
    other = person_with_roles(w.municipality, username="pubby-red2", first_name="Ola")
    ChannelMembership.objects.create(
        channel=w.page, user=other, role=ChannelRole.EDITOR, granted_at=timezone.now()
    )
    return other


def _approved_for_later(w):
    """A post with a photo on the school page, approved and scheduled two days ahead."""
    photo, _ = person_photo(w, consent=False)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        media_ids=[photo.pk],
        publish_at=timezone.now() + timedelta(days=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    post = post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.status == PostStatus.SCHEDULED
    return post, photo


def test_the_approved_alt_text_is_not_changed_while_the_post_is_scheduled(world):
    """PU-4: another editor's change of the alt text is refused; the file keeps the one
    approved. Withdrawn, the post is a draft and the file may change."""
    w = world
    post, photo = _approved_for_later(w)
    other = _other_editor(w)
    with pytest.raises(Conflict, match="trekk tilbake innlegget") as refused:
        media_update(actor=other, asset_id=photo.pk, alt_text="Noe annet")
    assert refused.value.rule == "PU-4"
    with pytest.raises(Conflict):
        media_update(actor=other, asset_id=photo.pk, title="En annen tittel")
    photo.refresh_from_db()
    assert (photo.alt_text, photo.title) == (ALT, "")
    # The rest of the register may change (what the checks read, checked again on send).
    media_update(actor=other, asset_id=photo.pk, alt_text=ALT, photographer="Kari Foto")
    post_withdraw(actor=w.editor, post_id=post.pk)
    media_update(actor=other, asset_id=photo.pk, alt_text="Noe annet")
    assert MediaAsset.objects.get(pk=photo.pk).alt_text == "Noe annet"


def test_the_api_cannot_change_the_alt_text_of_a_file_on_its_way(world):
    """PU-4: a new post through the API naming the file with another alt text is a 409
    in English (and Norwegian); the file keeps the approved alt text."""
    w = world
    _post, photo = _approved_for_later(w)
    other = _other_editor(w)
    api = ApiClient(token_for(other, w.municipality))
    response = api.post(
        f"/api/v1/m/{w.municipality.slug}/posts",
        {
            "channels": [w.page.pk],
            "text": TEXT,
            "media": [{"type": "image", "upload_id": photo.pk, "alt": "Noe annet"}],
        },
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "media_in_use" and body["rule"] == "PU-4"
    assert "Withdraw that post first" in body["detail"]
    assert "trekk tilbake innlegget" in body["detail_nb"]
    photo.refresh_from_db()
    assert photo.alt_text == ALT
