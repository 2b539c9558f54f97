"""PU-1 (issue #18): the item page masks a national ID number in a referral's or an
escalation's note (DI-7, DI-10) and in an employee's report note (DI-11), as its
timeline masks the same text. Before, both lists showed the note as written."""

from __future__ import annotations

from ordstyrer.inbox.referrals import item_escalate
from ordstyrer.inbox.reports_unwanted import unwanted_report
from tests.inbox.conftest import item_page, question, text_of

FNR = "05099242649"  # valid check digits (the masking tests' number)
MASKED = "******42649"


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i + len(start))]


def test_pu_1_di_10_an_escalation_note_is_masked_on_the_item_page(world):
    item = question(world)
    item_escalate(actor=world.editor, item=item, note=f"Innbyggeren skrev fnr {FNR} i en melding")
    html = item_page(world, item)
    assert FNR not in html
    referrals = text_of(_between(html, "Henvisninger", "</ul>"))
    assert f"Innbyggeren skrev fnr {MASKED} i en melding" in referrals


def test_pu_1_di_11_a_report_note_is_masked_on_the_item_page(world):
    item = unwanted_report(
        actor=world.p.archivist,
        channel=world.channel,
        text="Stygg kommentar om naboen her.",
        note=f"Han oppga naboens fødselsnummer {FNR} i en annen tråd",
    )
    html = item_page(world, item)
    assert FNR not in html
    reports = text_of(_between(html, "Meldt av ansatte", "</ul>"))
    assert f"naboens fødselsnummer {MASKED} i en annen tråd" in reports
