"""PU-4, four eyes: a file's alt text and title go out as the post was approved (or
sent), so they do not change while a post with the file is on its way
(`media._require_not_on_its_way`). A post that failed on one channel is `failed`, yet
Ordstyrer still holds its copy for another channel and sends it at its time: that copy
is on its way too (the pull-back's filter, `services.pull_back_filter`). Before, the
guard read the post's status alone, and the alt text could change before the held copy
went out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.core.errors import Conflict
from ordstyrer.publishing.media import media_update
from ordstyrer.publishing.models import DeliveryStatus, MediaAsset, PostStatus
from ordstyrer.publishing.services import post_update
from tests.publishing.test_s20_held_copies import _failed_with_a_held_copy, _photo

pytestmark = pytest.mark.django_db


def test_pu4_the_alt_text_of_a_failed_posts_held_copy_does_not_change(connected):
    c = connected
    now = timezone.now()
    photo, _consent = _photo(c)
    post, held = _failed_with_a_held_copy(c, photo, now=now, at=now + timedelta(days=2))

    with pytest.raises(Conflict) as refused:
        media_update(actor=c.world.editor, asset_id=photo.pk, alt_text="Tomt torg")
    assert refused.value.code == "media_in_use" and refused.value.rule == "PU-4"
    assert "feilet på én kanal" in str(refused.value.message)
    with pytest.raises(Conflict):
        media_update(actor=c.world.editor, asset_id=photo.pk, title="Ny tittel")
    assert MediaAsset.objects.get(pk=photo.pk).alt_text == "Folk foran rådhuset"

    # Saved again, the post is a draft and its held copy stopped: the alt text may change
    # (the post is checked, and approved, afresh when it is sent again).
    post = post_update(actor=c.world.editor, post_id=post.pk)
    held.refresh_from_db()
    assert post.status == PostStatus.DRAFT and held.status == DeliveryStatus.QUEUED
    media_update(actor=c.world.editor, asset_id=photo.pk, alt_text="Tomt torg")
    assert MediaAsset.objects.get(pk=photo.pk).alt_text == "Tomt torg"
