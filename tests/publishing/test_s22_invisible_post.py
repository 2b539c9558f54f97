"""A post of zero-width characters alone is empty (the channel's own limit: "the post is
empty", a block), in the console's live check and in the services that store and send it.

Before this the empty check was `text.strip()`, which keeps U+200B, U+200D, U+2060 and
U+FEFF: such a post had no block and went out on an override reason, as replies and
override reasons did until they were checked with `visible_text` (DI-1, warn rule)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.publishing import services
from ordstyrer.publishing.checks import findings_for
from ordstyrer.publishing.models import PostStatus

INVISIBLE = "\u200b\u200d\ufeff\u2060"


def empty_blocks(findings: list[dict]) -> list[dict]:
    return [
        f
        for f in findings
        if f["rule"] == "channel" and f["severity"] == "block" and "empty" in f["message_en"]
    ]


@pytest.mark.parametrize("text", ["", "  \n ", INVISIBLE, f" {INVISIBLE}\n{INVISIBLE} "])
def test_the_live_check_finds_an_invisible_post_empty(world, text):
    """What the composer shows before the post is saved (`checks.findings_for`)."""
    findings = findings_for(
        municipality=world.municipality,
        channels=[world.page],
        text=text,
        links=[],
        assets=[],
        when=timezone.now(),
    )
    assert len(empty_blocks(findings)) == 1


def test_a_visible_character_among_invisible_ones_is_a_text(world):
    findings = findings_for(
        municipality=world.municipality,
        channels=[world.page],
        text=f"{INVISIBLE}Hei{INVISIBLE}",
        links=[],
        assets=[],
        when=timezone.now(),
    )
    assert not empty_blocks(findings)


def test_an_invisible_post_is_stored_empty_and_never_published(world):
    post = services.post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=INVISIBLE,
    )
    assert post.text == ""
    assert len(empty_blocks(post.findings)) == 1
    with pytest.raises(services.PostRefused) as refused:
        services.post_publish(
            actor=world.editor, post_id=post.pk, override_reason="Test av tom melding"
        )
    assert empty_blocks(refused.value.findings)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    # Saved again with the same invisible text: still empty, still blocked.
    changed = services.post_update(actor=world.editor, post_id=post.pk, text=f" {INVISIBLE} ")
    assert changed.text == "" and len(empty_blocks(changed.findings)) == 1
