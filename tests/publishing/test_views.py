"""The publishing console over HTTP: composer and live check, confirmation, approval
queue, calendar, media register, the employees' private check; outsiders get 404 and
members without the role 403."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from ordstyrer.core.models import AuditEntry
from ordstyrer.formats import norwegian_datetime
from ordstyrer.publishing.media import media_upload
from ordstyrer.publishing.models import Consent, DeliveryStatus, MediaAsset, Post, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import person_photo, png

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


@pytest.fixture
def editor_client(client, world):
    client.force_login(world.editor)
    return client


def test_index_for_publishers_only(client, world):
    client.force_login(world.editor)
    assert client.get(url(world, "index")).status_code == 200
    client.force_login(world.p.archivist)  # a member who publishes nowhere
    assert client.get(url(world, "index")).status_code == 403
    client.force_login(world.p.outsider)
    assert client.get(url(world, "index")).status_code == 404
    assert client.get(url(world, "calendar")).status_code == 404


def test_menu_link_only_for_those_who_publish(client, world):
    client.force_login(world.editor)
    page = client.get(reverse("dashboard", args=[world.municipality.slug])).content.decode()
    index = f'href="{url(world, "index")}"'
    assert index in page and url(world, "private_check") in page
    client.force_login(world.p.archivist)
    page = client.get(reverse("dashboard", args=[world.municipality.slug])).content.decode()
    assert index not in page and url(world, "private_check") in page


def test_compose_save_check_confirm_publish(
    editor_client, world, django_capture_on_commit_callbacks
):
    w = world
    response = editor_client.get(url(w, "compose"))
    assert response.status_code == 200
    assert "Facebook" in response.content.decode() or "Simulert" in response.content.decode()
    response = editor_client.post(
        url(w, "compose"),
        {
            "channels": [w.page.pk],
            "text": "Fødselsnummer 15038512363 er registrert.",
            "links": "",
            "action": "save",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(author=w.editor)
    page = editor_client.get(response["Location"]).content.decode()
    assert "PU-1" in page and "Stopper" in page
    # The live check returns the fragment only; nothing is stored.
    fragment = editor_client.post(
        url(w, "check"),
        {"channels": [w.page.pk], "text": TEXT},
        headers={"X-Ordstyrer-Fragment": "findings"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "Ingen funn" in fragment.content.decode()
    # Fix it, then the confirmation shows the consequence with nothing ticked.
    editor_client.post(
        url(w, "edit", post.pk),
        {"channels": [w.page.pk], "text": TEXT, "links": "", "action": "save"},
    )
    confirm = editor_client.get(url(w, "confirm", post.pk)).content.decode()
    assert "Publiser nå på Kommunen." in confirm
    assert "checked" not in confirm
    response = editor_client.post(url(w, "confirm", post.pk), {})
    assert "Kryss av for å bekrefte" in response.content.decode()
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url(w, "confirm", post.pk), {"confirm": "on"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    # A replayed form changes nothing.
    editor_client.post(url(w, "confirm", post.pk), {"confirm": "on"})
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED


def test_composer_upload_without_alt_text_warns_pu4(editor_client, world):
    w = world
    upload = png()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = editor_client.post(
        url(w, "compose"),
        {
            "channels": [w.page.pk],
            "text": TEXT,
            "links": "",
            "action": "save",
            "upload": SimpleUploadedFile("IMG_0001.png", upload, content_type="image/png"),
            "upload_alt": "",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(author=w.editor)
    assert any(f["rule"] == "PU-4" for f in post.findings)
    asset = MediaAsset.objects.get(municipality=w.municipality)
    # The live check sees the alt text as it is typed, before anything is saved.
    live = {"channels": [w.page.pk], "text": TEXT, "media": [asset.pk]}
    assert "PU-4" in editor_client.post(url(w, "check"), live).content.decode()
    live[f"alt_{asset.pk}"] = "Bokhyller med nye bøker"
    assert "PU-4" not in editor_client.post(url(w, "check"), live).content.decode()
    assert MediaAsset.objects.get(pk=asset.pk).alt_text == ""
    unknown = editor_client.post(url(w, "check"), {**live, "media": [asset.pk + 999]})
    assert "Ukjent bilde eller video" in unknown.content.decode()
    editor_client.post(
        url(w, "edit", post.pk),
        {
            "channels": [w.page.pk],
            "text": TEXT,
            "links": "",
            "action": "save",
            "media": [asset.pk],
            f"alt_{asset.pk}": "Bokhyller med nye bøker",
        },
    )
    post.refresh_from_db()
    assert not any(f["rule"] == "PU-4" for f in post.findings)


def test_approval_queue_and_rejection_over_http(client, world):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.unit_leader)
    queue = client.get(url(w, "approvals")).content.decode()
    assert url(w, "detail", post.pk) in queue
    client.force_login(w.editor)
    assert url(w, "detail", post.pk) not in client.get(url(w, "approvals")).content.decode()
    decide = url(w, "decide", post.pk)
    response = client.post(decide, {"action": "approve", "confirm": "yes"})
    assert response.status_code == 403  # the author may not approve (four eyes)
    assert client.get(f"{decide}?action=approve").status_code == 403
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL
    client.force_login(w.p.outsider)
    assert client.post(decide, {"action": "approve", "confirm": "yes"}).status_code == 404
    assert client.get(f"{decide}?action=approve").status_code == 404
    assert client.get(url(w, "detail", post.pk)).status_code == 404
    client.force_login(w.p.unit_leader)
    client.post(decide, {"action": "reject", "reason": "Vent en uke.", "confirm": "yes"})
    post.refresh_from_db()
    assert post.status == PostStatus.REJECTED and post.rejection_reason == "Vent en uke."


def test_calendar_shows_the_week_and_the_cap(client, world):
    from ordstyrer.publishing.models import ChannelPublishing

    w = world
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True)
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.editor)
    page = client.get(url(w, "calendar")).content.decode()
    assert "Kommunen" in page and url(w, "detail", post.pk) in page
    assert client.get(url(w, "calendar") + "?uke=ikke-en-dato").status_code == 200


def test_media_register_and_consent_pages(client, world):
    w = world
    client.force_login(w.editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url(w, "media"),
        {
            "file": SimpleUploadedFile("klassen.png", png(), content_type="image/png"),
            "alt_text": "Klassen på tur",
        },
    )
    assert response.status_code == 302
    asset = MediaAsset.objects.get(municipality=w.municipality)
    bad = client.post(url(w, "media"), {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")})
    assert "verken et bilde" in bad.content.decode()
    client.post(
        url(w, "media_detail", asset.pk),
        {
            "form": "consent",
            "person_name": "Per (9)",
            "given_by": "Anne, far",
            "given_at": "2026-01-10",
            "is_child": "on",
            "form_file": SimpleUploadedFile("skjema.pdf", b"%PDF signert"),
        },
    )
    consent = Consent.objects.get(asset=asset)
    assert consent.is_child and bytes(consent.form_content) == b"%PDF signert"
    # Withdrawing takes its confirmation, then says what happened to the posts (PU-6).
    withdraw = url(w, "consent_withdraw", asset.pk, consent.pk)
    assert f'href="{withdraw}"' in client.get(url(w, "media_detail", asset.pk)).content.decode()
    withdrawn = client.post(
        withdraw,
        {"confirm": "on", "note": "Foreldrene ombestemte seg."},
        follow=True,
    ).content.decode()
    assert "er stoppet og er utkast igjen" in withdrawn
    client.force_login(w.p.outsider)
    assert client.get(url(w, "media_detail", asset.pk)).status_code == 404


def test_private_check_for_any_member_never_stored(client, world):
    w = world
    client.force_login(w.p.employee)
    before = AuditEntry.objects.count()
    text = "Vi i kommunen har bestemt at eleven Ola har fødselsnummer 15038512363."
    response = client.post(url(w, "private_check"), {"text": text})
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "EM-1" in page and "EM-2" in page and "EM-3" in page
    assert AuditEntry.objects.count() == before
    client.force_login(w.p.outsider)
    assert client.get(url(w, "private_check")).status_code == 404


def test_public_media_url_serves_only_by_token(client, connected):
    """PU-6: the file is served while its post's Instagram delivery is queued (Instagram
    fetches it then), and only by its own token at its own municipality's address."""
    w = connected.world
    asset, _none = person_photo(w, consent=False, as_jpeg=True)  # Instagram takes JPEG
    assert client.get(url(w, "public_media", asset.public_token)).status_code == 404
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[connected.instagram.pk],
        text=TEXT,
        media_ids=[asset.pk],
    )
    post_publish(actor=w.editor, post_id=post.pk)  # queued: its task runs on commit
    assert post.deliveries.get().status == DeliveryStatus.QUEUED
    response = client.get(url(w, "public_media", asset.public_token))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(url(w, "public_media", "x" * 43)).status_code == 404
    assert (
        client.get(
            reverse("publishing:public_media", args=["annen", asset.public_token])
        ).status_code
        == 404
    )


