"""Moderation services end to end on the simulated page: hide first, delete on an allowed
ground (archived first, MO-2; the author told why, MO-4), the second approver, who may
moderate (CH-3, MO-5), and automatic rules that never delete (MO-1, HS-02)."""

from __future__ import annotations

import json

import pytest

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.models import (
    ActionKind,
    ActionStatus,
    ModerationAction,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.services import (
    comment_delete,
    comment_hide,
    comment_unhide,
    deletion_approve,
    deletion_reject,
)
from tests.moderation.conftest import (
    citizen_comment,
    make_world,
    on_platform,
    platform_events,
    public_notices,
)

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."

pytestmark = pytest.mark.django_db


def page_comments(channel, text: str) -> int:
    from ordstyrer.inbox.platform import channel_connector

    with channel_connector(channel) as connector:
        return sum(
            1
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and c["text"] == text and not c["removed"]
        )


# --- hide -------------------------------------------------------------------------------


def test_hide_is_reversible_and_needs_no_ground(world, run):
    item = citizen_comment(world.channel, SPAM)
    hidden = run(comment_hide, actor=world.admin, item=item)
    assert hidden.status == ActionStatus.DONE
    assert on_platform(world.channel, item.platform_id)["hidden"] is True
    item.refresh_from_db()
    assert item.hidden and item.removed_at is None
    assert not ArchiveRecord.objects.exists()  # hiding without a ground is not archived
    assert "mod_hide" in set(item.events.values_list("action", flat=True))

    with pytest.raises(ServiceError, match="allerede skjult"):
        comment_hide(actor=world.admin, item=item)
    shown = run(comment_unhide, actor=world.admin, item=item, justification="Var ikke spam.")
    assert shown.status == ActionStatus.DONE
    assert on_platform(world.channel, item.platform_id)["hidden"] is False
    item.refresh_from_db()
    assert not item.hidden


def test_unhiding_while_the_hide_runs_is_a_conflict(world, run):
    """A state the request cannot change (409 in the API), not a bad request (422)."""
    from tests.api.conftest import ApiClient, token_for

    item = citizen_comment(world.channel, SPAM)
    comment_hide(actor=world.admin, item=item)  # queued; its platform call has not run
    with pytest.raises(Conflict, match="Skjulingen er ikke ferdig ennå") as caught:
        comment_unhide(actor=world.admin, item=item)
    assert caught.value.code == "hide_running"
    api = ApiClient(token_for(world.p.communications, world.municipality))
    response = api.post(
        f"/api/v1/m/{world.municipality.slug}/inbox/items/{item.pk}/moderation",
        {"action": "unhide", "reason": "Var ikke spam."},
    )
    assert response.status_code == 409, response.content
    assert "Skjulingen er ikke ferdig ennå" in response.json()["detail_nb"]


def test_hide_with_a_ground_documents_it_in_the_archive(world, run):
    item = citizen_comment(world.channel, "Innvandrerne er en pest for bygda. Jag dem ut!")
    action = run(
        comment_hide,
        actor=world.admin,
        item=item,
        ground="hate_speech",
        justification="Hatefull ytring; vurderes for anmeldelse.",
    )
    record = action.archive_record
    assert record.kind == "hidden_comment" and record.ground == "hate_speech"
    assert on_platform(world.channel, item.platform_id)["removed"] is False


# --- delete -----------------------------------------------------------------------------


def test_delete_archives_first_then_deletes_and_tells_the_author(world, run):
    public_notices(world.municipality)
    item = citizen_comment(world.channel, SPAM)
    run(comment_hide, actor=world.admin, item=item)  # hiding is the first step
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)

    assert action.status == ActionStatus.DONE
    assert [(op.kind, op.status) for op in action.ops.order_by("pk")] == [
        (OpKind.CAPTURE, OpStatus.DONE),
        (OpKind.DELETE, OpStatus.DONE),
        (OpKind.NOTICE, OpStatus.DONE),
    ]
    # MO-2: the record holds what was said, by whom, where, when, why and who decided.
    record = action.archive_record
    body = json.loads(record.canonical)
    assert record.kind == "deleted_comment" and record.action == "delete"
    assert body["said"]["text"] == SPAM
    assert body["author"]["name"] == "Ola Nordmann"
    assert body["author"]["platform_user_id"] == "sim-user-901"
    assert (
        body["where"]["channel_name"] == "Skolen" and body["where"]["item_id"] == item.platform_id
    )
    assert body["where"]["post_id"] == item.post_id
    assert body["ground"] == "spam" and body["justification"] == WHY
    assert body["actor"]["id"] == world.admin.pk
    assert body["when"]["created"] and body["when"]["captured"]
    # The platform's own JSON, read from the platform just before the record was written.
    assert json.loads(body["raw"]) == {
        "simulated": {"category": None, "lang": None, "original_text": None}
    }
    assert body["extra"]["capture"] == "platform"
    # Gone from the platform, once.
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    assert platform_events(world.channel, item.platform_id, "remove") == 1
    # MO-4: the notice went out as a comment on the post, and is archived as U.
    assert action.notify and action.notice_language == "nb"
    assert "Grunnen er: spam." in action.notice_text
    assert page_comments(world.channel, action.notice_text) == 1
    notice = ArchiveRecord.objects.get(kind="journal_outbound")
    assert notice.text == action.notice_text and notice.refers_to_sequence == record.sequence
    # The inbox item: closed as moderated, marked removed by us (not by its author).
    item.refresh_from_db()
    assert item.status == "closed" and item.close_reason == "moderated"
    assert item.removed_at is not None
    events = list(item.events.values_list("action", flat=True))
    assert "removed" not in events and "mod_notice" in events
    assert verify_chain(world.municipality.pk).ok


