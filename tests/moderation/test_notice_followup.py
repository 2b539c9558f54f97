"""Notices that arrive (#15, MO-4): the notice has its own state; private first where the
platform allows it; a failure is visible on the item and in the log with retry, copy
and "given another way"; a public notice never names the person; the municipality
speaks in its own name, website and complaint address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ErrorCode
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.moderation import bans, notice_followup, services
from ordstyrer.moderation.models import ModerationAction, ModerationSettings
from tests.moderation.conftest import (
    citizen_comment,
    client_for,
    fail_next,
    messages_off_next,
    on_platform,
)

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def private_replies(channel) -> dict:
    with channel_connector(channel) as connector:
        return dict(connector.platform.state.get("private_replies", {}))


def public_comments_with(channel, needle: str) -> list[str]:
    with channel_connector(channel) as connector:
        return [
            c["text"]
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and needle in c["text"]
        ]


def delete(world, item, capture):
    with capture(execute=True):
        return services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY
        )


def test_private_first_names_the_person_only_in_private(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    action = delete(world, item, django_capture_on_commit_callbacks)
    action.refresh_from_db()
    assert (action.notice_state, action.notice_via) == ("sent", "private_reply")
    sent = private_replies(world.channel)[item.platform_id]
    assert sent["text"].startswith("Hei Ola! Vi har slettet en kommentar")
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    # The municipality speaks in its own name, not the preset's (Indre Fosen).
    assert "Modby kommune sletter kommentarer" in sent["text"]
    assert "Indre Fosen" not in sent["text"] and "indrefosen" not in sent["text"]
    assert not public_comments_with(world.channel, "Vi har slettet")


def test_a_failed_notice_is_visible_and_can_be_sent_publicly_without_the_name(
    world, django_capture_on_commit_callbacks
):
    # The website is the municipality's identity (one source, MO-4); the complaint
    # address a moderation setting.
    world.municipality.website = "modby.kommune.example"
    world.municipality.save(update_fields=["website"])
    ModerationSettings.objects.create(
        municipality=world.municipality,
        complaint_address="postmottak@modby.kommune.example",
    )
    item = citizen_comment(world.channel, SPAM)
    messages_off_next(world.channel)
    action = delete(world, item, django_capture_on_commit_callbacks)
    action.refresh_from_db()
    assert action.status == "done"  # the deletion stands ...
    assert action.notice_state == "failed"  # ... and the notice's failure shows
    assert on_platform(world.channel, item.platform_id)["removed"] is True

    admin = client_for(world.admin)
    page = admin.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    html = page.content.decode()
    assert "Beskjeden til forfatteren kom ikke fram (MO-4)" in html
    assert "Meldinger er slått av for siden." in html
    assert "Send som offentlig kommentar, uten navn" in html
    assert "Send som privat melding" not in html  # the comment is gone
    assert "Kopier teksten" in html and "Registrer at beskjeden er gitt" in html
    log = admin.get(reverse("moderation:log", args=[world.municipality.slug]) + "?vis=failed")
    assert "følg opp" in log.content.decode() and "Feilet (1)" in log.content.decode()

    retry = reverse("moderation:notice_retry", args=[world.municipality.slug, action.pk])
    # An outsider gets 404, a moderator of another channel 403; nothing is sent.
    assert client_for(world.p.outsider).post(retry, {"via": "public"}).status_code == 404
    assert client_for(world.other_admin).post(retry, {"via": "public"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        for _twice in range(2):  # a double click sends once
            assert admin.post(retry, {"via": "public"}).status_code == 302
    action.refresh_from_db()
    assert (action.notice_state, action.notice_via) == ("sent", "public_reply")
    (public,) = public_comments_with(world.channel, "Vi har slettet")
    assert public.startswith("Hei! Vi har slettet") and "Ola" not in public
    assert "postmottak@modby.kommune.example (les mer på modby.kommune.example)" in public
    assert ArchiveRecord.objects.filter(kind="journal_outbound").count() == 1


def test_given_another_way_is_recorded_with_the_note(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "private_reply", code=ErrorCode.PERMISSION, permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        ban = bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert ban.notice_state == "failed"
    with pytest.raises(ServiceError, match="hvordan forfatteren fikk beskjed"):
        notice_followup.notice_mark_delivered(actor=world.main_admin, action=ban, note="ok")
    for _twice in range(2):
        notice_followup.notice_mark_delivered(
            actor=world.main_admin, action=ban, note="Ringt 5. mai, forklarte hvorfor."
        )
    ban.refresh_from_db()
    assert (ban.notice_state, ban.notice_via) == ("delivered_by_hand", "by_hand")
    record = ArchiveRecord.objects.get(kind="journal_outbound")
    assert "Ringt 5. mai" in record.canonical
    # The comment is still there after a ban: sending it privately is possible too.
    page = client_for(world.main_admin).get(
        reverse("moderation:action", args=[world.municipality.slug, ban.pk])
    )
    assert "Gitt på en annen måte" in page.content.decode()


def test_a_failed_ban_notice_can_be_sent_privately_again(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    fail_next(world.channel, "private_reply", retry_after=None, permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        ban = bans.author_ban(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    html = (
        client_for(world.main_admin)
        .get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
        .content.decode()
    )
    assert "Send som privat melding" in html
    with django_capture_on_commit_callbacks(execute=True):
        notice_followup.notice_retry(actor=world.main_admin, action=ban, private=True)
    ban.refresh_from_db()
    assert ban.notice_state == "sent"
    assert private_replies(world.channel)[item.platform_id]["text"].startswith("Hei Ola!")
    assert ModerationAction.objects.filter(kind="ban").count() == 1


def test_the_notice_reads_as_norwegian_in_both_standards(db):
    """Language review 2026-12 (rows 9–12): the ground is a noun phrase in "Grunnen er: …",
    "bare"/"berre" stands where it means what the guideline says."""
    from ordstyrer.moderation.notices import render_notice
    from ordstyrer.tenants.selectors import policy_for
    from tests.conftest import make_personas

    policy = policy_for(municipality=make_personas("mtby", "midt-telemark").municipality)
    for standard, ground, lead in (
        ("nb", "Grunnen er: omtale av tredjepersoner med navn.", "sletter kommentarer bare i"),
        ("nn", "Grunnen er: omtale av tredjepersonar med namn.", "slettar kommentarar berre i"),
    ):
        notice = render_notice(
            kind="delete",
            policy=policy,
            ground="third_party_naming",
            written_standard=standard,
            author_name="",
            channel_name="Biblioteket",
            municipality_name="Mtby kommune",
        )
        assert ground in notice.text and lead in notice.text
        assert notice.text.startswith("Hei! ")  # a public notice names nobody
