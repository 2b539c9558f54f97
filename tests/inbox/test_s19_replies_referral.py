"""A reply that refers records its referral, and only such a reply does (DI-7, DI-8, AR-1).

Before, a referral was recorded only for the `refer_formal` / `refer_political`
templates: an editor's own reply marked «Henviser videre» made the item "referred",
stopped its clocks and counted it in time, with no referral and no journaling; a
`refer_formal` reply marked «Besvarer» was journaled yet "answered". Now the effect
decides: a reply that refers needs a kind (the template's, or the one asked for in the
reply box, nothing chosen beforehand), and one that does not refer records none."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.intents import new_intent_key
from ordstyrer.inbox.models import ItemStatus, Referral, Reply
from ordstyrer.inbox.replies import reply_suggestion
from tests.inbox.conftest import LATER, item_page, signed_in

pytestmark = pytest.mark.django_db

OWN = "Dette må behandles som en sak. Send det til postmottaket, så blir det journalført."


def test_an_own_reply_that_refers_without_a_kind_is_refused(world, item, fake_platform, send):
    """DI-7, DI-8: «Henviser videre» without a kind would make the item "referred" with
    no referral and no journaling; it is refused, nothing written or sent."""
    with pytest.raises(ServiceError) as refused:
        send(actor=world.editor, item=item, text=OWN, effect="refer")
    assert refused.value.code == "referral_kind"
    assert "formell henvendelse" in str(refused.value.message)
    assert not Reply.objects.exists() and not Referral.objects.exists()
    assert fake_platform.sent == []
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW and item.first_responded_at is None


def test_an_own_reply_that_refers_formally_is_journaled(world, item, fake_platform, send):
    """DI-7, AR-1: the kind chosen for an own text records and journals the referral as
    the template does."""
    send(actor=world.editor, item=item, text=OWN, effect="refer", referral_kind="formal")
    item.refresh_from_db()
    referral = Referral.objects.get(item=item)
    assert item.status == ItemStatus.REFERRED
    assert referral.kind == "formal" and referral.journal_state == "journaled"
    assert ArchiveRecord.objects.get(pk=referral.journal_reference).kind == "journal_inbound"


def test_a_referral_template_answered_instead_is_not_journaled(world, item, fake_platform, send):
    """DI-7, AR-1: the effect decides; a `refer_formal` text sent as «Besvarer» is an
    answer, with no referral and nothing journaled."""
    text = reply_suggestion(item=item, actor=world.editor, code="refer_formal").text
    send(actor=world.editor, item=item, text=text, template="refer_formal", effect="answer")
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED
    assert not Referral.objects.exists()
    assert not ArchiveRecord.objects.filter(kind="journal_inbound").exists()


def test_the_reply_box_asks_the_kind_with_nothing_chosen_and_refers_as_chosen(
    world, item, fake_platform, django_capture_on_commit_callbacks
):
    """DI-7, DI-8: the item page asks where an own reply refers (no kind pre-selected);
    the reply form posted with «Henviser videre» and «Politisk nivå» records it."""
    page = item_page(world, item, "?mal=thank")
    assert 'name="referral_kind"' in page
    assert 'name="referral_kind" value="formal"' in page
    assert "checked" not in page.split('id="referral-kind"')[1].split("</fieldset>")[0]

    url = reverse("inbox:reply", args=[world.municipality.slug, item.pk])
    with (
        time_machine.travel(LATER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = signed_in(world.editor).post(
            url,
            {
                "text": "Dette er en politisk sak. Vi sender spørsmålet ditt til formannskapet.",
                "template": "",
                "effect": "refer",
                "referral_kind": "political",
                "referral_target": "formannskapet",
                "intent_key": new_intent_key(),
            },
        )
    assert response.status_code == 302
    item.refresh_from_db()
    referral = Referral.objects.get(item=item)
    assert item.status == ItemStatus.REFERRED
    assert (referral.kind, referral.target) == ("political", "formannskapet")