def test_the_notice_follows_the_comments_nynorsk(world, run):
    public_notices(world.municipality)
    item = citizen_comment(
        world.channel, "Tjen pengar heimanfrå!!! Klikk her og bli rik på ei veke: bit.ly/rask"
    )
    item.written_standard = "nn"  # as triage says for a Nynorsk comment
    item.save(update_fields=["written_standard"])
    action = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert action.notice_language == "nn"
    # A public notice never names the person (#15).
    assert action.notice_text.startswith("Hei! Vi har sletta ein kommentar")
    assert "Ola" not in action.notice_text
    assert page_comments(world.channel, action.notice_text) == 1


def test_delete_on_a_ground_the_guideline_does_not_give_is_refused(world, run):
    item = citizen_comment(world.channel, "Ordføreren er en idiot og burde gå av.")
    with pytest.raises(ServiceError) as caught:
        comment_delete(actor=world.admin, item=item, ground="personal_attack", justification=WHY)
    assert caught.value.rule == "MO-1"
    assert "Terskelen for å slette kommentarer" in str(caught.value.message)
    assert not ModerationAction.objects.exists() and not PlatformOp.objects.exists()
    assert on_platform(world.channel, item.platform_id)["removed"] is False


def test_delete_needs_a_justification(world):
    item = citizen_comment(world.channel, SPAM)
    with pytest.raises(ServiceError, match="begrunnelse"):
        comment_delete(actor=world.admin, item=item, ground="spam", justification="  spam ")
    assert not ModerationAction.objects.exists()


def test_gausdal_cannot_delete_or_ban_but_can_hide(db, clock, run):
    from ordstyrer.moderation.bans import author_ban

    world = make_world("gausby", "gausdal")
    item = citizen_comment(world.channel, SPAM)
    for service in (comment_delete, author_ban):
        with pytest.raises(ServiceError) as caught:
            service(actor=world.p.communications, item=item, ground="spam", justification=WHY)
        assert caught.value.code == "no_grounds"
        # «Gausby» adopted Gausdal's guideline: it is Gausby's own now.
    assert "Retningslinjen til Gausby kommune gir ingen grunnlag" in str(caught.value.message)
    assert run(comment_hide, actor=world.admin, item=item).status == ActionStatus.DONE
    assert on_platform(world.channel, item.platform_id)["hidden"] is True


def test_a_comment_is_deleted_once(world, run):
    item = citizen_comment(world.channel, SPAM)
    run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    item.refresh_from_db()
    with pytest.raises(ServiceError):
        comment_delete(actor=world.main_admin, item=item, ground="spam", justification=WHY)
    assert ModerationAction.objects.filter(kind=ActionKind.DELETE).count() == 1
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1


# --- the second approver ----------------------------------------------------------------


def test_second_approver_hides_first_and_another_moderator_approves(world, run):
    settings = settings_for(world.municipality)
    settings.second_approver = True
    settings.save()
    item = citizen_comment(world.channel, SPAM)

    asked = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    assert asked.status == ActionStatus.PENDING_APPROVAL
    # Hidden while it waits; nothing archived or deleted yet.
    assert on_platform(world.channel, item.platform_id)["hidden"] is True
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    assert not ArchiveRecord.objects.exists()
    assert not PlatformOp.objects.filter(kind__in=[OpKind.CAPTURE, OpKind.DELETE]).exists()

    with pytest.raises(ServiceError, match="En annen person"):
        deletion_approve(actor=world.admin, action=asked)
    with pytest.raises(NotPermitted):  # an editor answers but does not moderate
        deletion_approve(actor=world.editor, action=asked)
    with pytest.raises(NotPermitted):  # an administrator of another channel
        deletion_approve(actor=world.other_admin, action=asked)

    approved = run(deletion_approve, actor=world.main_admin, action=asked)
    assert approved.status == ActionStatus.DONE
    assert approved.approved_by == world.main_admin and approved.requested_by == world.admin
    body = json.loads(approved.archive_record.canonical)
    assert body["actor"]["id"] == world.main_admin.pk
    assert body["extra"]["requested_by"] == world.admin.get_full_name()
    assert on_platform(world.channel, item.platform_id)["removed"] is True


