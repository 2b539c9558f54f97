"""PU-10: a main-page post that is out counts, in the check and the calendar alike, also
once an edit made it a draft again (a post out on the main page and failed on another
channel is editable, and `post_update` makes it a draft): it is still on the page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.publishing import selectors
from ordstyrer.publishing.models import ChannelPublishing, DeliveryStatus, Post, PostStatus
from ordstyrer.publishing.services import check_draft, post_create, post_publish, post_update
from tests.publishing.conftest import World, make_channel, make_world

TEXT = "Kommunestyret vedtok budsjettet for neste år i går kveld. Se https://kommune.no/budsjett"
REASON = "Viktig for alle."


def partly_out(w: World, capture: Any, *, documentation_value: bool = False) -> tuple[Post, Any]:
    """A post out on the main page and failed for good on the library's page."""
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    with channel_connector(library, now=timezone.now()) as connector:
        connector.fail_next("publish", code=ErrorCode.PERMISSION, permanent=True)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=TEXT,
        documentation_value=documentation_value,
    )
    with capture(execute=True):
        post_publish(actor=w.editor, post_id=post.pk, override_reason=REASON)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    statuses = dict(post.deliveries.values_list("channel_id", "status"))
    assert statuses == {w.page.pk: DeliveryStatus.PUBLISHED, library.pk: DeliveryStatus.FAILED}
    return post, library


def test_a_main_page_post_out_and_edited_back_to_draft_still_counts(
    db, django_capture_on_commit_callbacks
):
    """PU-10 (Midt-Telemark: two a working day on the main page): two posts out on the
    main page today, one of them failed elsewhere and edited back to a draft. A new post
    is «nr. 3» today, and the calendar counts 2 on the main page."""
    w = make_world("s19delut", preset="midt-telemark")
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True, approval="none")
    first = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=first.pk, override_reason=REASON)
    first.refresh_from_db()
    assert first.status == PostStatus.PUBLISHED
    second, _library = partly_out(w, django_capture_on_commit_callbacks)
    second = post_update(actor=w.editor, post_id=second.pk)
    assert second.status == PostStatus.DRAFT
    assert second.deliveries.get(channel=w.page).status == DeliveryStatus.PUBLISHED
    findings = check_draft(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
    )
    daily = [
        f["message_nb"] for f in findings if f["rule"] == "PU-10" and "i dag" in f["message_nb"]
    ]
    week = selectors.calendar_week(
        municipality=w.municipality, user=w.editor, day=timezone.localdate()
    )
    # The check and the calendar count alike (each on its own on the old code: 2 and 1).
    assert (daily, week.main_count) == (
        ["Dette blir innlegg nr. 3 i dag på hovedsiden; taket er 2 per virkedag."],
        2,
    )
