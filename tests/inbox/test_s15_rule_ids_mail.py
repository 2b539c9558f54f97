"""The e-mails about an employee's report (DI-11) and an escalation (DI-10), and the
refusal of a report on a channel that is not official, cite the rule only where the
municipality's guideline has it (`policy.applies`).

Indre Fosen's guideline has DI-10 but not DI-11; Birkenes' has DI-11 but not DI-10.
Before this, every municipality's administrators were mailed «… en uønsket ytring på
Skolen (DI-11)» and its communications «… som mulig omdømmekritisk (DI-10)», and the
refusal carried `rule="DI-11"` everywhere.
"""

from __future__ import annotations

import pytest
from django.core import mail

from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem, UnwantedReport
from ordstyrer.inbox.referrals import item_escalate
from ordstyrer.inbox.reports_unwanted import unwanted_report
from tests.channels.conftest import propose
from tests.inbox.conftest import comment, ingest, signed_in

pytestmark = pytest.mark.django_db


# -- DI-11: the e-mail about an employee's report --------------------------------------


def report_mail(world, capture) -> str:
    """An employee reports a text through the console's report page; the one e-mail's
    body (to the channel's main administrator)."""
    mail.outbox.clear()
    with capture(execute=True):
        sent = signed_in(world.p.archivist).post(
            f"/m/{world.municipality.slug}/innboks/meld/",
            {"channel": str(world.channel.pk), "text": "Noen henger ut en elev her."},
        )
    assert sent.status_code == 302
    assert UnwantedReport.objects.filter(item__channel=world.channel).count() == 1
    (message,) = mail.outbox
    assert message.to == [world.p.employee.email]
    assert message.subject == "Uønsket ytring meldt på Skolen"
    return message.body


def test_indre_fosens_report_mail_does_not_cite_di_11(fosen, django_capture_on_commit_callbacks):
    body = report_mail(fosen, django_capture_on_commit_callbacks)
    assert "har meldt fra om en uønsket ytring på Skolen. Vurder den etter retningslinjen" in body
    assert "DI-11" not in body


def test_birkenes_report_mail_cites_di_11(birkenes, django_capture_on_commit_callbacks):
    body = report_mail(birkenes, django_capture_on_commit_callbacks)
    assert "har meldt fra om en uønsket ytring på Skolen (DI-11). Vurder den etter" in body


# -- DI-10: the e-mail about an escalation -----------------------------------------------


def escalation_mail(world, capture) -> str:
    item = ingest(world.channel, comment("q1"))
    assert item is not None
    mail.outbox.clear()
    with capture(execute=True):
        item_escalate(actor=world.editor, item=item, note="Kan bli en sak i avisen.")
    (message,) = mail.outbox  # communications; neither preset brings in the rådmann team
    assert message.to == [world.p.communications.email]
    assert item.text not in message.body
    return message.body


def test_indre_fosens_escalation_mail_cites_di_10(fosen, django_capture_on_commit_callbacks):
    body = escalation_mail(fosen, django_capture_on_commit_callbacks)
    assert "på Skolen som mulig omdømmekritisk (DI-10). Saken skal koordineres" in body


def test_birkenes_escalation_mail_does_not_cite_di_10(birkenes, django_capture_on_commit_callbacks):
    body = escalation_mail(birkenes, django_capture_on_commit_callbacks)
    assert "på Skolen som mulig omdømmekritisk. Saken skal koordineres før noen svarer." in body
    assert "DI-10" not in body


# -- DI-11: the refusal of a channel that is not official ---------------------------------


@pytest.mark.parametrize(("which", "rule"), [("fosen", None), ("birkenes", "DI-11")])
def test_a_report_on_an_unofficial_channel_cites_di_11_only_where_it_applies(request, which, rule):
    world = request.getfixturevalue(which)
    draft = propose(world.p, name="Kladden", kind="simulated")  # proposed, not approved
    with pytest.raises(ServiceError) as refusal:
        unwanted_report(actor=world.p.archivist, channel=draft, text="Noen henger ut en elev.")
    assert str(refusal.value.message) == "Velg en av kommunens offisielle kanaler."
    assert refusal.value.rule == rule
    assert not InboxItem.objects.filter(channel=draft).exists()
    assert not UnwantedReport.objects.exists()
