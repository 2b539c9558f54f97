"""QA: the platform's "remove" of a comment the municipality deleted is not the author's.

A confirmed deletion runs in the outbox (capture → delete → notice); the platform then
reports the comment as removed (a webhook, or the next poll). When that report arrives
before the outbox has recorded its delete — the webhook beats the worker's record, or
the worker died in between — the inbox used to log «Fjernet av forfatteren» and could
close the item as removed by its author, against the archive and the audit, which name
the municipality's moderator. A removal nobody in the municipality decided is still the
author's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation import outbox
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.models import ActionStatus, OpKind
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import T0, ModWorld, citizen_comment, make_world, on_platform

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
AUTHOR_LABEL = "Fjernet av forfatteren"  # the timeline's label of the "removed" event


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db) -> Iterator[ModWorld]:
    built = make_world("fjernby")
    with time_machine.travel(T0, tick=False):
        yield built


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(fn: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        result.refresh_from_db()
        return result

    return call


@pytest.fixture
def webhook_before_record(monkeypatch, world: ModWorld) -> None:
    """The platform's "remove" arrives while the worker that deleted the comment has not
    yet recorded it: right after the platform call, before `record_success`."""
    original = outbox.record_success

    def wrapper(op: Any, *args: Any, **kwargs: Any) -> Any:
        if op.kind == OpKind.DELETE:
            poll_channel(channel_id=world.channel.pk)
        return original(op, *args, **kwargs)

    monkeypatch.setattr(outbox, "record_success", wrapper)


def timeline(client: Any, world: ModWorld, item: InboxItem) -> str:
    client.force_login(world.p.communications)
    page = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_our_deletion_reported_back_before_it_is_recorded_is_not_the_authors(
    world, run, client, webhook_before_record
):
    item = citizen_comment(world.channel, SPAM)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    item.refresh_from_db()
    assert item.removed_at is not None
    assert item.close_reason == CloseReason.MODERATED
    assert not item.events.filter(action="removed").exists()
    html = timeline(client, world, item)
    assert AUTHOR_LABEL not in html
    assert "Slettet" in html  # the moderator's deletion is what the log shows


def test_our_deletion_reported_back_after_it_is_recorded_is_not_the_authors(world, run, client):
    item = citizen_comment(world.channel, SPAM)
    run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    poll_channel(channel_id=world.channel.pk)  # the platform's "remove", afterwards

    item.refresh_from_db()
    assert item.close_reason == CloseReason.MODERATED
    assert not item.events.filter(action="removed").exists()
    html = timeline(client, world, item)
    assert AUTHOR_LABEL not in html
    # ... nor does the thread's badge say so
    assert "slettet av kommunen" in html and "fjernet av forfatteren" not in html


def author_removes(world: ModWorld, item: InboxItem) -> None:
    with channel_connector(world.channel) as connector:
        platform = connector.platform
        platform.remove_comment(platform.state["comments"][item.platform_id], platform.now_ts())
    poll_channel(channel_id=world.channel.pk)


def test_a_real_author_removal_still_says_the_author(world, client):
    item = citizen_comment(world.channel, "Når åpner biblioteket igjen etter ferien?")
    author_removes(world, item)

    item.refresh_from_db()
    assert item.removed_at is not None
    assert item.close_reason == CloseReason.AUTHOR_REMOVED
    assert item.events.filter(action="removed").exists()
    html = timeline(client, world, item)
    assert AUTHOR_LABEL in html
    assert "fjernet av forfatteren" in html and "slettet av kommunen" not in html


def test_the_author_removing_it_while_a_deletion_awaits_approval_is_the_authors(world, run, client):
    settings = settings_for(world.municipality)
    settings.second_approver = True
    settings.save()
    item = citizen_comment(world.channel, SPAM)
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert action.status == ActionStatus.PENDING_APPROVAL

    author_removes(world, item)

    item.refresh_from_db()
    assert item.events.filter(action="removed").exists()
    assert AUTHOR_LABEL in timeline(client, world, item)
