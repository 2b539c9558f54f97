"""MO-4: the notice to an author goes privately only where Meta's Private Replies can
carry it — the `pages_messaging` permission, the Page task MESSAGING, and a comment at
most 7 days old (Facebook and Instagram alike). An older comment's author is told
publicly, on the post, and the action says why; the connection page names a missing
permission or task; the Graph stand-in refuses what Meta refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.connectors.facebook.connector import FacebookConnector
from ordstyrer.connectors.facebook.onboarding import PageAccess
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import HttpSession
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.models import ActionStatus, OpKind, OpStatus
from ordstyrer.moderation.preview import removal_preview
from ordstyrer.moderation.services import comment_delete, deletion_approve
from ordstyrer.platforms import oauth
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.clock import FakeClock
from tests.moderation.conftest import T0, citizen_comment

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and then everything it queued (tasks run at once after commit)."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        if hasattr(result, "refresh_from_db"):
            result.refresh_from_db()
        return result

    return call


def _kinds(action: Any) -> list[tuple[str, str]]:
    return [(op.kind, op.status) for op in action.ops.order_by("pk")]


# --- the route: private within 7 days, public after ---------------------------------------


@pytest.mark.django_db
def test_an_eight_day_old_comment_gets_the_public_notice(world, run, clock) -> None:
    """MO-4: with the default "privat melding" setting, a comment written 8 days ago
    cannot get a private reply, so its author is told on the post, without the name,
    and the action says why it went public."""
    item = citizen_comment(world.channel, SPAM)
    clock.move_to(T0 + timedelta(days=8))

    preview = removal_preview(
        actor=world.admin, item=item, kind="delete", ground="spam", justification=WHY
    )
    assert preview.notify and not preview.notice_private  # the page shows what happens
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert _kinds(action) == [
        (OpKind.CAPTURE, OpStatus.DONE),
        (OpKind.DELETE, OpStatus.DONE),
        (OpKind.NOTICE, OpStatus.DONE),
    ]
    assert (action.notice_state, action.notice_via) == ("sent", "public_reply")
    assert "Ola" not in action.notice_text  # a public notice never names the person
    assert "mer enn 7 dager gammel" in action.notice_note


@pytest.mark.django_db
def test_a_six_day_old_comment_still_gets_a_private_reply(world, run, clock) -> None:
    item = citizen_comment(world.channel, SPAM)
    clock.move_to(T0 + timedelta(days=6))
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert [kind for kind, _status in _kinds(action)] == [
        OpKind.CAPTURE,
        OpKind.HIDE,
        OpKind.PRIVATE_NOTICE,
        OpKind.DELETE,
    ]
    assert (action.notice_state, action.notice_via, action.notice_note) == (
        "sent",
        "private_reply",
        "",
    )


@pytest.mark.django_db
def test_the_window_closing_while_a_deletion_waits_makes_the_notice_public(
    world, run, clock
) -> None:
    """MO-4: asked for on day 6 (a private reply then), approved on day 8: the platform
    would refuse the private reply, so the approval turns the notice public."""
    settings = settings_for(world.municipality)
    settings.second_approver = True
    settings.save()
    item = citizen_comment(world.channel, SPAM)
    clock.move_to(T0 + timedelta(days=6))
    asked = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert asked.notice_via == "private_reply" and "Ola" in asked.notice_text

    clock.move_to(T0 + timedelta(days=8))
    approved = run(deletion_approve, actor=world.main_admin, action=asked)
    assert approved.status == ActionStatus.DONE
    assert (approved.notice_state, approved.notice_via) == ("sent", "public_reply")
    assert "Ola" not in approved.notice_text
    assert "mer enn 7 dager gammel" in approved.notice_note
    assert not approved.ops.filter(kind=OpKind.PRIVATE_NOTICE).exists()


# --- what the connection asks for ----------------------------------------------------------


def test_a_token_without_pages_messaging_names_it_as_missing() -> None:
    """MO-4: Private Replies need `pages_messaging`, on Facebook and on Instagram."""
    assert "pages_messaging" in oauth.REQUESTED_SCOPES
    for kind in ("facebook", "instagram"):
        granted = [p for p in oauth.NEEDED_PERMISSIONS[kind] if p != "pages_messaging"]
        assert oauth.missing_permissions(kind, granted) == ["pages_messaging"]
        assert oauth.missing_permissions(kind, oauth.NEEDED_PERMISSIONS[kind]) == []


def test_a_page_role_without_the_messaging_task_names_it_as_missing() -> None:
    from ordstyrer.platforms.connections import missing_tasks

    tasks = {"MODERATE", "CREATE_CONTENT", "ANALYZE"}
    page = PageAccess(id="1", name="Side", tasks=frozenset(tasks), token=SecretToken("x"))
    assert page.missing_tasks() == ["MESSAGING"]
    assert missing_tasks(sorted(tasks)) == ["MESSAGING"]
    assert missing_tasks(["MANAGE"]) == []


# --- the Graph stand-in refuses what Meta refuses -----------------------------------------

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def stand_in() -> Iterator[FakeGraph]:
    graph = FakeGraph(clock=FakeClock(NOW, frozen=True)).start()
    try:
        yield graph
    finally:
        graph.stop()


def _connector(graph: FakeGraph, page: Any, session: HttpSession) -> FacebookConnector:
    return FacebookConnector.from_config(
        {
            "base_url": graph.base_url,
            "graph_version": "v25.0",
            "session": session,
            "sleep": lambda _s: None,
            "transient_backoff": 0.01,
            "page_id": page.id,
            "token": SecretToken(page.token),
            "page_name": page.name,
        }
    )


def _comment(graph: FakeGraph, page: Any, age: timedelta) -> str:
    post = graph.store.create_post(page, message="Skolestart", check_duplicate=False)
    return graph.store.add_comment(
        post.id, from_id="5550001", from_name="Kari Nordmann", message=SPAM, created=NOW - age
    ).id


def test_the_stand_in_refuses_a_private_reply_after_seven_days(stand_in) -> None:
    page = stand_in.add_page("Eksempel kommune")
    with HttpSession(timeout=5.0, sleep=lambda _s: None, jitter=lambda: 0.0) as session:
        fb = _connector(stand_in, page, session)
        old = _comment(stand_in, page, timedelta(days=8))
        with pytest.raises(ConnectorError) as refused:
            fb.private_reply(old, "Hei! Vi har slettet en kommentar du skrev.")
        assert refused.value.permanent and refused.value.platform_code == 10903
        assert old not in stand_in.store.private_replies
        young = _comment(stand_in, page, timedelta(days=6))
        assert fb.private_reply(young, "Hei! Vi har slettet en kommentar du skrev.")


def test_the_stand_in_needs_pages_messaging_and_the_messaging_task(stand_in) -> None:
    without_permission = stand_in.add_page(
        "Uten tillatelse", scopes=["pages_show_list", "pages_manage_engagement"]
    )
    without_task = stand_in.add_page("Uten oppgave", tasks={"MODERATE", "CREATE_CONTENT"})
    with HttpSession(timeout=5.0, sleep=lambda _s: None, jitter=lambda: 0.0) as session:
        for page, code in ((without_permission, 230), (without_task, 200)):
            fb = _connector(stand_in, page, session)
            with pytest.raises(ConnectorError) as refused:
                fb.private_reply(_comment(stand_in, page, timedelta(hours=1)), "Hei!")
            assert refused.value.code == ErrorCode.PERMISSION
            assert refused.value.platform_code == code
    assert stand_in.store.private_replies == {}
