"""AR-1: a post out on one channel and failed on another, sent again without the failed
channel, has nothing left to send: it is published at once (`services._release` settles
it; no delivery would) and keeps its one archive record."""

from __future__ import annotations

from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_publish, post_update
from tests.publishing.test_s19_delivery_journal import records
from tests.publishing.test_s19_delivery_pu10_out import REASON, TEXT, partly_out


def test_sent_again_without_its_failed_channel_a_post_is_published_with_its_one_record(
    world, django_capture_on_commit_callbacks
):
    """AR-1: out on the main page, failed on the library's page: journaled at once (it
    is public). The failed channel taken off and the post sent again: published (nothing
    left to send), and still exactly one record."""
    w = world
    post, _library = partly_out(w, django_capture_on_commit_callbacks, documentation_value=True)
    [record] = records(post)
    assert post.archive_record_id == record.pk
    assert record.text == TEXT
    post_update(actor=w.editor, post_id=post.pk, channel_ids=[w.page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)
    assert sent.status == PostStatus.PUBLISHED
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert [r.pk for r in records(post)] == [record.pk]
    assert post.archive_record_id == record.pk
    last = post.events.order_by("-pk").first()
    assert last is not None and last.action == "publish" and last.to_status == "published"


def test_a_post_sent_again_with_nothing_left_to_send_is_published(
    world, django_capture_on_commit_callbacks
):
    """AR-1: without documentation value too, a post whose failed channel was taken off
    is published when sent again (never left «Publiseres»: no delivery would settle
    it), and no record is made for it."""
    w = world
    post, _library = partly_out(w, django_capture_on_commit_callbacks)
    post_update(actor=w.editor, post_id=post.pk, channel_ids=[w.page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.archive_record_id is None and not records(post)
