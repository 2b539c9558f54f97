"""AR-1: a published post with documentation value is journaled in the archive.

Called by `delivery.settle` inside the transaction that records the post's first copy
out (a post out on one channel and failed on another is public all the same): the
record holds the text, the platform id and link of every channel it is out on by then,
the media files (their SHA-256 hashes are in the record's file list), the findings and
the approvals. One record per post (idempotency key), however often the settle runs;
a copy out later on another channel stands with the same text, files and links
(`services._require_as_sent`).
"""

from __future__ import annotations

from datetime import datetime

from ordstyrer.publishing.models import DeliveryStatus, Post, PostEvent


def journal_post(post: Post, *, now: datetime) -> int:
    from ordstyrer.archive.entry import ArchiveEntry, Kind, MediaFile, Person
    from ordstyrer.archive.services import archive_append

    deliveries = list(
        post.deliveries.filter(status=DeliveryStatus.PUBLISHED).select_related("channel")
    )
    first = deliveries[0] if deliveries else None
    approvals = [
        {
            "action": e.action,
            "by": e.actor.get_full_name() or e.actor.username if e.actor else "",
            "at": e.at.isoformat(),
            "note": e.note,
        }
        for e in PostEvent.objects.filter(
            post=post, action__in=("publish", "approve", "crisis_approve")
        ).select_related("actor")
    ]
    files = [
        MediaFile(name=pm.asset.filename, mime=pm.asset.mime, data=bytes(pm.asset.content))
        for pm in post.attachments.select_related("asset")
    ]
    author = post.author.get_full_name() or post.author.username if post.author else ""
    record = archive_append(
        actor=None,
        entry=ArchiveEntry(
            municipality=post.municipality,
            kind=Kind.OWN_POST,
            text=post.text,
            author=Person(name=author or post.municipality.name),
            channel=first.channel if first else None,
            post_id=first.platform_id if first else "",
            item_id=first.platform_id if first else "",
            permalink=first.permalink if first else "",
            created_at=post.published_at or now,
            captured_at=now,
            media=files,
            action="archive",
            journal=True,
            idempotency_key=f"post:{post.pk}",
            extra={
                "source": "ordstyrer_publishing",
                "post_id": post.pk,
                "links": list(post.links),
                "channels": [
                    {
                        "channel": d.channel.name,
                        "platform": d.channel.kind,
                        "platform_id": d.platform_id,
                        "permalink": d.permalink,
                    }
                    for d in deliveries
                ],
                "approvals": approvals,
                "override_reason": post.override_reason,
                "findings": [f"{f.get('rule')}:{f.get('severity')}" for f in post.findings],
            },
        ),
        now=now,
    )
    Post.objects.filter(pk=post.pk).update(archive_record_id=record.pk)
    post.archive_record_id = record.pk
    return record.pk
