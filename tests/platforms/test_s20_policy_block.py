"""Meta's 368, "action deemed abusive": writes to that Page stop for hours and a person
is told (spec §3.2, §3.4; CH-3).

The client used to retry only the failing call after 6 h: the next reply on the same
Page went straight to Meta (and could earn a longer block), nobody was told, and the
message promised a pause that did not exist. Now the first 368 pauses the Page's writes
in the throttle book (reads go on), each other write waits with code `policy_block`
without a call, and the channel's main administrators get one e-mail. On the Graph
stand-in; the shared throttle book is swapped for a fresh one so no pause outlives the
test.
"""

from __future__ import annotations

import pytest
from django.core import mail

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.connectors.graph import usage
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import reply_send
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer.platforms.models import ConnectorCall
from ordstyrer_fakegraph import FakeGraph
from tests.conftest import make_personas
from tests.publishing.conftest import make_channel

pytestmark = pytest.mark.django_db

QUESTIONS = ("Når åpner svømmehallen?", "Er biblioteket åpent i påsken?")


@pytest.fixture(autouse=True)
def own_throttle_book(monkeypatch):
    monkeypatch.setattr(usage, "_shared", ThrottleBook())


def page_with_two_questions(graph: FakeGraph):
    p = make_personas("sperreby", "indre-fosen")
    page = graph.add_page("Sperreby kommune")
    channel = make_channel(p, name="Sperreby på Facebook", kind="facebook")
    connection_connect_system(channel=channel, account_id=page.id, token=SecretToken(page.token))
    post = graph.store.create_post(page, message="Påskeåpent", check_duplicate=False)
    for n, question in enumerate(QUESTIONS):
        graph.store.add_comment(
            post.id,
            from_id=f"555000{n}",
            from_name="Kari Nordmann",
            message=question,
            created=graph.store.now(),
        )
    poll_channel(channel_id=channel.pk)
    items = [InboxItem.objects.get(channel=channel, text=q) for q in QUESTIONS]
    return p, channel, items


def comment_posts(graph: FakeGraph) -> int:
    return sum(1 for m, path in graph.store.requests if m == "POST" and path.endswith("/comments"))


def test_a_368_stops_the_page_s_writes_and_tells_the_main_administrators_once(
    graph: FakeGraph, django_capture_on_commit_callbacks
):
    p, channel, (first, second) = page_with_two_questions(graph)
    graph.inject(368, path="/comments", method="POST", times=1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reply_send(actor=p.communications, item=first, text="Mandag klokka 7.")
    reply_a = Reply.objects.get(item=first)
    assert reply_a.status == ReplyStatus.RETRYING
    assert comment_posts(graph) == 1

    with django_capture_on_commit_callbacks(execute=True):
        reply_send(actor=p.communications, item=second, text="Ja, fra klokka 10.")
    reply_b = Reply.objects.get(item=second)
    # B waits for the pause without a call to Meta.
    assert reply_b.status == ReplyStatus.RETRYING, reply_b.error
    assert comment_posts(graph) == 1
    assert "skriver ikke til kanalen" in reply_b.error
    codes = list(
        ConnectorCall.objects.filter(channel=channel, operation="reply")
        .order_by("pk")
        .values_list("error_code", flat=True)
    )
    assert codes == [ErrorCode.POLICY_BLOCK, ErrorCode.POLICY_BLOCK]

    # Reading goes on while writes are stopped.
    poll_channel(channel_id=channel.pk)
    assert ConnectorCall.objects.filter(channel=channel, outcome="ok").exists()

    # One e-mail, to the channel's main administrator, for the one 368.
    (sent,) = mail.outbox
    assert p.employee.email in sent.to
    assert "Sperreby på Facebook" in sent.subject