def test_a_rejected_deletion_leaves_the_comment_hidden_and_unarchived(world, run):
    settings = settings_for(world.municipality)
    settings.second_approver = True
    settings.save()
    item = citizen_comment(world.channel, SPAM)
    asked = run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    with pytest.raises(ServiceError):
        deletion_reject(actor=world.main_admin, action=asked, reason="  ")
    rejected = run(
        deletion_reject, actor=world.main_admin, action=asked, reason="Ikke spam: en lokal bedrift."
    )
    assert rejected.status == ActionStatus.REJECTED
    assert on_platform(world.channel, item.platform_id)["removed"] is False
    assert not ArchiveRecord.objects.exists()
    with pytest.raises(ServiceError):
        deletion_approve(actor=world.p.communications, action=rejected)
    # A new request may follow a rejected one.
    run(
        comment_delete,
        actor=world.admin,
        item=InboxItem.objects.get(pk=item.pk),
        ground="spam",
        justification=WHY,
    )
    assert ModerationAction.objects.filter(kind="delete").count() == 2


# --- who may moderate -------------------------------------------------------------------


def test_only_the_channels_administrators_and_communications_moderate(world, run):
    item = citizen_comment(world.channel, SPAM)
    for person in (
        world.editor,
        world.other_editor,
        world.other_admin,
        world.p.unit_leader,
        world.p.chief_administrator,
    ):
        with pytest.raises(NotPermitted):
            comment_hide(actor=person, item=item)
        with pytest.raises(NotPermitted):
            comment_delete(actor=person, item=item, ground="spam", justification=WHY)
    with pytest.raises(NotFound):  # another municipality: the item does not exist for them
        comment_hide(actor=world.p.outsider, item=item)
    assert not ModerationAction.objects.exists()
    assert run(comment_hide, actor=world.p.communications, item=item).status == "done"


def test_midt_telemark_leaves_deletion_to_the_main_administrator(db, clock, run):
    world = make_world("mtby", "midt-telemark")
    item = citizen_comment(world.channel, "Rektor Hansen er en løgner og burde sparkes.")
    with pytest.raises(NotPermitted, match="MO-5"):
        comment_delete(actor=world.admin, item=item, ground="personal_attack", justification=WHY)
    assert run(comment_hide, actor=world.admin, item=item).status == "done"  # hiding is fine
    done = run(
        comment_delete,
        actor=world.main_admin,
        item=InboxItem.objects.get(pk=item.pk),
        ground="personal_attack",
        justification=WHY,
    )
    assert done.status == ActionStatus.DONE


# --- automatic rules ----------------------------------------------------------------------


def test_automatic_rules_hide_or_flag_and_never_delete(world, run):
    from ordstyrer.moderation.auto import auto_sweep, validate_rules

    with pytest.raises(ServiceError) as caught:
        validate_rules([{"category": "spam", "action": "delete"}])
    assert caught.value.rule == "MO-1" and caught.value.code == "auto_delete"
    with pytest.raises(ServiceError, match="Bare en person"):
        comment_delete(
            actor=None, item=citizen_comment(world.channel, SPAM), ground="spam", justification=WHY
        )

    settings = settings_for(world.municipality)
    settings.auto_rules = validate_rules(
        [{"category": "spam", "action": "hide"}, {"category": "hate_speech", "action": "flag"}]
    )
    settings.save()
    spam = InboxItem.objects.get(text=SPAM)
    hate = citizen_comment(
        world.channel,
        "Innvandrerne er en pest for bygda. Jag dem ut!",
        author=("sim-user-902", "Per Hansen"),
    )
    question = citizen_comment(
        world.channel,
        "Når åpner svømmehallen igjen etter ferien?",
        author=("sim-user-903", "Kari Li"),
    )
    assert (spam.category, hate.category, question.category) == ("spam", "hate_speech", "question")

    from django.utils import timezone

    looked = run(auto_sweep, now=timezone.now())
    assert looked == 3
    assert run(auto_sweep, now=timezone.now()) == 0  # each comment once
    kinds = dict(ModerationAction.objects.values_list("item_id", "kind").order_by("kind"))
    assert set(ModerationAction.objects.filter(item=spam).values_list("kind", flat=True)) == {
        "hide",
        "flag",
    }
    assert kinds[hate.pk] == "flag"
    assert not ModerationAction.objects.filter(item=question).exists()
    assert all(a.automatic and a.requested_by is None for a in ModerationAction.objects.all())
    assert on_platform(world.channel, spam.platform_id)["hidden"] is True
    assert on_platform(world.channel, hate.platform_id)["hidden"] is False
    # Never a deletion, never a deletion record.
    assert not ModerationAction.objects.filter(kind__in=["delete", "ban"]).exists()
    assert not PlatformOp.objects.filter(kind__in=["capture", "delete", "block"]).exists()
    assert not ArchiveRecord.objects.exists()
    assert on_platform(world.channel, spam.platform_id)["removed"] is False
