"""PU-1 (#18): the list's search cannot find the digits the list masks in a national ID
number (`******42649`). Someone without the right to reveal the numbers, searching a
few digits of the hidden part at a time, finds nothing; those who may reveal them find
the item, and that is audited as showing the number is. Ordinary words and short
numbers are still found."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db

NATIONAL_ID = "05099242649"  # valid check digits; the list shows ******42649
TEXT = f"Hei, jeg venter på svar om bostøtte, fødselsnummeret mitt er {NATIONAL_ID}"
SPACED = "Fnr 050992 42649, ring meg på kveldstid"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(world, user, q: str, view: str = "") -> list[int]:
    url = f"/m/{world.municipality.slug}/innboks/?q={q}" + (f"&vis={view}" if view else "")
    response = client_for(user).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert NATIONAL_ID not in html
    return [int(pk) for pk in re.findall(r'<tr class="inbox-row[^"]*" data-item="(\d+)"', html)]


@pytest.fixture
def items(world) -> dict[str, InboxItem]:
    return {
        "fnr": ingest(world.channel, comment("c-fnr", TEXT, author="u1", name="Kari Nordmann")),
        "spaced": ingest(world.channel, comment("c-sp", SPACED, author="u2", name="Per Hansen")),
        "bus": ingest(
            world.channel,
            comment("c-bus", "Bussen kl 1430 kom ikke i dag", author="u3", name="Ola 2B"),
        ),
    }


# Five digits of the hidden part, four across the border to the shown part, one hidden
# digit with the start of the shown part, the whole date.
PROBES = ["50992", "0509", "99242", "0509924", "2 4264"]


@pytest.mark.parametrize("view", ["", "all"])
@pytest.mark.parametrize("q", PROBES)
def test_an_editor_cannot_find_the_hidden_digits(world, items, q, view) -> None:
    """PU-1: the editor sees ******42649 and may not reveal it; no search finds it."""
    assert items["fnr"].pk not in listed(world, world.editor, q.replace(" ", "+"), view)


@pytest.mark.parametrize("q", ["0509", "50992+42649", "992"])
def test_nor_in_a_number_written_with_a_space(world, items, q) -> None:
    assert items["spaced"].pk not in listed(world, world.editor, q)


def test_the_count_does_not_give_it_away(world, items) -> None:
    """PU-1: the «N venter på svar» count follows the search; it must not count it."""
    html = (
        client_for(world.editor)
        .get(f"/m/{world.municipality.slug}/innboks/?q=50992")
        .content.decode()
    )
    assert "0 henvendelser venter på svar" in html


def test_words_and_short_numbers_are_still_found(world, items) -> None:
    """The search stays useful: words in a text with a national ID number, a short number
    in a text without one, digits in an author's name."""
    assert listed(world, world.editor, "bostøtte") == [items["fnr"].pk]
    assert listed(world, world.editor, "1430") == [items["bus"].pk]
    assert listed(world, world.editor, "2B") == [items["bus"].pk]
    assert not AuditEntry.objects.filter(action="inbox_national_id_searched").exists()


def test_who_may_reveal_the_numbers_finds_it_audited(world, items) -> None:
    """PU-1: communications may reveal the number: the search finds the item, and the
    audit says who found which item by the hidden digits (without the digits)."""
    found = sorted([items["fnr"].pk, items["spaced"].pk])
    assert sorted(listed(world, world.p.communications, "50992")) == found
    entry = AuditEntry.objects.get(action="inbox_national_id_searched")
    assert entry.actor == world.p.communications
    assert sorted(entry.data["item_ids"]) == found
    assert "50992" not in str(entry.data) and NATIONAL_ID not in str(entry.data)


def test_a_search_on_the_shown_digits_or_words_is_not_audited(world, items) -> None:
    assert listed(world, world.p.communications, "bostøtte") == [items["fnr"].pk]
    assert items["bus"].pk in listed(world, world.p.communications, "1430")
    assert not AuditEntry.objects.filter(action="inbox_national_id_searched").exists()
