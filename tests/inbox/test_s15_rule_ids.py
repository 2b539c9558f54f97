"""The item's timeline, its referrals, the referral and escalation refusals and the reply
templates cite only rules the municipality's guideline has (`policy.applies`).

Indre Fosen's guideline has DI-7, DI-10, MO-1, MO-2, MO-4 and EM-3 but neither DI-8 nor
DI-11; Birkenes' has DI-7, DI-8, DI-11, MO-1 and EM-3 but neither DI-10, MO-2 nor MO-4;
Rennebu's has no EM-3. Before this, the timeline said «Henvist til politisk nivå (DI-8)»,
«Meldt av en ansatt (DI-11)», «Sendt til kommunikasjon (DI-10)», «Sletting bestemt og
arkivert (MO-1, MO-2)» and «Beskjed sendt til forfatteren (MO-4)» and the referral list
«Politisk nivå (DI-8)» to every municipality; an empty political body was refused with
«(DI-8)» and an escalation's «sent» message said «(DI-10)» everywhere; and a hand-made
post of the EM-3 template `decline_friend` was sent for Rennebu although its page no
longer offers it. (Session 21: the template is gone from the inbox, as no comment is a
friend request and the page must not speak as a private employee, CH-3; a post naming it
is refused under every guideline.)
"""

from __future__ import annotations

import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem, Reply
from ordstyrer.inbox.referrals import item_escalate, item_refer
from ordstyrer.inbox.replies import reply_send
from ordstyrer.moderation import services as moderation
from tests.inbox.conftest import (
    item_page,
    question,
    signed_in,
    text_of,
)
from tests.moderation.conftest import citizen_comment
from tests.moderation.conftest import make_world as moderation_world

pytestmark = pytest.mark.django_db


def timeline(html: str) -> str:
    start = html.index('<ol class="timeline">')
    return text_of(html[start : html.index("</ol>", start)])


def referrals(html: str) -> str:
    start = html.index("Henvisninger</h3>")
    return text_of(html[start : html.index("</ul>", start)])


def refer_and_escalate(world) -> tuple[str, str]:
    """A political and a formal referral and an escalation, through the item page's
    forms; the page afterwards."""
    item = question(world)
    client = signed_in(world.editor)
    base = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    for data in (
        {"kind": "political", "target": "formannskapet"},
        {"kind": "formal", "target": ""},
    ):
        assert client.post(f"{base}henvis/", data).status_code == 302
    escalated = client.post(f"{base}eskaler/", {"note": "Kan bli en sak i avisen."}, follow=True)
    assert escalated.status_code == 200
    # The referrals' messages are shown with it (nothing was shown in between).
    *_referred, said = [str(m) for m in escalated.context["messages"]]
    return item_page(world, item), said


# -- 1. The timeline and the referrals (DI-7, DI-8, DI-10) -----------------------------


def test_indre_fosens_timeline_and_referrals_cite_di_7_and_di_10_not_di_8(fosen):
    html, said = refer_and_escalate(fosen)
    log = timeline(html)
    assert "Henvist til politisk nivå" in log
    assert "Henvist til formell henvendelse (DI-7)" in log
    assert "Sendt til kommunikasjon (DI-10)" in log
    listed = referrals(html)
    assert "Politisk nivå: formannskapet" in listed
    assert "Formell henvendelse (DI-7): formell henvendelse (postmottak)" in listed
    assert "Omdømmekritisk sak (DI-10): kommunikasjon" in listed
    assert said == "Saken er sendt til kommunikasjon (DI-10)."
    assert "DI-8" not in text_of(html)


def test_birkenes_timeline_and_referrals_cite_di_7_and_di_8_not_di_10(birkenes):
    html, said = refer_and_escalate(birkenes)
    log = timeline(html)
    assert "Henvist til politisk nivå (DI-8)" in log
    assert "Henvist til formell henvendelse (DI-7)" in log
    assert "Sendt til kommunikasjon – Kan bli en sak i avisen." in log
    listed = referrals(html)
    assert "Politisk nivå (DI-8): formannskapet" in listed
    assert "Formell henvendelse (DI-7): formell henvendelse (postmottak)" in listed
    assert "Omdømmekritisk sak: kommunikasjon" in listed
    assert said == "Saken er sendt til kommunikasjon."
    assert "DI-10" not in text_of(html)


# -- 1. The timeline: an employee's report (DI-11) ---------------------------------------