def test_settings_page_sets_domain_and_channel_approval(client, world):
    w = world
    client.force_login(w.p.communications)
    assert client.get(url(w, "settings")).status_code == 200
    client.post(url(w, "settings"), {"form": "site", "website": "pubby.no"})
    w.municipality.refresh_from_db()
    assert w.municipality.website == "pubby.no"
    client.post(
        url(w, "settings"),
        {
            "form": f"c{w.page.pk}",
            f"c{w.page.pk}-approval": "communications",
            f"c{w.page.pk}-four_eyes": "on",
        },
    )
    from ordstyrer.publishing.access import channel_settings

    assert channel_settings(w.page).approval == "communications"
    client.force_login(w.p.archivist)
    assert client.get(url(w, "settings")).status_code == 403


def test_consent_date_in_the_future_is_refused(world):
    from ordstyrer.core.errors import ServiceError
    from ordstyrer.publishing.media import consent_record

    asset = media_upload(
        actor=world.editor,
        municipality=world.municipality,
        filename="a.png",
        content=png(),
        alt_text="Rådhuset",
    )
    with pytest.raises(ServiceError):
        consent_record(
            actor=world.editor,
            asset_id=asset.pk,
            person_name="A",
            given_by="A",
            given_at=date(2999, 1, 1),
        )


