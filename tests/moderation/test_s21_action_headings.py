"""A failed notice's heading has the level of where it stands (WCAG 1.3.1, 2.4.6): on the
action's own page it sat as an h3 straight under the h1, a level skipped for someone who
moves by headings; in the item's moderation panel it stays an h3 under the panel's h2
(MO-4: the notice that did not reach the author)."""

from __future__ import annotations

from typing import Any

import lxml.html
from django.urls import reverse

from ordstyrer.moderation import services
from tests.moderation.conftest import citizen_comment, client_for, messages_off_next

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
FAILED = "Beskjeden til forfatteren kom ikke fram (MO-4)"


def _outline(html: str) -> list[tuple[int, str]]:
    doc = lxml.html.fromstring(html)
    main = doc.xpath("//main")[0]
    return [
        (int(h.tag[1]), " ".join(h.text_content().split()))
        for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")
    ]


def _no_level_skipped(outline: list[tuple[int, str]]) -> None:
    assert outline and outline[0][0] == 1, outline
    for (before, _), (level, text) in zip(outline, outline[1:], strict=False):
        assert level <= before + 1, f"«{text}» (h{level}) follows an h{before}: {outline}"


def _failed_notice(world: Any, capture: Any) -> Any:
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)
    with capture(execute=True):
        action = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY
        )
    action.refresh_from_db()
    assert action.notice_state == "failed"
    return action


def test_the_action_page_puts_the_failed_notice_under_its_h1(
    world, django_capture_on_commit_callbacks
):
    action = _failed_notice(world, django_capture_on_commit_callbacks)
    page = client_for(world.admin).get(
        reverse("moderation:action", args=[world.municipality.slug, action.pk])
    )
    assert page.status_code == 200
    outline = _outline(page.content.decode())
    assert (2, FAILED) in outline
    _no_level_skipped(outline)


def test_the_item_panel_keeps_the_failed_notice_under_its_h2(
    world, django_capture_on_commit_callbacks
):
    action = _failed_notice(world, django_capture_on_commit_callbacks)
    page = client_for(world.admin).get(
        reverse("inbox:detail", args=[world.municipality.slug, action.item_id])
    )
    assert page.status_code == 200
    outline = _outline(page.content.decode())
    at = outline.index((3, FAILED))
    assert [h for h in outline[:at] if h[0] <= 2][-1] == (2, "Moderering")
