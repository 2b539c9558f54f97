"""Replies: checked like posts before they go out, templates in the citizen's written
standard, DI-9 signature, sent after commit through the connector, retried, restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import ItemStatus, Referral, Reply, ReplyStatus
from ordstyrer.inbox.replies import (
    ReplyRefused,
    replies_retry_sweep,
    reply_send,
    reply_suggestion,
)
from tests.inbox.conftest import LATER, comment, ingest, make_world

FODSELSNUMMER = "15058310058"  # valid check digits, not a real person


def test_personal_data_blocks_the_reply(world, item, fake_platform, send):
    with pytest.raises(ReplyRefused) as refused:
        send(actor=world.editor, item=item, text=f"Vi har registrert {FODSELSNUMMER} på deg.")
    assert refused.value.code == "blocked" and refused.value.rule == "PU-1"
    assert [f.rule for f in refused.value.findings] == ["PU-1"]
    assert Reply.objects.count() == 0 and fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


def test_override_reason_is_needed_for_a_warning_and_recorded(world, item, fake_platform, send):
    text = "Ring servicetorget på 412 34 567, så hjelper de deg."
    with pytest.raises(ReplyRefused) as refused:
        send(actor=world.editor, item=item, text=text)
    assert refused.value.code == "needs_override"
    reply = send(
        actor=world.editor, item=item, text=text, override_reason="Servicetorgets eget nummer."
    )
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert reply.override_reason == "Servicetorgets eget nummer."
    assert [f["rule"] for f in reply.findings] == ["PU-1"]
    entry = AuditEntry.objects.get(action="inbox_reply")
    assert entry.data["override_reason"] == "Servicetorgets eget nummer."
    assert entry.actor == world.editor


def test_reply_goes_out_after_commit_with_its_platform_id(world, item, fake_platform, send):
    reply = send(actor=world.editor, item=item, text="Svømmehallen åpner mandag kl. 07.")
    reply.refresh_from_db()
    item.refresh_from_db()
    world.channel.refresh_from_db()
    assert fake_platform.sent == [("c1", "Svømmehallen åpner mandag kl. 07.")]
    assert reply.platform_id == "our-1" and reply.sent_at == LATER
    assert item.status == ItemStatus.ANSWERED and not item.open
    assert item.first_responded_at == LATER and item.resolution_in_time
    assert item.first_response_seconds == 20 * 60
    assert world.channel.last_activity_at == LATER  # CH-8


def test_nothing_is_sent_when_the_transaction_rolls_back(world, item, fake_platform):
    with time_machine.travel(LATER, tick=False):
        reply_send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    # The test's transaction never commits: no on_commit, no platform call.
    assert fake_platform.sent == []
    assert Reply.objects.get().status == ReplyStatus.QUEUED


def test_transient_error_retries_with_backoff(world, item, fake_platform, send):
    fake_platform.failures.append(
        ConnectorError("Midlertidig feil.", permanent=False, code=ErrorCode.TRANSIENT)
    )
    reply = send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.RETRYING and reply.attempts == 1
    assert reply.next_attempt_at == LATER + timedelta(seconds=30)
    assert replies_retry_sweep(now=LATER + timedelta(seconds=10)) == 0
    with time_machine.travel(LATER + timedelta(seconds=31), tick=False):
        assert replies_retry_sweep(now=LATER + timedelta(seconds=31)) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.QUEUED  # re-queued; the task runs on commit


def test_retry_sweep_then_delivery(
    world, item, fake_platform, send, django_capture_on_commit_callbacks
):
    fake_platform.failures.append(
        ConnectorError("Vent litt.", permanent=False, retry_after=120, code=ErrorCode.THROTTLED)
    )
    reply = send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    reply.refresh_from_db()
    assert reply.next_attempt_at == LATER + timedelta(seconds=120)  # platform's wait wins
    at = LATER + timedelta(minutes=3)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        replies_retry_sweep(now=at)
    reply.refresh_from_db()
    # The throttled try used up no attempt (meta-graph-api §3.4: wait, do not give up).
    assert reply.status == ReplyStatus.SENT and reply.attempts == 1
    assert fake_platform.sent == [("c1", "Svømmehallen åpner mandag.")]


def test_permanent_error_restores_the_item_and_tells_the_author(world, item, fake_platform, send):
    fake_platform.failures.append(
        ConnectorError("Kommentaren finnes ikke lenger.", permanent=True, code="not_found")
    )
    reply = send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    reply.refresh_from_db()
    item.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert item.status == ItemStatus.NEW and item.open
    assert item.first_responded_at is None and item.resolved_at is None
    assert item.due_at == item.first_response_due
    assert item.events.filter(action="reply_failed").exists()
    assert [m.to for m in mail.outbox] == [[world.editor.email]]


def test_unfilled_template_text_is_not_sent(world, item, fake_platform, send):
    text = reply_suggestion(item=item, actor=world.editor, code="correct").text
    with pytest.raises(ServiceError):
        send(actor=world.editor, item=item, text=text, template="correct")


def test_nynorsk_comment_gets_a_nynorsk_template(world, fake_platform, send):
    nn_item = ingest(world.channel, comment("c2", "Kor tid opnar symjehallen att etter ferien?"))
    assert nn_item.written_standard == "nn"
    suggestion = reply_suggestion(item=nn_item, actor=world.editor, code="acknowledge")
    assert suggestion.language == "nn"
    assert suggestion.text.startswith("Hei Kari! Takk for at du tek kontakt.")
    # Language review 2026-12, row 1: Nynorsk "førespurnad", not "henvending".
    assert "førespurnaden din" in suggestion.text and "henvendelsen" not in suggestion.text
    assert "henvending" not in suggestion.text
    reply = send(actor=world.editor, item=nn_item, text=suggestion.text, template="acknowledge")
    reply.refresh_from_db()
    nn_item.refresh_from_db()
    assert reply.language == "nn" and reply.status == ReplyStatus.SENT
    assert nn_item.status == ItemStatus.ACKNOWLEDGED and nn_item.open
    assert nn_item.due_at == nn_item.resolution_due


def test_bokmal_comment_gets_bokmal(world, item):
    suggestion = reply_suggestion(item=item, actor=world.editor, code="thank")
    assert suggestion.language == "nb"
    assert (
        suggestion.text
        == "Tusen takk for hyggelig tilbakemelding, Kari! Det setter vi stor pris på."
    )


@pytest.fixture
def gausdal(db):
    return make_world("gausby", "gausdal")


def test_di9_template_is_signed_with_the_editors_first_name(gausdal, fake_platform, send):
    item = ingest(gausdal.channel, comment("g1"))
    suggestion = reply_suggestion(item=item, actor=gausdal.editor, code="acknowledge")
    assert suggestion.text.endswith("\n\nHilsen Sigrid")
    reply = send(actor=gausdal.editor, item=item, text=suggestion.text, template="acknowledge")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT


def test_di9_unsigned_reply_is_blocked(gausdal, fake_platform, send):
    item = ingest(gausdal.channel, comment("g1"))
    with pytest.raises(ReplyRefused) as refused:
        send(actor=gausdal.editor, item=item, text="Svømmehallen åpner mandag.")
    assert refused.value.rule == "DI-9" and refused.value.code == "blocked"
    with pytest.raises(ReplyRefused):  # someone else's name is not your own first name
        send(actor=gausdal.editor, item=item, text="Svømmehallen åpner mandag.\n\nHilsen Kari")


def test_di9_nynorsk_sign_off(gausdal):
    item = ingest(gausdal.channel, comment("g2", "Kor tid opnar symjehallen att etter ferien?"))
    text = reply_suggestion(item=item, actor=gausdal.editor, code="thank").text
    assert text.endswith("\n\nHelsing Sigrid")


def test_no_signature_where_the_preset_does_not_ask(world, item):
    text = reply_suggestion(item=item, actor=world.editor, code="acknowledge").text
    assert "Hilsen" not in text


def test_refer_formal_template_records_a_referral_for_journaling(world, item, fake_platform, send):
    suggestion = reply_suggestion(item=item, actor=world.editor, code="refer_formal")
    # «Innby» adopted Indre Fosen's preset: its own post office, never Indre Fosen's site.
    assert "postmottaket i Innby kommune" in suggestion.text
    assert "indrefosen" not in suggestion.text
    send(actor=world.editor, item=item, text=suggestion.text, template="refer_formal")
    item.refresh_from_db()
    referral = Referral.objects.get(item=item)
    assert item.status == ItemStatus.REFERRED and referral.kind == "formal"
    assert referral.journal_state == "journaled"  # AR-1, in the same transaction
    record = ArchiveRecord.objects.get(pk=referral.journal_reference)
    assert record.municipality_id == world.municipality.pk
    assert record.kind == "journal_inbound"


def test_refer_formal_names_the_address_an_adopter_sets_itself(world, item):
    from ordstyrer.tenants.services import municipality_identity_update

    municipality_identity_update(
        actor=world.p.communications,
        municipality=world.municipality,
        inquiry_email="post@innby.invalid",
        inquiry_phone="12 34 56 00",
    )
    item.channel.municipality.refresh_from_db()
    text = reply_suggestion(item=item, actor=world.editor, code="refer_formal").text
    assert "på e-post til post@innby.invalid, eller ring 12 34 56 00" in text
    assert "indrefosen" not in text


def test_refer_formal_names_the_municipalitys_own_address(db, fake_platform):
    mt = make_world("midt-telemark", "midt-telemark")
    item = ingest(mt.channel, comment("m1"))
    text = reply_suggestion(item=item, actor=mt.editor, code="refer_formal").text
    assert "på e-post til post@mt.kommune.no, eller ring 35 05 90 00" in text


def test_political_referral_records_where_it_went(world, item, fake_platform, send):
    text = reply_suggestion(
        item=item, actor=world.editor, code="refer_political", target="formannskapet"
    ).text
    assert "videre til formannskapet" in text
    send(
        actor=world.editor,
        item=item,
        text=text,
        template="refer_political",
        referral_target="formannskapet",
    )
    referral = Referral.objects.get(item=item)
    assert (referral.kind, referral.target) == ("political", "formannskapet")


def test_removed_comment_cannot_be_answered(world, item, fake_platform, send):
    ingest(world.channel, comment("c1", "", removed=True), LATER)
    item.refresh_from_db()
    with pytest.raises(ServiceError):
        send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")


def test_di12_sensitive_items_are_never_answered(db, fake_platform, send):
    birkenes = make_world("birkby", "birkenes")
    item = ingest(
        birkenes.channel,
        comment("s1", "Kari Hansen på Solbakken har kreft og får ikkje hjelp av kommunen."),
    )
    assert item.category == "sensitive" or "sensitive" in item.categories
    with pytest.raises(ServiceError) as refused:
        send(actor=birkenes.editor, item=item, text="Vi ser på saken.")
    assert refused.value.rule == "DI-12"
    assert fake_platform.sent == []
