"""AR-1: a post with documentation value is journaled once its first copy is out, though
another channel failed (it is public then): one record `post:<id>`, with the channel it
is out on; the failed channel sent again and out, still that one record."""

from __future__ import annotations

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.publishing.models import DeliveryStatus, Post, PostStatus
from ordstyrer.publishing.services import post_publish
from tests.publishing.test_s19_delivery_pu10_out import REASON, TEXT, partly_out


def records(post: Post) -> list[ArchiveRecord]:
    """The archive records of `post` (its idempotency key)."""
    return list(
        ArchiveRecord.objects.filter(
            municipality=post.municipality, idempotency_key=f"post:{post.pk}"
        )
    )


def _body(record: ArchiveRecord) -> str:
    canonical = record.canonical
    return canonical if isinstance(canonical, str) else bytes(canonical).decode()


def test_a_post_out_on_one_channel_and_failed_on_another_is_journaled_once(
    world, django_capture_on_commit_callbacks
):
    """AR-1: out on the main page, failed for good on the library's page: journaled at
    once with the main page's copy. Sent again, out on the library's page too: the same
    one record."""
    w = world
    post, library = partly_out(w, django_capture_on_commit_callbacks, documentation_value=True)
    [record] = records(post)
    assert post.archive_record_id == record.pk
    assert record.text == TEXT
    out = post.deliveries.get(channel=w.page)
    assert out.platform_id in _body(record)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.deliveries.get(channel=library).status == DeliveryStatus.PUBLISHED
    assert [r.pk for r in records(post)] == [record.pk]
    assert post.archive_record_id == record.pk
