"""AR-1, PU-6: a post out on one channel and failed on another keeps the text it went out
with. Its text, links and files cannot be changed (sent again it goes only where it is
not out, and the archive record holds one text for every channel); the confirmation
names only the channels still to go and says the copy out stays as it is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import Conflict
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_publish, post_update
from tests.publishing.conftest import partly_published, person_photo, texts_on

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
NEW = "Biblioteket er åpent til klokka åtte i dag. Se https://indrefosen.kommune.no"


def test_the_text_of_a_partly_published_post_stays_as_sent(
    client, world, django_capture_on_commit_callbacks
):
    """AR-1: the edit is refused with why; sent again unchanged, it goes out on the
    failed channel only, and the archive record for the main page holds the text that
    stands there."""
    w = world
    photo, _ = person_photo(w, consent=False)
    post, library = partly_published(w, photo, django_capture_on_commit_callbacks, TEXT)
    with pytest.raises(Conflict, match="allerede publisert på Kommunen") as refused:
        post_update(actor=w.editor, post_id=post.pk, text=NEW, documentation_value=True)
    assert refused.value.rule == "AR-1"
    with pytest.raises(Conflict):
        post_update(actor=w.editor, post_id=post.pk, links=["https://indrefosen.kommune.no/ny"])
    with pytest.raises(Conflict):
        post_update(actor=w.editor, post_id=post.pk, media_ids=[])
    post.refresh_from_db()
    assert post.text == TEXT and post.status == PostStatus.FAILED
    # The same text (a browser's line breaks aside), and what is not sent, may change.
    post_update(actor=w.editor, post_id=post.pk, text=TEXT, documentation_value=True)
    client.force_login(w.editor)
    page = client.get(
        reverse("publishing:confirm", args=[w.municipality.slug, post.pk])
    ).content.decode()
    assert "Publiser nå på Biblioteket." in page
    assert "Publiser nå på Kommunen" not in page
    assert "står allerede publisert på Kommunen" in page
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    post = Post.objects.get(pk=post.pk)
    assert post.status == PostStatus.PUBLISHED
    assert texts_on(w.page, (TEXT, NEW)) == [TEXT]
    assert texts_on(library, (TEXT, NEW)) == [TEXT]
    record = ArchiveRecord.objects.get(pk=post.archive_record_id)
    assert record.text == TEXT
    assert NEW not in record.canonical
