"""PU-1 (issue #18): «Vis fødselsnummer» also for a number held only in a note.

The item page masks a national ID number in a referral's or an escalation's note (DI-7,
DI-8, DI-10) and in an employee's report note (DI-11), as it does in the item's text. It
offered the reveal only when the item's own text held a number, so a number only in
such a note stayed masked even for communications, who may show it. The reveal is now
offered beside the notes, shows them in clear, and is audited once per reveal as
before; whoever may not reveal sees the same masked page as before. After the reveal
the person is sent back to where the button was (`#thread-heading` or `#notater`),
only ever to one of those fragments, not to the top of the page.
"""

from __future__ import annotations

import pytest
from django.test import Client
from stdnum.no import fodselsnummer

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.referrals import item_escalate, item_refer
from ordstyrer.inbox.reports_unwanted import unwanted_report
from tests.inbox.conftest import comment, ingest, question, signed_in, text_of

pytestmark = pytest.mark.django_db

FNR = "05099242649"  # valid check digits (the masking tests' number)
MASKED = "******42649"
BUTTON = "Vis fødselsnummer</button>"
SHOWN = "Fødselsnummer vises i klartekst for deg i ti minutter."


def _refer_political(world, item: InboxItem) -> str:
    note = f"Innbyggeren oppga fnr {FNR} i telefonen"
    item_refer(actor=world.editor, item=item, kind="political", target="Formannskapet", note=note)
    return note


def _escalate(world, item: InboxItem) -> str:
    note = f"Innbyggeren skrev fnr {FNR} i en melding"
    item_escalate(actor=world.editor, item=item, note=note)
    return note


NOTES = {"referral": _refer_political, "escalation": _escalate}


def _reported(world) -> tuple[InboxItem, str]:
    """An employee's report (DI-11) whose text holds no number and whose note does."""
    note = f"Han oppga naboens fødselsnummer {FNR} i en annen tråd"
    item = unwanted_report(
        actor=world.p.employee,
        channel=world.channel,
        text="Stygg kommentar om naboen her.",
        note=note,
    )
    return item, note


@pytest.fixture(params=["referral", "escalation", "report"])
def noted(request, world) -> tuple[InboxItem, str]:
    """An item whose text holds no national ID number, and the note on it that does."""
    if request.param == "report":
        return _reported(world)
    item = question(world)
    return item, NOTES[request.param](world, item)


def _url(world, item: InboxItem, suffix: str = "") -> str:
    return f"/m/{world.municipality.slug}/innboks/{item.pk}/{suffix}"


def _shown() -> int:
    return AuditEntry.objects.filter(action="inbox_national_id_shown").count()


def _notes_html(html: str) -> str:
    """The aside from its referrals and employees' reports on."""
    aside = html[html.index('<aside class="item-facts"') : html.index("</aside>")]
    starts = [aside.find(f"<h3>{h}") for h in ("Henvisninger", "Meldt av ansatte")]
    return aside[min(i for i in starts if i >= 0) :]


def _notes(html: str) -> str:
    return text_of(_notes_html(html))


def _page(client: Client, world, item: InboxItem) -> str:
    """The item page in `client`'s session (the reveal is remembered there)."""
    response = client.get(_url(world, item))
    assert response.status_code == 200
    return response.content.decode()


def _reveal(client: Client, world, item: InboxItem, **data: str):
    return client.post(_url(world, item, "vis-fodselsnummer/"), data)


def test_pu_1_communications_reveals_a_number_held_only_in_a_note(world, noted) -> None:
    """Communications sees the note masked with «Vis fødselsnummer» beside it, shows it
    (one audit entry, in their name, without the digits) and reads the note in clear."""
    item, note = noted
    assert fodselsnummer.is_valid(FNR)
    assert FNR not in item.text
    communications = signed_in(world.p.communications)

    before = _page(communications, world, item)
    assert FNR not in before
    assert note.replace(FNR, MASKED) in _notes(before)
    assert before.count(BUTTON) == 1
    beside = _notes_html(before)
    assert BUTTON in beside and 'name="til" value="notater"' in beside
    assert '<div id="notater">' in before  # where the reveal sends them back
    assert _shown() == 0

    response = _reveal(communications, world, item, til="notater")
    assert response.status_code == 302
    assert response["Location"] == _url(world, item) + "#notater"
    assert _shown() == 1
    entry = AuditEntry.objects.get(action="inbox_national_id_shown")
    assert entry.actor == world.p.communications and entry.object_id == str(item.pk)
    assert FNR not in str(entry.data)

    after = _page(communications, world, item)
    assert note in _notes(after)
    assert SHOWN in after and BUTTON not in after
    assert _shown() == 1  # shown again, not revealed again


def test_pu_1_the_channels_editor_sees_the_note_masked_and_no_button(world, noted) -> None:
    """Nothing changes for whoever may not reveal: masked, no button, also after
    communications revealed it; a post of the form anyway is refused, not audited."""
    item, note = noted
    editor = signed_in(world.editor)
    html = _page(editor, world, item)
    assert FNR not in html
    assert note.replace(FNR, MASKED) in _notes(html)
    assert "Vis fødselsnummer" not in html
    assert _reveal(editor, world, item, til="notater").status_code == 403
    assert _shown() == 0

    assert _reveal(signed_in(world.p.communications), world, item).status_code == 302
    html = _page(editor, world, item)
    assert FNR not in html and "Vis fødselsnummer" not in html
    assert note.replace(FNR, MASKED) in _notes(html)
    assert _shown() == 1


def test_pu_1_an_outsider_finds_neither_page_nor_reveal(world, noted) -> None:
    item, _note = noted
    outsider = signed_in(world.p.outsider)
    assert outsider.get(_url(world, item)).status_code == 404
    assert _reveal(outsider, world, item, til="notater").status_code == 404
    assert _shown() == 0


def test_pu_1_a_number_in_the_text_and_a_note_has_one_button_by_the_thread(world) -> None:
    """One place, one button: where the item's text holds a number the button stays by
    the thread (where the moderation pages' link leads), and one reveal shows the note
    too."""
    item = ingest(world.channel, comment("c-fnr", f"Fødselsnummeret mitt er {FNR}, hjelp"))
    assert item is not None
    note = _escalate(world, item)
    communications = signed_in(world.p.communications)

    before = _page(communications, world, item)
    assert before.count(BUTTON) == 1
    thread = before[before.index('id="thread-heading"') : before.index("</section>")]
    assert BUTTON in thread and 'name="til" value="thread-heading"' in thread

    response = _reveal(communications, world, item, til="thread-heading")
    assert response["Location"] == _url(world, item) + "#thread-heading"
    after = _page(communications, world, item)
    assert f"Fødselsnummeret mitt er {FNR}, hjelp" in text_of(after)
    assert note in _notes(after)
    assert _shown() == 1


@pytest.mark.parametrize(
    "til", ["", "https://example.org/", "//example.org", "notater#x", "logg", "/m/"]
)
def test_pu_1_the_reveal_goes_back_only_to_a_fragment_of_the_page(world, til) -> None:
    """Only a fragment on the allow-list; anything else (a URL, another fragment, none)
    goes back to the thread, where the button always was."""
    item, _note = _reported(world)
    response = _reveal(signed_in(world.p.communications), world, item, til=til)
    assert response.status_code == 302
    assert response["Location"] == _url(world, item) + "#thread-heading"
