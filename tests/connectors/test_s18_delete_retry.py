"""MO-4, MO-2: a deletion whose answer was lost is not taken for the author's own removal.

The Graph stand-in deletes the comment, then the answer is lost (a 502 from a gateway in
front of it, or Graph's transient error after the write). The Graph client does not
repeat the DELETE itself; the outbox's retry meets "object does not exist" (100/33) —
most likely its own first try's deletion — so the author is still told why, not left
with «Kommentaren var borte før kommunen slettet den; ingen beskjed sendt.»
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import ModerationAction, OpKind, OpStatus
from ordstyrer.moderation.outbox import outbox_sweep
from ordstyrer.moderation.services import comment_delete
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import make_personas
from tests.moderation.conftest import public_notices
from tests.publishing.conftest import make_channel

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
# Graph's answer to a call that failed for a moment (code 2, "is_transient").
TRANSIENT = {
    "error": {
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException",
        "is_transient": True,
        "code": 2,
        "fbtrace_id": "AqDeleteLost",
    }
}


def lose_answer(graph: FakeGraph, *, method: str, path_end: str, how: str) -> None:
    """The stand-in carries out the next matching call; then its answer is lost: a
    gateway's 502 (`dispatch` wrapped for one call), or Graph's transient error."""
    if how == "graph":
        graph.malform(path=path_end, method=method, body=TRANSIENT)
        return
    dispatch = graph.dispatch
    lost: list[Any] = []

    def gateway(m: str, path: str, req: Any, base: str, *, version: str | None = None) -> Any:
        status, payload, headers = dispatch(m, path, req, base, version=version)
        if not lost and m == method and path.endswith(path_end) and status == 200:
            lost.append(payload)  # done on the platform, never heard of here
            return 502, "Bad Gateway", {}
        return status, payload, headers

    graph.dispatch = gateway  # type: ignore[method-assign]


def calls(graph: FakeGraph, method: str, path_end: str) -> int:
    return sum(1 for m, path in graph.store.requests if m == method and path.endswith(path_end))


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["502", "graph"])
def test_a_deletion_whose_answer_was_lost_still_tells_the_author(graph, run, how) -> None:
    """MO-4: the retry's "does not exist" is our own deletion; the notice goes out."""
    p = make_personas(f"slettsvar{how}", "indre-fosen")
    page = graph.add_page("Slettsvar kommune")
    channel = make_channel(p, name="Slettsvar på Facebook", kind="facebook")
    connection_connect_system(channel=channel, account_id=page.id, token=SecretToken(page.token))
    post = graph.store.create_post(page, message="Skolestart", check_duplicate=False)
    comment = graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=SPAM,
        created=graph.store.now(),
    )
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, platform_id=comment.id)
    public_notices(p.municipality)
    lose_answer(graph, method="DELETE", path_end=f"/{comment.id}", how=how)

    action = run(comment_delete, actor=p.employee, item=item, ground="spam", justification=WHY)
    delete = action.ops.get(kind=OpKind.DELETE)
    assert delete.status == OpStatus.PENDING  # a transient failure: the outbox tries again
    assert graph.store.objects[comment.id].deleted  # yet the platform deleted it
    assert calls(graph, "DELETE", f"/{comment.id}") == 1  # not repeated by the client

    run(outbox_sweep, now=timezone.now() + timedelta(minutes=2))  # the delete's retry
    run(outbox_sweep, now=timezone.now() + timedelta(minutes=5))  # what it released
    delete.refresh_from_db()
    action = ModerationAction.objects.get(pk=action.pk)
    assert delete.status == OpStatus.DONE and delete.attempts == 2 and delete.result["gone"]
    notice = action.ops.get(kind=OpKind.NOTICE)
    assert notice.status == OpStatus.DONE, notice.last_error
    assert (action.status, action.notice_state) == ("done", "sent")
    posted = [
        rec.message
        for rec in graph.store.objects.values()
        if getattr(rec, "post_id", None) == post.id and getattr(rec, "from_id", None) == page.id
    ]
    assert posted == [action.notice_text]
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1


def test_the_graph_client_does_not_repeat_a_delete_after_a_502(fb, fake, page) -> None:
    """The connector raises a transient error for its caller's retry to handle."""
    post = fake.store.create_post(page, message="Skolestart", check_duplicate=False)
    comment = fake.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=SPAM,
        created=post.created_time,
    )
    lose_answer(fake, method="DELETE", path_end=f"/{comment.id}", how="502")
    with pytest.raises(ConnectorError) as lost:
        fb.delete_comment(comment.id)
    assert not lost.value.permanent
    assert calls(fake, "DELETE", f"/{comment.id}") == 1
    assert fake.store.objects[comment.id].deleted
    assert fb.delete_comment(comment.id) is False  # the outbox's retry: "already gone"