def test_a_replayed_approval_says_it_was_decided_already(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
    )
    post_publish(actor=w.editor, post_id=post.pk)
    client.force_login(w.p.unit_leader)
    form = {"action": "approve", "round": "1", "confirm": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(w, "decide", post.pk), form, follow=True)
    assert "Utført." in first.content.decode()
    approved = Post.objects.get(pk=post.pk)
    assert approved.approved_by == w.p.unit_leader
    # The same form again (a double click, Back + submit): nothing happens, and it says so.
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(url(w, "decide", post.pk), form, follow=True)
    body = replay.content.decode()
    assert "Dette er allerede avgjort." in body and "Utført." not in body
    assert Post.objects.get(pk=post.pk).approved_at == approved.approved_at


def _waiting(w, **kw):
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT, **kw
    )
    return post_publish(actor=w.editor, post_id=post.pk)


def test_approving_takes_a_confirmation_that_shows_the_consequence(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    post = _waiting(w)
    assert post.status == PostStatus.AWAITING_APPROVAL
    client.force_login(w.p.unit_leader)
    decide = url(w, "decide", post.pk)
    page = client.get(url(w, "detail", post.pk)).content.decode()
    assert 'value="approve"' not in page and 'value="reject"' not in page
    assert f'href="{decide}?action=approve"' in page
    assert f'href="{decide}?action=reject"' in page
    # The old one-click post does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        old = client.post(url(w, "act", post.pk), {"action": "approve"}, follow=True)
    assert "Ukjent handling." in old.content.decode()
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL

    confirm = client.get(f"{decide}?action=approve").content.decode()
    assert "Bekreft: godkjenn" in confirm and "Biblioteket er åpent" in confirm
    assert "Innlegget publiseres nå på Skolesiden." in confirm
    assert "Sjekk mot retningslinjen" in confirm
    assert 'name="round" value="1"' in confirm and "checked" not in confirm
    assert f'<a href="{url(w, "detail", post.pk)}">Avbryt</a>' in confirm
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL  # a GET: nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide, {"action": "approve", "round": "1", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == url(w, "detail", post.pk)
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED
    # Opening the confirmation again: decided already.
    again = client.get(f"{decide}?action=approve", follow=True).content.decode()
    assert "Dette er allerede avgjort." in again and "Bekreft: godkjenn" not in again


def test_approving_a_post_for_later_says_when(client, world):
    from datetime import timedelta

    from django.utils import timezone

    w = world
    at = timezone.now() + timedelta(days=2)
    post = _waiting(w, publish_at=at)
    client.force_login(w.p.communications)
    confirm = client.get(f"{url(w, 'decide', post.pk)}?action=approve").content.decode()
    when = norwegian_datetime(at)
    assert f"Innlegget publiseres {when} på Skolesiden." in confirm


def test_rejecting_takes_a_confirmation_with_a_reason(client, world):
    w = world
    post = _waiting(w)
    client.force_login(w.p.unit_leader)
    decide = url(w, "decide", post.pk)
    confirm = client.get(f"{decide}?action=reject").content.decode()
    assert "Bekreft: avvis" in confirm and "Forfatteren får begrunnelsen din." in confirm
    assert re.search(r"<textarea[^>]*name=\"reason\"[^>]*>\s*</textarea>", confirm)  # empty
    # No reason: refused on the form, nothing happens.
    empty = client.post(decide, {"action": "reject", "round": "1", "reason": " ", "confirm": "yes"})
    body = empty.content.decode()
    assert empty.status_code == 200 and "field-error" in body and "Bekreft: avvis" in body
    assert 'name="round" value="1"' in body
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL
    form = {"action": "reject", "round": "1", "reason": "Vent en uke.", "confirm": "yes"}
    done = client.post(decide, form, follow=True).content.decode()
    assert "Avvist. Forfatteren har fått begrunnelsen." in done
    rejected = Post.objects.get(pk=post.pk)
    assert rejected.status == PostStatus.REJECTED
    # The same form again: said to be decided already, not a conflict.
    replay = client.post(decide, form, follow=True).content.decode()
    assert "Dette er allerede avgjort." in replay
    assert "Innlegget venter ikke på godkjenning." not in replay
    assert Post.objects.get(pk=post.pk).rejected_at == rejected.rejected_at


def test_a_form_of_an_earlier_round_decides_nothing(client, world):
    from ordstyrer.publishing.services import post_reject

    w = world
    post = _waiting(w)
    post_reject(actor=w.p.unit_leader, post_id=post.pk, reason="Kortere.")
    post_publish(actor=w.editor, post_id=post.pk)  # sent again: round 2
    assert Post.objects.get(pk=post.pk).approval_round == 2
    client.force_login(w.p.communications)
    old = {"action": "approve", "round": "1", "confirm": "yes"}
    replay = client.post(url(w, "decide", post.pk), old, follow=True).content.decode()
    assert "Dette er allerede avgjort." in replay
    assert Post.objects.get(pk=post.pk).status == PostStatus.AWAITING_APPROVAL


def test_withdrawing_stays_one_click_for_the_author(client, world):
    w = world
    post = _waiting(w)
    client.force_login(w.editor)
    page = client.get(url(w, "detail", post.pk)).content.decode()
    assert 'name="action" value="withdraw"' in page
    client.post(url(w, "act", post.pk), {"action": "withdraw"})
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT


def test_a_double_clicked_withdrawal_says_it_is_done_already(client, world):
    w = world
    post = _waiting(w)
    client.force_login(w.editor)
    first = client.post(url(w, "act", post.pk), {"action": "withdraw"}, follow=True)
    again = client.post(url(w, "act", post.pk), {"action": "withdraw"}, follow=True)
    assert "Utført." in first.content.decode()
    page = again.content.decode()
    assert "Innlegget er allerede trukket tilbake." in page and "kan ikke trekkes" not in page
    assert post.events.filter(action="withdraw").count() == 1
    # Another person's withdrawal is no replay of one's own: still refused.
    client.force_login(w.p.communications)
    other = client.post(url(w, "act", post.pk), {"action": "withdraw"}, follow=True)
    assert "Innlegget kan ikke trekkes tilbake nå." in other.content.decode()


# ------------------------------------------------------------------ own contact details

IDENTITY = {
    "form": "site",
    "website": "https://Pubby.no/",
    "contact_title": "kommunikasjonsrådgiver",
    "contact_name": "Petra Pubby",
    "contact_phone": "+47 12 34 56 78",
    "contact_email": "petra@pubby.invalid",
    "inquiry_email": "post@pubby.invalid",
    "inquiry_phone": "12 34 56 00",
}


def test_settings_page_sets_the_municipalitys_own_contact_details(client, world):
    from ordstyrer.tenants.selectors import policy_for

    w = world
    client.force_login(w.p.chief_administrator)
    page = client.get(url(w, "settings")).content.decode()
    assert "Kommunens nettsted og kontaktopplysninger" in page
    assert "(EM-9)" in page and "(DI-7)" in page and "(PU-9)" in page
    # «Pubby» is on Indre Fosen's preset: nothing of Indre Fosen's, as value or placeholder.
    assert "Kari Klepp" not in page and "97 51 40 96" not in page
    assert "indrefosen.kommune.no" not in page
    response = client.post(url(w, "settings"), IDENTITY, follow=True)
    assert "Lagret." in response.content.decode()
    w.municipality.refresh_from_db()
    policy = policy_for(municipality=w.municipality)
    assert policy.domains == ("pubby.no",)
    assert policy.contact is not None and policy.contact.name == "Petra Pubby"
    assert policy.formal_inquiry is not None and policy.formal_inquiry.email == "post@pubby.invalid"
    page = client.get(url(w, "settings")).content.decode()
    assert 'value="Petra Pubby"' in page and 'value="pubby.no"' in page
    # The same again changes nothing and says so.
    again = client.post(url(w, "settings"), IDENTITY, follow=True).content.decode()
    assert "Ingen endringer." in again
    assert AuditEntry.objects.filter(action="municipality_identity_update").count() == 1


def test_settings_page_shows_a_refusal_on_the_form_and_keeps_what_was_typed(client, world):
    w = world
    client.force_login(w.p.communications)
    response = client.post(url(w, "settings"), {**IDENTITY, "contact_phone": "123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "ikke et norsk telefonnummer" in page and 'value="Petra Pubby"' in page
    w.municipality.refresh_from_db()
    assert w.municipality.contact_name == ""


def test_settings_page_identity_is_for_communications_and_the_chief_administrator(client, world):
    w = world
    client.force_login(w.editor)  # manages a channel: sees the page, not the identity form
    page = client.get(url(w, "settings")).content.decode()
    assert "Kommunens nettsted og kontaktopplysninger" not in page
    client.post(url(w, "settings"), IDENTITY)
    w.municipality.refresh_from_db()
    assert w.municipality.website == ""
    client.force_login(w.p.outsider)
    assert client.get(url(w, "settings")).status_code == 404
    assert client.post(url(w, "settings"), IDENTITY).status_code == 404


def test_the_presets_own_municipality_sees_the_presets_details_as_placeholders(client, db):
    from tests.publishing.conftest import make_world

    w = make_world("indre-fosen", "indre-fosen")
    client.force_login(w.p.communications)
    page = client.get(url(w, "settings")).content.decode()
    assert 'placeholder="Kari Klepp"' in page and 'placeholder="97 51 40 96"' in page
    assert 'placeholder="indrefosen.kommune.no"' in page
    # Placeholders, not values: nothing is stored by saving the empty form.
    assert 'value="Kari Klepp"' not in page
    client.post(url(w, "settings"), {"form": "site"})
    w.municipality.refresh_from_db()
    assert w.municipality.contact_name == "" and w.municipality.website == ""
