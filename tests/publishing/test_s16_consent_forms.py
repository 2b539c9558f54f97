"""Consent withdrawal and take-down (PU-6), and the publishing forms' hostile input.

- A partly published post (one channel out, another failed) is offered for take-down
  after a withdrawal, and taken down where it is out.
- Withdrawing a consent is a deliberate act: a confirmation page that lists the posts
  using the file and what happens to each, nothing ticked; a replayed form does nothing.
- Ids and approval rounds typed by a hostile form never give a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.publishing.models import MediaAsset, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import partly_published, person_photo, png, texts_on

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
HOSTILE_IDS = ["²", "٣", "99999999999999999999999", str(2**63), "0", "-1", "1e3", " 7"]


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _photo(w) -> MediaAsset:
    from ordstyrer.publishing.media import media_upload

    return media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="biblioteket.png",
        content=png(5),
        alt_text="Biblioteket sett utenfra",
    )


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize("field", ["channels", "media"])
def test_live_check_with_a_hostile_id_is_no_server_error(client, world, field, value):
    w = world
    client.force_login(w.editor)
    form = {"text": TEXT, "channels": [str(w.page.pk)], field: value}
    if field == "channels":
        form["channels"] = [str(w.page.pk), value]
    response = client.post(url(w, "check"), form)
    assert response.status_code == 200
    body = response.content.decode()
    if field == "media":
        # Not an id of this municipality's files: said as an unknown file.
        assert "Ukjent bilde eller video." in body
    else:
        # Not a channel: left out, as an unknown channel id is; the rest is checked.
        assert "Ukjent bilde eller video." not in body


@pytest.mark.parametrize("value", ["99999999999999999999999", str(2**63), "²"])
@pytest.mark.parametrize("field", ["channels", "media"])
def test_composer_with_a_hostile_id_is_a_form_error(client, world, field, value):
    w = world
    client.force_login(w.editor)
    form = {"text": TEXT, "channels": [str(w.page.pk)]}
    form[field] = [*form.get(field, []), value]
    response = client.post(url(w, "compose"), form)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [f'"{value}" er ikke en gyldig verdi.']
    assert not Post.objects.filter(municipality=w.municipality).exists()


def test_live_check_still_reads_real_ids(client, world):
    w = world
    client.force_login(w.editor)
    photo = _photo(w)
    response = client.post(
        url(w, "check"),
        {"text": TEXT, "channels": [str(w.page.pk)], "media": [str(photo.pk)]},
    )
    assert response.status_code == 200
    assert "Ukjent bilde eller video." not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", str(2**63), "0"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_hostile_approval_round_is_no_server_error_and_decides_nothing(
    client, world, action, value
):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.unit_leader)
    form = {"action": action, "round": value, "confirm": "yes", "reason": "Vent."}
    response = client.post(url(w, "decide", post.pk), form, follow=True)
    assert response.status_code == 200
    assert "Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen." in (
        response.content.decode()
    )
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL


def test_a_hostile_round_from_another_municipality_is_still_404(client, world):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.outsider)
    form = {"action": "approve", "round": "²", "confirm": "yes"}
    assert client.post(url(w, "decide", post.pk), form).status_code == 404


# --------------------------------------------------------------------------- PU-6 take-down


def _consented_photo(w):
    """A photo of a recognisable adult, with the person's consent registered (PU-6)."""
    return person_photo(w, seed=5)


def _partly_published(w, photo, capture):
    """The photo's post out on the main page, failed (permanently) on a second channel."""
    return partly_published(w, photo, capture, TEXT)


def _live_on(channel) -> list[str]:
    return texts_on(channel, (TEXT,))


def test_a_partly_published_post_is_offered_and_taken_down_after_a_withdrawal(
    world, django_capture_on_commit_callbacks
):
    """PU-6: one channel out, the other failed (the post is `failed`): withdrawing the
    consent offers it for take-down, and the take-down deletes the copy that is out."""
    from ordstyrer.publishing.media import consent_withdraw, post_take_down

    w = world
    photo, consent = _consented_photo(w)
    post, other = _partly_published(w, photo, django_capture_on_commit_callbacks)
    assert TEXT in _live_on(w.page)

    with django_capture_on_commit_callbacks(execute=True):
        offered = consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Kari ringte.")
    assert [p.pk for p in offered] == [post.pk]

    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=post.pk, reason="Samtykket er trukket tilbake.")
    post.refresh_from_db()
    assert post.taken_down_at is not None
    assert TEXT not in _live_on(w.page)
    assert PostEvent.objects.filter(post=post, action="take_down").count() == 1
    # Taken down: not offered again.
    assert consent_withdraw(actor=w.editor, consent_id=consent.pk) == []


def test_a_post_out_nowhere_still_cannot_be_taken_down(world):
    from ordstyrer.core.errors import Conflict
    from ordstyrer.publishing.media import post_take_down

    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    with pytest.raises(Conflict):
        post_take_down(actor=w.editor, post_id=post.pk, reason="Feil bilde.")
    assert Post.objects.get(pk=post.pk).taken_down_at is None


