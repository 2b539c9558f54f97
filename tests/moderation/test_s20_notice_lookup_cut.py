"""A public notice whose answer was lost is never posted twice on a busy post (MO-4).

Before it posts again, a retry looks for the notice among the post's comments
(meta-graph-api §3.4), oldest first, up to a page cap. On a post with more comments than
that since the notice was queued, the notice posted by the lost attempt lay past the
cap: the look only logged it and the notice was posted again. Now a look cut off at its
cap fails the notice for a person to check, with what to look for.

Against the Graph stand-in on loopback (a Facebook Page)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.moderation.models import OpKind, OpStatus
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import public_notices
from tests.moderation.test_qa_notice_retry import (
    WHY,
    _facebook,
    calls,
    lose_answer,
    page_comments,
    retry_due,
)

pytestmark = pytest.mark.django_db

BUSY = 10_001  # past the look's cap: 100 pages of 100 comments


def test_mo4_a_lost_notice_on_a_busy_post_is_not_posted_twice(graph, run) -> None:
    p, fb_page, post_id, item = _facebook(graph, "travelpost")
    public_notices(p.municipality)
    lose_answer(graph, method="POST", path_end=f"/{post_id}/comments", how="502")
    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    notice = action.ops.get(kind=OpKind.NOTICE)
    assert notice.status == OpStatus.PENDING
    (ours,) = [
        rec
        for rec in graph.store.objects.values()
        if getattr(rec, "post_id", None) == post_id and getattr(rec, "from_id", None) == fb_page.id
    ]
    for n in range(BUSY):  # written in the look's window, before the notice
        graph.store.add_comment(
            post_id,
            from_id=f"77700{n:05d}",
            from_name="Innbygger Test",
            message=f"Kommentar nummer {n}",
            created=ours.created_time - timedelta(seconds=1),
        )

    retry_due(run)
    notice.refresh_from_db()
    action.refresh_from_db()
    assert calls(graph, "POST", f"/{post_id}/comments") == 1  # never posted blindly again
    assert len(page_comments(graph, fb_page, post_id)) == 1
    assert notice.status == OpStatus.FAILED
    assert notice.last_error.startswith("Ordstyrer vet ikke om varselet ble publisert")
    assert action.notice_state == "failed"