def reported(world) -> str:
    client = signed_in(world.p.archivist)
    sent = client.post(
        f"/m/{world.municipality.slug}/innboks/meld/",
        {"channel": str(world.channel.pk), "text": "Noen henger ut en elev her."},
    )
    assert sent.status_code == 302
    item = InboxItem.objects.get(reports__isnull=False)
    return timeline(item_page(world, item))


def test_indre_fosens_timeline_does_not_cite_di_11(fosen):
    log = reported(fosen)
    assert "Meldt av en ansatt" in log
    assert "DI-11" not in log


def test_birkenes_timeline_cites_di_11(birkenes):
    assert "Meldt av en ansatt (DI-11)" in reported(birkenes)


# -- 1. The timeline: moderation (MO-1, MO-2, MO-4) ---------------------------------------

WHY = "Kommentaren er skrevet for å henge ut en navngitt person."


def deleted(preset: str, ground: str, capture) -> str:
    world = moderation_world(preset, preset)
    item = citizen_comment(world.channel, "Kari på skolen stjeler, alle vet det.")
    with capture(execute=True):
        moderation.comment_delete(
            actor=world.main_admin, item=item, ground=ground, justification=WHY
        )
    return timeline(item_page(world, item, user=world.main_admin))


def test_indre_fosens_timeline_cites_mo_1_mo_2_and_mo_4(django_capture_on_commit_callbacks):
    log = deleted("indre-fosen", "spam", django_capture_on_commit_callbacks)
    assert "Sletting bestemt og arkivert (MO-1, MO-2)" in log
    assert "Beskjed sendt til forfatteren (MO-4)" in log


def test_birkenes_timeline_cites_mo_1_not_mo_2_or_mo_4(django_capture_on_commit_callbacks):
    log = deleted("birkenes", "discrimination", django_capture_on_commit_callbacks)
    assert "Sletting bestemt og arkivert (MO-1) – " in log
    # Birkenes tells the author by its own setting, not by MO-4.
    assert "Ordstyrer: Beskjed sendt til forfatteren – Hei Ola!" in log
    assert "MO-2" not in log and "MO-4" not in log


# -- 2. The refusals name DI-8 and DI-10 only where they apply -------------------------


def test_an_empty_political_body_cites_di_8_only_where_it_applies(fosen, birkenes):
    for world, expected in (
        (fosen, "Skriv hvilket politisk organ saken er henvist til."),
        (birkenes, "Skriv hvilket politisk organ saken er henvist til. (DI-8)"),
    ):
        item = question(world)
        refused = signed_in(world.editor).post(
            f"/m/{world.municipality.slug}/innboks/{item.pk}/henvis/",
            {"kind": "political", "target": "  "},
            follow=True,
        )
        assert [str(m) for m in refused.context["messages"]] == [expected]
        with pytest.raises(ServiceError) as refusal:
            item_refer(actor=world.editor, item=item, kind="political", target="")
        assert refusal.value.rule == ("DI-8" if world is birkenes else None)
        assert not item.referrals.exists()


def test_an_empty_escalation_cites_di_10_only_where_it_applies(fosen, birkenes):
    for world, rule in ((fosen, "DI-10"), (birkenes, None)):
        item = question(world)
        with pytest.raises(ServiceError) as refusal:
            item_escalate(actor=world.editor, item=item, note="  ")
        assert refusal.value.rule == rule
        assert not item.referrals.exists()


# -- 3. No friend-request template in the inbox, with or without EM-3 ------------------

DECLINE = "Takk for venneforespørselen, men jeg må dessverre avslå."


def reply_post(world, item: InboxItem, text: str):
    return signed_in(world.editor).post(
        f"/m/{world.municipality.slug}/innboks/{item.pk}/svar/",
        {
            "text": text,
            "template": "decline_friend",
            "effect": "answer",
            "override_reason": "Avslaget er gjennomlest.",
        },
    )


def test_a_hand_made_decline_friend_post_is_refused_everywhere(fosen, rennebu, fake_platform):
    # Indre Fosen's guideline has EM-3, Rennebu's has not: neither page sends it.
    for world in (fosen, rennebu):
        item = question(world)
        assert reply_post(world, item, DECLINE).status_code == 400
        with pytest.raises(ValueError, match="unknown reply template"):
            reply_send(actor=world.editor, item=item, text=DECLINE, template="decline_friend")
        item.refresh_from_db()
        assert item.status == "new"
        assert not item.events.filter(action="reply").exists()
    assert not Reply.objects.exists() and fake_platform.sent == []
