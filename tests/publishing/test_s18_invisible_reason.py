"""The "warn" rule for posts: an override is recorded with who and why, so a reason made
only of invisible characters (U+200B, U+200C/D, U+2060, U+FEFF) is no reason."""

from __future__ import annotations

import pytest

from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import PostRefused, post_create, post_publish
from tests.api.conftest import ApiClient, token_for

# PU-1 warns on a phone number (a warning, not a block).
WARNS = (
    "Biblioteket har nye åpningstider fra mandag. Ring oss på 412 34 567 om du lurer på noe. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
INVISIBLE = ["\u200b", "\u200c\u200d", " \u2060 ", "\ufeff", "\u200b\n\u200b"]


def _warned_draft(world):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=WARNS,
    )
    assert any(f["severity"] == "warn" for f in post.findings)
    assert not any(f["severity"] == "block" for f in post.findings)
    return post


@pytest.mark.parametrize("reason", INVISIBLE)
def test_an_invisible_override_reason_is_refused(world, reason):
    """The "warn" rule: zero-width characters alone are no reason."""
    post = _warned_draft(world)
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=world.editor, post_id=post.pk, override_reason=reason)
    assert refused.value.code == "needs_override"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.override_reason == ""
    assert not AuditEntry.objects.filter(action="post_publish").exists()


def test_a_reason_with_a_zero_width_character_inside_is_a_reason(world):
    """The "warn" rule: a visible reason passes, as written."""
    post = _warned_draft(world)
    reason = "Sentral\u200bbordets eget nummer."
    post = post_publish(actor=world.editor, post_id=post.pk, override_reason=reason)
    assert post.status == PostStatus.PUBLISHING and post.override_reason == reason


def test_the_api_refuses_an_invisible_override_reason(world):
    """The "warn" rule through the API: 422 with the findings."""
    post = _warned_draft(world)
    api = ApiClient(token_for(world.p.communications, world.municipality))
    response = api.post(
        f"/api/v1/m/{world.municipality.slug}/posts/{post.pk}/publish",
        {"override_reason": "\u200b"},
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "needs_override"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
