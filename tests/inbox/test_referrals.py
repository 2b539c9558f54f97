"""Case processing, politics, escalation and employees' reports (DI-7, DI-8, DI-10, DI-11)."""

from __future__ import annotations

import pytest
from django.core import mail

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem, ItemKind, ItemStatus, UnwantedReport
from ordstyrer.inbox.referrals import escalation_includes_chief, item_escalate, item_refer
from ordstyrer.inbox.reports_unwanted import comment_ids_in, unwanted_report
from ordstyrer.policy import load_policy
from tests.inbox.conftest import comment, ingest, make_world


def test_formal_referral_is_journaled_in_the_same_transaction(world):
    item = ingest(world.channel, comment("c1", "Jeg har søkt om byggetillatelse, hva skjer?"))
    referral = item_refer(actor=world.editor, item=item, kind="formal", note="Byggesak")
    item.refresh_from_db()
    assert item.status == ItemStatus.REFERRED and not item.open
    assert referral.journal_state == "journaled"
    record = ArchiveRecord.objects.get(pk=referral.journal_reference)
    assert record.kind == "journal_inbound"
    assert item.events.filter(action="refer_formal").exists()


def test_political_referral_needs_the_body_it_went_to(world):
    item = ingest(world.channel, comment("c1", "Hvorfor skal skolen legges ned?"))
    with pytest.raises(ServiceError) as refused:
        item_refer(actor=world.editor, item=item, kind="political")
    # Refused everywhere; it names DI-8 only where the guideline has it, which Indre
    # Fosen's does not (Birkenes': test_s15_rule_ids).
    assert refused.value.rule is None
    referral = item_refer(actor=world.editor, item=item, kind="political", target="kommunestyret")
    assert (referral.kind, referral.target, referral.journal_state) == (
        "political",
        "kommunestyret",
        "not_needed",
    )


@pytest.mark.parametrize(
    ("preset", "chief"),
    [("gausdal", True), ("indre-fosen", False), ("birkenes", False), ("rennebu", False)],
)
def test_escalation_brings_in_the_radmann_team_where_the_preset_says_so(preset, chief):
    assert escalation_includes_chief(load_policy(preset)) is chief


@pytest.mark.parametrize(("preset", "chief"), [("gausdal", True), ("indre-fosen", False)])
def test_escalation_mails_communications_and_per_preset_the_chief(
    db, preset, chief, django_capture_on_commit_callbacks
):
    world = make_world(f"esk-{preset}", preset)
    item = ingest(world.channel, comment("c1"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = item_escalate(actor=world.editor, item=item, note="Kan bli en mediesak.")
    item.refresh_from_db()
    assert item.escalated_at is not None and item.status == ItemStatus.NEW  # still to answer
    expected = {world.p.communications.email}
    if chief:
        expected.add(world.p.chief_administrator.email)
    assert {m.to[0] for m in mail.outbox} == expected
    assert all("DI-10" in m.body and item.text not in m.body for m in mail.outbox)
    assert ("rådmannsteamet" in referral.target) is chief


def test_escalation_needs_a_reason(world):
    item = ingest(world.channel, comment("c1"))
    with pytest.raises(ServiceError):
        item_escalate(actor=world.editor, item=item, note="  ")


@pytest.mark.parametrize(
    ("link", "ids"),
    [
        ("https://www.facebook.com/side/posts/123?comment_id=456", ["456"]),
        ("https://www.facebook.com/side/posts/1?comment_id=4&reply_comment_id=9", ["9", "4"]),
        ("https://simulert.example/p/post-1?comment=sim-comment-12", ["sim-comment-12"]),
        ("https://example.org/", []),
    ],
)
def test_comment_ids_in_links(link, ids):
    assert comment_ids_in(link) == ids


def test_employee_reports_an_item_we_have(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("111_222", "Dere er noen idioter alle sammen"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reported = unwanted_report(
            actor=world.p.archivist,
            channel=world.channel,
            link="https://www.facebook.com/skolen/posts/111?comment_id=222",
            note="Stygg tone mot lærerne.",
        )
    assert reported.pk == item.pk and reported.reported
    report = UnwantedReport.objects.get()
    assert report.reporter == world.p.archivist and report.note == "Stygg tone mot lærerne."
    assert {m.to[0] for m in mail.outbox} == {world.p.employee.email}  # the main administrator
    assert "DI-11" not in mail.outbox[0].body  # Indre Fosen's guideline has no DI-11


def test_employee_reports_text_we_had_not_seen(world):
    item = unwanted_report(
        actor=world.p.archivist, channel=world.channel, text="Rektor drikker på jobben."
    )
    assert item.kind == ItemKind.REPORT and item.reported and item.open
    assert item.channel == world.channel and item.due_at is not None
    assert item.text == "Rektor drikker på jobben."
    assert InboxItem.objects.filter(kind=ItemKind.REPORT).count() == 1
    assert item.events.get(action="reported").actor == world.p.archivist


def test_reports_need_an_official_channel_and_something_to_report(world):
    with pytest.raises(ServiceError):
        unwanted_report(actor=world.p.archivist, channel=world.channel)
    with pytest.raises(ServiceError):
        unwanted_report(actor=world.p.archivist, channel=world.channel, link="javascript:alert(1)")


def test_report_form_for_any_employee(world, django_capture_on_commit_callbacks):
    from django.test import Client

    client = Client()
    client.force_login(world.p.archivist)
    url = f"/m/{world.municipality.slug}/innboks/meld/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"channel": str(world.channel.pk), "text": "Noen henger ut en elev her."}
        )
    assert response.status_code == 302 and response["Location"] == url
    assert UnwantedReport.objects.get().reporter == world.p.archivist
