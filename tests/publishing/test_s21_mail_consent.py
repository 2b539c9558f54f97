"""PU-6: the e-mail that a post was pulled back after a withdrawn consent names the
file, not the person in it.

The pull-back quoted the post's flag, «Samtykket fra <person> er trukket tilbake (PU-6).»,
in the e-mail to the author — the name of the person in the photo, who may be a child, in
a message that leaves the installation (docs/privacy.md: mails carry a link, never the
content). It now says which file (its title, else its file name); the console keeps the
name behind the login (the post's flag, the pull-back's note).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ordstyrer.publishing.media import consent_record, consent_withdraw, media_update, media_upload
from ordstyrer.publishing.models import PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import png

pytestmark = pytest.mark.django_db

TEXT = "Elevene på 3. trinn har ryddet skolegården. https://indrefosen.kommune.no/skole"
CHILD = "Emma Nilsen"


def _photo(w, *, title: str):
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="IMG_2041.png",
        content=png(7),
        alt_text="Elever rydder skolegården",
        title=title,
    )
    return media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="recognisable",
        children=True,
        photographer_permission=True,
    )


def _consent(w, photo):
    return consent_record(
        actor=w.editor,
        asset_id=photo.pk,
        person_name=CHILD,
        given_by="Kari Nilsen, mor",
        given_at=date(2026, 1, 5),
        is_child=True,
        form_name="samtykke.pdf",
        form_content=b"%PDF-1.4 signert",
    )


def _waiting_with(w, photo):
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        media_ids=[photo.pk],
        publish_at=timezone.now() + timedelta(hours=2),
    )
    post = post_publish(actor=w.editor, post_id=post.pk, now=timezone.now())
    assert post.status == PostStatus.AWAITING_APPROVAL
    return post


def _to_author(w, mailoutbox):
    return [m for m in mailoutbox if w.editor.email in m.to]


@pytest.mark.parametrize(
    ("title", "said"),
    [("Rydding i skolegården", "«Rydding i skolegården»"), ("", "«IMG_2041.png»")],
    ids=["title", "file-name"],
)
def test_pu6_pull_back_mail_names_the_file_not_the_person(
    world, django_capture_on_commit_callbacks, mailoutbox, title, said
):
    """PU-6: consent from «Emma Nilsen» withdrawn on a file in a post waiting for its
    approval: the author's e-mail says which file (its title, else its file name) and
    never the child's name; the post's flag and its events in the console still do."""
    w = world
    photo = _photo(w, title=title)
    consent = _consent(w, photo)
    post = _waiting_with(w, photo)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Mor ringte.")

    (message,) = _to_author(w, mailoutbox)
    assert message.subject == "Innlegget ditt ble stoppet før publisering"
    assert f"Et samtykke til bruk av {said} er trukket tilbake (PU-6)." in message.body
    assert "Hvem det gjelder, ser du i Ordstyrer." in message.body
    assert CHILD not in message.body and CHILD not in message.subject
    assert "Emma" not in message.body
    assert f"/m/{w.municipality.slug}/publisering/{post.pk}/" in message.body
    # Behind the login the console keeps the name: the flag and the pull-back's note.
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert CHILD in post.flagged_reason
    assert CHILD in PostEvent.objects.get(post=post, action="pull_back").note