def test_the_post_page_links_a_partly_published_post_to_its_take_down(
    client, world, django_capture_on_commit_callbacks
):
    from ordstyrer.publishing.media import consent_withdraw

    w = world
    photo, consent = _consented_photo(w)
    post, other = _partly_published(w, photo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk)
    client.force_login(w.editor)
    take_down = url(w, "take_down", post.pk)
    assert f'href="{take_down}"' in client.get(url(w, "detail", post.pk)).content.decode()
    # The take-down page names the channel where it is out, not the one where it failed.
    page = client.get(take_down).content.decode()
    lead = page[page.index('<p class="lead">') :].split("</p>", 1)[0]
    assert "Kommunen" in lead and "Biblioteket" not in lead
    assert 'type="checkbox"' in page and "checked" not in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(take_down, {"reason": "Samtykket er trukket.", "confirm": "on"})
    assert done.status_code == 302
    assert TEXT not in _live_on(w.page)
    # Taken down: no link any more.
    assert f'href="{take_down}"' not in client.get(url(w, "detail", post.pk)).content.decode()
    client.force_login(w.p.outsider)
    assert client.get(take_down).status_code == 404


# --------------------------------------------------------------------------- PU-6 withdrawal


def _post_with(w, photo, channel, **kw):
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[channel.pk],
        text=kw.pop("text", TEXT),
        media_ids=[photo.pk],
        **kw,
    )
    return post


def test_withdrawing_a_consent_takes_a_confirmation_that_lists_the_posts(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    """PU-6, a deliberate act: the register links to a confirmation listing each post
    using the file and what happens to it; nothing is ticked; unticked it is refused;
    ticked it is done once, and a replay does nothing again."""
    from ordstyrer.core.models import AuditEntry
    from ordstyrer.publishing.models import Consent

    w = world
    photo, consent = _consented_photo(w)
    waiting = post_publish(
        actor=w.editor,
        post_id=_post_with(w, photo, w.school, text="Skolen har åpen dag. " + TEXT).pk,
    )
    assert waiting.status == PostStatus.AWAITING_APPROVAL
    published = _post_with(w, photo, w.page)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=published.pk)
    assert Post.objects.get(pk=published.pk).status == PostStatus.PUBLISHED
    client.force_login(w.editor)
    register = url(w, "media_detail", photo.pk)
    withdraw = url(w, "consent_withdraw", photo.pk, consent.pk)

    # The register has a link to the confirmation, no one-click form.
    page = client.get(register).content.decode()
    assert f'href="{withdraw}"' in page and 'value="withdraw"' not in page
    # The old one-click form does nothing any more.
    client.post(register, {"form": "withdraw", "consent": consent.pk})
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None

    confirm = client.get(withdraw).content.decode()
    assert "Samtykket fra Kari Nordmann til biblioteket.png trekkes tilbake." in confirm
    assert "Det kan ikke angres." in confirm
    assert url(w, "detail", waiting.pk) in confirm and url(w, "detail", published.pk) in confirm
    assert "Stoppes og blir et utkast igjen; forfatteren får beskjed." in confirm
    assert "Publisert på Kommunen: du får tilbud om å ta det ned." in confirm
    assert 'type="checkbox"' in confirm and "checked" not in confirm
    assert 'name="note"' in confirm
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None  # a GET: nothing

    # Not ticked: a form error in Norwegian, nothing done, the note kept on the form.
    refused = client.post(withdraw, {"note": "Kari ringte."})
    body = refused.content.decode()
    assert refused.status_code == 200 and "Kryss av for å bekrefte." in body
    assert "Kari ringte." in body
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert Post.objects.get(pk=waiting.pk).status == PostStatus.AWAITING_APPROVAL

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(withdraw, {"confirm": "on", "note": "Kari ringte."}, follow=True)
    body = done.content.decode()
    assert done.redirect_chain[-1][0] == register
    assert "Samtykket er trukket tilbake." in body
    # The post still out is offered for take-down on the register.
    assert "Vil du ta dem ned?" in body and url(w, "take_down", published.pk) in body
    withdrawn = Consent.objects.get(pk=consent.pk)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawal_note == "Kari ringte."
    assert Post.objects.get(pk=waiting.pk).status == PostStatus.DRAFT
    told = len(mailoutbox)
    assert told >= 1
    audits = AuditEntry.objects.filter(action="consent_withdraw").count()
    events = PostEvent.objects.filter(action="consent_withdrawn").count()

    # A replayed or double-clicked form: nothing again, and it says so.
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(withdraw, {"confirm": "on", "note": "Igjen."}, follow=True)
    body = replay.content.decode()
    assert "Samtykket er allerede trukket tilbake." in body
    again = Consent.objects.get(pk=consent.pk)
    assert (again.withdrawn_at, again.withdrawal_note) == (
        withdrawn.withdrawn_at,
        "Kari ringte.",
    )
    assert len(mailoutbox) == told
    assert AuditEntry.objects.filter(action="consent_withdraw").count() == audits
    assert PostEvent.objects.filter(action="consent_withdrawn").count() == events
    # Opening the confirmation again leads back to the register.
    assert client.get(withdraw)["Location"] == register


def test_withdrawal_confirmation_is_for_the_municipality_s_publishers_only(client, world):
    w = world
    photo, consent = _consented_photo(w)
    withdraw = url(w, "consent_withdraw", photo.pk, consent.pk)
    client.force_login(w.p.outsider)
    assert client.get(withdraw).status_code == 404
    assert client.post(withdraw, {"confirm": "on"}).status_code == 404
    client.force_login(w.p.archivist)  # a member who publishes nowhere
    assert client.post(withdraw, {"confirm": "on"}).status_code == 403
    # A consent of another file is not found through this one.
    client.force_login(w.editor)
    other, _ = _consented_photo(w)
    assert client.get(url(w, "consent_withdraw", other.pk, consent.pk)).status_code == 404
    from ordstyrer.publishing.models import Consent

    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
