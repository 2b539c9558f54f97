"""The audit log kept a second, unmasked and unlisted copy of every note (PU-1).

`transitions.log_event` wrote an item event's text both to the item's log
(`inbox_itemevent.text`, listed in docs/privacy.md, masked in the console) and into the
audit entry's `data` — a note quoting a citizen's national ID number, a referral's or an
escalation's note: append-only, never masked, kept for ever, listed nowhere. The audit
entry now says which event it records (its id) and how long the text was; the text
itself is kept only in the item's log, and the upgrade removes the copies written
before."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from ordstyrer.core.audit import audit_record
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import ItemEvent
from ordstyrer.inbox.referrals import item_escalate, item_refer
from ordstyrer.inbox.services import item_note
from tests.inbox.conftest import make_world, question

pytestmark = pytest.mark.django_db

QUOTED = "Innbyggeren skrev: «fnr 15038545660, Kari Nordmann, rusbehandling»"


def test_notes_are_kept_in_the_items_log_and_not_copied_to_the_audit_log():
    world = make_world()
    noted, referred, escalated = (question(world, cid) for cid in ("q1", "q2", "q3"))

    item_note(actor=world.editor, item=noted, text=QUOTED)
    item_refer(
        actor=world.editor, item=referred, kind="political", target="formannskapet", note=QUOTED
    )
    item_escalate(actor=world.editor, item=escalated, note=QUOTED)

    entries = AuditEntry.objects.filter(action__startswith="inbox_")
    stored = json.dumps(list(entries.values_list("data", flat=True)), ensure_ascii=False)
    assert "15038545660" not in stored and "Kari Nordmann" not in stored

    for item, action in ((noted, "note"), (referred, "refer_political"), (escalated, "escalate")):
        event = ItemEvent.objects.get(item=item, action=action)
        assert event.text == QUOTED  # the listed store
        entry = entries.get(action=f"inbox_{action}", object_id=str(item.pk))
        assert entry.data["event_id"] == event.pk
        assert entry.data["text_length"] == len(QUOTED)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_removes_the_copies_already_in_the_audit_log():
    """Entries written before keep the text's length, not the text; other entries and
    other keys are left as they are."""
    world = make_world()
    item = question(world)
    try:
        call_command("migrate", "inbox", "0012_referral_report_intent_key", verbosity=0)
        copied = audit_record(
            actor=world.editor,
            action="inbox_note",
            municipality=world.municipality,
            obj=item,
            data={"channel_id": item.channel_id, "from": "", "to": "", "text": QUOTED},
        )
        other = audit_record(
            actor=world.editor, action="channel_note", obj=item, data={"text": "Kanalens notat"}
        )
        call_command("migrate", verbosity=0)

        copied.refresh_from_db()
        other.refresh_from_db()
        assert copied.data == {
            "channel_id": item.channel_id,
            "from": "",
            "to": "",
            "text_length": len(QUOTED),
        }
        assert other.data == {"text": "Kanalens notat"}
    finally:
        call_command("migrate", verbosity=0)
